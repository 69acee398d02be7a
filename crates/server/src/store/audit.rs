//! The audit log table.

use super::Exec;
use crate::clock::Timestamp;

pub struct NewEvent<'a> {
    pub at: Timestamp,
    pub kind: &'a str,
    pub actor_kind: &'a str,
    pub actor_id: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    pub client_ip: &'a str,
    pub detail: &'a str,
}

pub async fn insert<'c>(db: impl Exec<'c>, e: &NewEvent<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, kind, actor_kind, actor_id, subject_id, client_ip, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(e.at)
    .bind(e.kind)
    .bind(e.actor_kind)
    .bind(e.actor_id)
    .bind(e.subject_id)
    .bind(e.client_ip)
    .bind(e.detail)
    .execute(db)
    .await?;
    Ok(())
}

/// An event as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub at: Timestamp,
    pub kind: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub subject_id: Option<String>,
    pub client_ip: String,
    pub detail: String,
}

/// The newest events about `subject_id`, newest first.
pub async fn for_subject<'c>(
    db: impl Exec<'c>,
    subject_id: &str,
    limit: u32,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(
        "SELECT at, kind, actor_kind, actor_id, subject_id, client_ip, detail FROM audit_events
         WHERE subject_id = $1 ORDER BY at DESC, id LIMIT $2",
    )
    .bind(subject_id)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}
