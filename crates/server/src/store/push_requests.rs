//! Push requests: each answered at most once, by single statements that
//! only one instance can win (`… WHERE status = 'pending' AND expires_at > now`).

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

#[derive(Debug, Clone, FromRow)]
pub struct Row {
    pub id: String,
    pub user_id: String,
    pub session_hash: String,
    pub resource: String,
    pub ip: String,
    pub browser: String,
    pub number: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub status: String,
    /// Why a denied push was denied when the device did not simply deny
    /// it: `wrong_number`, `user_verification`, `fraud`.
    pub deny_reason: Option<String>,
    /// When the device reported it as not the user's ("This wasn't me").
    pub reported_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, user_id, session_hash, resource, ip, browser, number, created_at, \
     expires_at, status, deny_reason, reported_at";

pub struct New<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub session_hash: &'a str,
    pub resource: &'a str,
    pub ip: &'a str,
    pub browser: &'a str,
    pub number: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// `login` (a login's second step) or `proof` (a signed-in session
    /// proving its factor again).
    pub purpose: &'a str,
}

pub async fn insert<'c>(db: impl Exec<'c>, r: &New<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO push_requests
           (id, user_id, session_hash, resource, ip, browser, number, created_at, expires_at,
            purpose)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(r.id)
    .bind(r.user_id)
    .bind(r.session_hash)
    .bind(r.resource)
    .bind(r.ip)
    .bind(r.browser)
    .bind(r.number)
    .bind(r.created_at)
    .bind(r.expires_at)
    .bind(r.purpose)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM push_requests WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The user's pushes still waiting for an answer, oldest first.
pub async fn pending_for<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM push_requests
          WHERE user_id = $1 AND status = 'pending' AND expires_at > $2
          ORDER BY created_at, id"
    ))
    .bind(user_id)
    .bind(now)
    .fetch_all(db)
    .await
}

/// How many of the user's logins' pushes for `resource` are waiting for an
/// answer, and when the first of them expires. Fresh-proof pushes of
/// signed-in sessions do not count: each has its own slot.
pub async fn outstanding<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    resource: &str,
    now: Timestamp,
) -> sqlx::Result<(i64, Option<Timestamp>)> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(expires_at) FROM push_requests
          WHERE user_id = $1 AND resource = $2 AND purpose = 'login'
            AND status = 'pending' AND expires_at > $3",
    )
    .bind(user_id)
    .bind(resource)
    .bind(now)
    .fetch_one(db)
    .await
}

/// How many of this session's pushes are waiting for an answer, and when
/// the first of them expires.
pub async fn outstanding_of_session<'c>(
    db: impl Exec<'c>,
    session_hash: &str,
    now: Timestamp,
) -> sqlx::Result<(i64, Option<Timestamp>)> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(expires_at) FROM push_requests
          WHERE session_hash = $1 AND status = 'pending' AND expires_at > $2",
    )
    .bind(session_hash)
    .bind(now)
    .fetch_one(db)
    .await
}

/// Answers a pending, unexpired push (a denial with its reason, if any);
/// false if it was answered, cancelled or expired meanwhile.
pub async fn answer<'c>(
    db: impl Exec<'c>,
    id: &str,
    status: &str,
    user_verified: Option<bool>,
    deny_reason: Option<&str>,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE push_requests SET status = $2, answered_at = $3, user_verified = $4,
                deny_reason = $5
          WHERE id = $1 AND status = 'pending' AND expires_at > $3",
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .bind(user_verified)
    .bind(deny_reason)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Denies a pending, unexpired push as reported by its user ("This
/// wasn't me"); false if it was answered, cancelled or expired meanwhile.
pub async fn report<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE push_requests
            SET status = 'denied', deny_reason = 'fraud', answered_at = $2, reported_at = $2
          WHERE id = $1 AND status = 'pending' AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The user's latest push reported at or after `since`.
pub async fn latest_report<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    since: Timestamp,
) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM push_requests
          WHERE user_id = $1 AND reported_at IS NOT NULL AND reported_at >= $2
          ORDER BY reported_at DESC, id DESC LIMIT 1"
    ))
    .bind(user_id)
    .bind(since)
    .fetch_optional(db)
    .await
}

/// Marks a pending push past its expiry as expired; true for the one
/// caller that did (it records the event).
pub async fn expire<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE push_requests SET status = 'expired'
          WHERE id = $1 AND status = 'pending' AND expires_at <= $2",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Cancels a pending push of this session; false if none was pending.
pub async fn cancel<'c>(
    db: impl Exec<'c>,
    id: &str,
    session_hash: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE push_requests SET status = 'cancelled', answered_at = $3
          WHERE id = $1 AND session_hash = $2 AND status = 'pending'",
    )
    .bind(id)
    .bind(session_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Takes an approval to sign its login in: true once.
pub async fn use_approval<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE push_requests SET used_at = $2
          WHERE id = $1 AND status = 'approved' AND used_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Cancels every pending push of the user (their device went away).
pub async fn cancel_all<'c>(db: impl Exec<'c>, user_id: &str, now: Timestamp) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "UPDATE push_requests SET status = 'cancelled', answered_at = $2
          WHERE user_id = $1 AND status = 'pending'",
    )
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}

/// Cancels every pending push of the user; their ids (to wake their waits).
pub async fn cancel_all_returning<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "UPDATE push_requests SET status = 'cancelled', answered_at = $2
          WHERE user_id = $1 AND status = 'pending'
         RETURNING id",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(db)
    .await
}

/// Drops requests that expired before `before` (periodic clean-up), but
/// keeps those reported as fraud until `reports_before`: the user's
/// Security page shows the latest report for a while.
pub async fn purge<'c>(
    db: impl Exec<'c>,
    before: Timestamp,
    reports_before: Timestamp,
) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM push_requests
          WHERE expires_at < $1 AND (reported_at IS NULL OR reported_at < $2)",
    )
    .bind(before)
    .bind(reports_before)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}
