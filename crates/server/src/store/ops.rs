//! What `/metrics` reads from the database at scrape time: the queues'
//! depths, the same whichever instance is asked.

use super::Exec;
use crate::clock::Timestamp;

/// Emails not sent yet and not given up (fewer than `max_attempts` tries).
pub async fn outbox_waiting<'c>(db: impl Exec<'c>, max_attempts: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts < $1")
        .bind(max_attempts)
        .fetch_one(db)
        .await
}

/// Pushes waiting for an answer at `now` (a pending one past its expiry
/// reads as expired).
pub async fn pending_pushes<'c>(db: impl Exec<'c>, now: Timestamp) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM push_requests WHERE status = 'pending' AND expires_at > $1",
    )
    .bind(now)
    .fetch_one(db)
    .await
}
