//! Protect devices (one per user), their one-time enrollment links (only a
//! keyed hash of the token) and the nonces of their signed requests.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

#[derive(Debug, Clone, FromRow)]
pub struct Device {
    pub id: String,
    pub user_id: String,
    pub public_key: String,
    pub label: String,
    pub device_type: String,
    pub os: String,
    pub app_version: String,
    pub user_verification: String,
    pub clock_offset: i64,
    pub enrolled_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, user_id, public_key, label, device_type, os, app_version, \
     user_verification, clock_offset, enrolled_at, last_seen_at, last_used_at";

pub async fn insert_device<'c>(db: impl Exec<'c>, d: &Device) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO protect_devices ({COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(&d.id)
    .bind(&d.user_id)
    .bind(&d.public_key)
    .bind(&d.label)
    .bind(&d.device_type)
    .bind(&d.os)
    .bind(&d.app_version)
    .bind(&d.user_verification)
    .bind(d.clock_offset)
    .bind(d.enrolled_at)
    .bind(d.last_seen_at)
    .bind(d.last_used_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn device<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<Device>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM protect_devices WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn device_of<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Option<Device>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM protect_devices WHERE user_id = $1"
    ))
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Removes the user's device (its nonces go with it); whether there was one.
pub async fn delete_device_of<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM protect_devices WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() > 0)
}

pub async fn seen<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query("UPDATE protect_devices SET last_seen_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Records a login the device approved (the factor's last use).
pub async fn used<'c>(db: impl Exec<'c>, user_id: &str, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query("UPDATE protect_devices SET last_used_at = $2 WHERE user_id = $1")
        .bind(user_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// A new enrollment link of the user, made by the session with this id hash.
pub async fn insert_enrollment<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
    user_id: &str,
    session_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protect_enrollments (token_hash, user_id, session_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(session_hash)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Uses up the enrollment link with this token hash, if it is unused,
/// unrevoked and unexpired: one statement, so two devices cannot both use
/// it. Returns its user.
pub async fn claim_enrollment<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
    now: Timestamp,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE protect_enrollments SET used_at = $2
          WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
         RETURNING user_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Why a link that could not be claimed is dead: the reason it was
/// revoked, if it was (`None` inside: used or expired; `None`: unknown).
pub async fn revoked_reason<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
) -> sqlx::Result<Option<Option<String>>> {
    sqlx::query_scalar(
        "SELECT revoked_reason FROM protect_enrollments
          WHERE token_hash = $1 AND used_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Revokes every live enrollment link of the user, saying why; how many.
pub async fn revoke_enrollments<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    reason: &str,
    now: Timestamp,
) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "UPDATE protect_enrollments SET revoked_at = $3, revoked_reason = $2
          WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
    )
    .bind(user_id)
    .bind(reason)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}

/// How many links the session made since `since`, and when the first of
/// them was made.
pub async fn links_made_by<'c>(
    db: impl Exec<'c>,
    session_hash: &str,
    since: Timestamp,
) -> sqlx::Result<(i64, Option<Timestamp>)> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM protect_enrollments
          WHERE session_hash = $1 AND created_at > $2",
    )
    .bind(session_hash)
    .bind(since)
    .fetch_one(db)
    .await
}

/// Records a nonce of the device; false if it was seen before (a replay).
pub async fn claim_nonce<'c>(
    db: impl Exec<'c>,
    device_id: &str,
    nonce: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO protect_nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (device_id, nonce) DO NOTHING",
    )
    .bind(device_id)
    .bind(nonce)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Drops enrollment links past their expiry (a dead link is then told
/// "expired or used", its reason forgotten), and nonces seen before
/// `nonces_before` (the time window refuses their requests by then).
pub async fn purge(db: &super::Db, now: Timestamp, nonces_before: Timestamp) -> sqlx::Result<u64> {
    let links = sqlx::query("DELETE FROM protect_enrollments WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    let nonces = sqlx::query("DELETE FROM protect_nonces WHERE seen_at < $1")
        .bind(nonces_before)
        .execute(db)
        .await?;
    // The per-session counters of push go with them: a refusal window
    // (10 minutes) is long over a day later, and a wait's row past its end.
    let counters = super::push_limits::purge(db, now, now - 86_400).await?;
    Ok(links.rows_affected() + nonces.rows_affected() + counters)
}
