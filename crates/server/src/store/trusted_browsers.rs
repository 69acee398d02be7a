//! Trusted browsers: one row per browser a user chose not to be asked the
//! second factor on, holding only a keyed hash of the browser's token (the
//! domain computes it; no token in clear ever reaches SQL).

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

#[derive(Debug, Clone, FromRow)]
pub struct Row {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub browser: String,
    pub ip: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Timestamp,
}

const COLUMNS: &str = "id, token_hash, user_id, browser, ip, created_at, last_used_at, expires_at";

pub async fn insert<'c>(db: impl Exec<'c>, r: &Row) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO trusted_browsers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&r.id)
    .bind(&r.token_hash)
    .bind(&r.user_id)
    .bind(&r.browser)
    .bind(&r.ip)
    .bind(r.created_at)
    .bind(r.last_used_at)
    .bind(r.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find<'c>(db: impl Exec<'c>, token_hash: &str) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM trusted_browsers WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// The user's trusted browsers, newest first.
pub async fn for_user<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM trusted_browsers WHERE user_id = $1
          ORDER BY created_at DESC, id DESC"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

pub async fn touch<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query("UPDATE trusted_browsers SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets one browser of the user; `false` if the user has none with this id.
pub async fn delete<'c>(db: impl Exec<'c>, user_id: &str, id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM trusted_browsers WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() > 0)
}

/// Forgets the row with this token hash (one found expired or unusable).
pub async fn delete_by_hash<'c>(db: impl Exec<'c>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM trusted_browsers WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets every browser of the user; answers how many there were.
pub async fn delete_for_user<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM trusted_browsers WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}

/// Forgets every trusted browser of every user (the organisation switched
/// them off).
pub async fn delete_all<'c>(db: impl Exec<'c>) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM trusted_browsers")
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}

/// Forgets the browsers whose trust has run out.
pub async fn purge<'c>(db: impl Exec<'c>, now: Timestamp) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM trusted_browsers WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}
