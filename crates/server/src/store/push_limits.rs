//! Per-session counters of Protect push: refused pushes recorded in the
//! audit log (per fixed window) and the browser's push waits in progress.

use super::Exec;
use crate::clock::Timestamp;

/// Counts one more refused push of the session in the window starting at
/// `window_start`; the count so far, this one included.
pub async fn count_refusal<'c>(
    db: impl Exec<'c>,
    session_hash: &str,
    window_start: Timestamp,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO push_refusals (session_hash, window_start, refusals) VALUES ($1, $2, 1)
         ON CONFLICT (session_hash, window_start)
         DO UPDATE SET refusals = push_refusals.refusals + 1
         RETURNING refusals",
    )
    .bind(session_hash)
    .bind(window_start)
    .fetch_one(db)
    .await
}

/// Registers a wait of the session lasting until `ends_at`; how many of
/// the session's waits (this one included) are in progress at `now`. Two
/// statements: two waits starting at once may both count each other (and
/// both be refused), never neither.
pub async fn start_wait(
    db: &super::Db,
    id: &str,
    session_hash: &str,
    now: Timestamp,
    ends_at: Timestamp,
) -> sqlx::Result<i64> {
    sqlx::query("INSERT INTO push_waits (id, session_hash, ends_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(session_hash)
        .bind(ends_at)
        .execute(db)
        .await?;
    sqlx::query_scalar("SELECT COUNT(*) FROM push_waits WHERE session_hash = $1 AND ends_at > $2")
        .bind(session_hash)
        .bind(now)
        .fetch_one(db)
        .await
}

pub async fn end_wait<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM push_waits WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Drops refusal counts of windows that began before `windows_before`
/// and waits that ended before `now` (their request died unfinished).
pub async fn purge(db: &super::Db, now: Timestamp, windows_before: Timestamp) -> sqlx::Result<u64> {
    let counts = sqlx::query("DELETE FROM push_refusals WHERE window_start < $1")
        .bind(windows_before)
        .execute(db)
        .await?;
    let waits = sqlx::query("DELETE FROM push_waits WHERE ends_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(counts.rows_affected() + waits.rows_affected())
}
