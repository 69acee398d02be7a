//! One-time links (invitations, setup links), by the keyed hash of their token.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

/// A live link.
#[derive(Debug, Clone, FromRow)]
pub struct Link {
    pub user_id: String,
    pub purpose: String,
    pub expires_at: Timestamp,
}

pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub purpose: &'a str,
    pub expires_at: Timestamp,
    pub created_by: Option<&'a str>,
}

pub async fn insert<'c>(db: impl Exec<'c>, link: &NewLink<'_>, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO user_links (token_hash, user_id, purpose, created_at, expires_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(link.token_hash)
    .bind(link.user_id)
    .bind(link.purpose)
    .bind(now)
    .bind(link.expires_at)
    .bind(link.created_by)
    .execute(db)
    .await?;
    Ok(())
}

/// The link with this hash, if it is still valid at `now`.
pub async fn find<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
    now: Timestamp,
) -> sqlx::Result<Option<Link>> {
    sqlx::query_as(
        "SELECT user_id, purpose, expires_at FROM user_links WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Uses the link up: deletes it if it is still valid at `now`. Of two
/// requests with the same link (on any instance) exactly one gets it.
pub async fn take<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
    now: Timestamp,
) -> sqlx::Result<Option<Link>> {
    sqlx::query_as(
        "DELETE FROM user_links WHERE token_hash = $1 AND expires_at > $2 \
         RETURNING user_id, purpose, expires_at",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Revokes every link of the user; returns how many there were.
pub async fn revoke_all<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM user_links WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}

/// Deletes up to `batch` links that expired before `now`; returns how many.
pub async fn purge_expired<'c>(db: impl Exec<'c>, now: Timestamp, batch: i64) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM user_links WHERE token_hash IN \
         (SELECT token_hash FROM user_links WHERE expires_at <= $1 LIMIT $2)",
    )
    .bind(now)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}
