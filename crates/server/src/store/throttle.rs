//! Counters of failed attempts (and windows of successes) behind the
//! throttling rules in `auth::throttle`. Keys are hashes of what is
//! counted, never the typed email itself.

use super::Exec;
use crate::clock::Timestamp;

/// (blocked until, failures in a row) of a counter, if it exists.
pub async fn state<'c>(db: impl Exec<'c>, key: &str) -> sqlx::Result<Option<(Timestamp, i64)>> {
    sqlx::query_as("SELECT blocked_until, consecutive FROM throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Counts one failure, unless the counter blocks now or is at `cap`
/// consecutive failures. The count starts again after quiet since
/// `reset_before`; the consecutive count does not. Returns the new
/// (failures, consecutive), or `None` when refused.
pub async fn count_failure<'c>(
    db: impl Exec<'c>,
    key: &str,
    now: Timestamp,
    reset_before: Timestamp,
    cap: i64,
) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as(
        "INSERT INTO throttle (key, failures, last_failure_at, blocked_until, consecutive) VALUES ($1, 1, $2, 0, 1)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN throttle.last_failure_at < $3 THEN 1 ELSE throttle.failures + 1 END,
           consecutive = throttle.consecutive + 1,
           last_failure_at = excluded.last_failure_at
         WHERE throttle.blocked_until <= $4 AND throttle.consecutive < $5
         RETURNING failures, consecutive",
    )
    .bind(key)
    .bind(now)
    .bind(reset_before)
    .bind(now)
    .bind(cap)
    .fetch_optional(db)
    .await
}

pub async fn block_until<'c>(db: impl Exec<'c>, key: &str, until: Timestamp) -> sqlx::Result<()> {
    sqlx::query("UPDATE throttle SET blocked_until = $1 WHERE key = $2")
        .bind(until)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets a counter (a success, or an administrator's unlock).
pub async fn clear<'c>(db: impl Exec<'c>, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM throttle WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Gives back one attempt counted up front; lifts the block when the count
/// falls below `free`.
pub async fn release<'c>(db: impl Exec<'c>, key: &str, free: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE throttle SET failures = failures - 1,
           consecutive = CASE WHEN consecutive > 0 THEN consecutive - 1 ELSE 0 END,
           blocked_until = CASE WHEN failures - 1 < $1 THEN 0 ELSE blocked_until END
         WHERE key = $2 AND failures > 0",
    )
    .bind(free)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

/// (hits, start) of the current window of `key`, if it started after
/// `window_starts_after`.
pub async fn window<'c>(
    db: impl Exec<'c>,
    key: &str,
    window_starts_after: Timestamp,
) -> sqlx::Result<Option<(i64, Timestamp)>> {
    sqlx::query_as(
        "SELECT hits, window_start FROM rate_windows WHERE key = $1 AND window_start > $2",
    )
    .bind(key)
    .bind(window_starts_after)
    .fetch_optional(db)
    .await
}

/// Counts a hit in the window of `key` (a new window once the old one,
/// started before `stale_before`, is over). Returns the hits in the window.
pub async fn hit_window<'c>(
    db: impl Exec<'c>,
    key: &str,
    now: Timestamp,
    stale_before: Timestamp,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO rate_windows (key, hits, window_start) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN rate_windows.window_start <= $3 THEN 1 ELSE rate_windows.hits + 1 END,
           window_start = CASE WHEN rate_windows.window_start <= $4 THEN excluded.window_start ELSE rate_windows.window_start END
         RETURNING hits",
    )
    .bind(key)
    .bind(now)
    .bind(stale_before)
    .bind(stale_before)
    .fetch_one(db)
    .await
}

/// Deletes up to `batch` counters quiet since `quiet_before` (no failure
/// since, no block in force at `now`) that hold no failures in a row;
/// returns how many. Counters with failures in a row stay: a quiet period
/// must not reset the count towards the cap (only a success or an
/// administrator does).
pub async fn purge_quiet<'c>(
    db: impl Exec<'c>,
    quiet_before: Timestamp,
    now: Timestamp,
    batch: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM throttle WHERE key IN (
           SELECT key FROM throttle
            WHERE last_failure_at < $1 AND blocked_until < $2 AND consecutive = 0
            LIMIT $3)",
    )
    .bind(quiet_before)
    .bind(now)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}

/// Deletes up to `batch` counters with failures in a row that have been
/// quiet since `stale_before` and hold fewer than `below` of them; returns
/// how many. Without it, every address someone once tried a password
/// for would keep a row for ever; counters near the cap (or at it) stay
/// until a success or an administrator.
pub async fn purge_stale<'c>(
    db: impl Exec<'c>,
    stale_before: Timestamp,
    now: Timestamp,
    below: i64,
    batch: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM throttle WHERE key IN (
           SELECT key FROM throttle
            WHERE last_failure_at < $1 AND blocked_until < $2 AND consecutive < $3
            LIMIT $4)",
    )
    .bind(stale_before)
    .bind(now)
    .bind(below)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}

/// Deletes up to `batch` success windows that started before `before`
/// (over, and no longer counted); returns how many.
pub async fn purge_windows<'c>(
    db: impl Exec<'c>,
    before: Timestamp,
    batch: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM rate_windows WHERE key IN (
           SELECT key FROM rate_windows WHERE window_start < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}
