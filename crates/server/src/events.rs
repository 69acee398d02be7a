//! The security event log (admins read it later at /admin/events).

use crate::clock::Timestamp;
use crate::db::Db;

/// Records an event. `detail` must never hold a secret.
pub async fn record(
    db: &Db,
    now: Timestamp,
    kind: &str,
    user_id: Option<&str>,
    client_ip: &str,
    detail: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO events (id, at, kind, user_id, client_ip, detail) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(now)
    .bind(kind)
    .bind(user_id)
    .bind(client_ip)
    .bind(detail)
    .execute(db)
    .await?;
    Ok(())
}
