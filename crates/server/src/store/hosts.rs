//! Hosts: the part of an app of kind `host` that only a host has (its
//! key, its enrollment token, what it does with unknown users) and the
//! nonces of its signed requests.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

/// [`super::apps::App::kind`] of a host.
pub const HOST: &str = "host";

/// A host with its app's name, policy and assignment flag.
#[derive(Debug, Clone, FromRow)]
pub struct Host {
    pub id: String,
    pub name: String,
    /// `second_factor` (MFA on) or `no_mfa`.
    pub policy: String,
    #[sqlx(try_from = "super::Flag")]
    pub everyone: bool,
    pub created_at: Timestamp,
    pub unknown_users: String,
    #[sqlx(try_from = "super::Flag")]
    pub offline_totp: bool,
    pub public_key: Option<String>,
    pub token_expires_at: Option<Timestamp>,
    pub enrolled_at: Option<Timestamp>,
    pub last_seen_at: Option<Timestamp>,
}

const COLUMNS: &str = "a.id, a.name, a.policy, CAST(a.everyone AS INTEGER) AS everyone, \
     a.created_at, h.unknown_users, CAST(h.offline_totp AS INTEGER) AS offline_totp, h.public_key, h.token_expires_at, h.enrolled_at, \
     h.last_seen_at";

const FROM: &str = "apps a JOIN hosts h ON h.app_id = a.id";

/// Every host, by name.
pub async fn list<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<Host>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} ORDER BY a.name_key"))
        .fetch_all(db)
        .await
}

pub async fn find<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<Host>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The host part of a new host (its app row is written first).
pub async fn insert<'c>(
    db: impl Exec<'c>,
    id: &str,
    unknown_users: &str,
    token_hash: &str,
    token_expires_at: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO hosts (app_id, unknown_users, token_hash, token_expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(unknown_users)
    .bind(token_hash)
    .bind(token_expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// What the host does with unknown users, and whether it keeps what
/// checks codes offline.
pub async fn set_settings<'c>(
    db: impl Exec<'c>,
    id: &str,
    unknown_users: &str,
    offline_totp: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE hosts SET unknown_users = $2, offline_totp = $3 WHERE app_id = $1")
        .bind(id)
        .bind(unknown_users)
        .bind(offline_totp)
        .execute(db)
        .await?;
    Ok(())
}

/// A new enrollment token in place of any earlier one (which dies).
pub async fn set_token<'c>(
    db: impl Exec<'c>,
    id: &str,
    token_hash: &str,
    expires_at: Timestamp,
) -> sqlx::Result<bool> {
    let res =
        sqlx::query("UPDATE hosts SET token_hash = $2, token_expires_at = $3 WHERE app_id = $1")
            .bind(id)
            .bind(token_hash)
            .bind(expires_at)
            .execute(db)
            .await?;
    Ok(res.rows_affected() == 1)
}

/// Uses an enrollment token: the host's key is `public_key` from now on
/// (an earlier key stops working) and the token is gone. The host's id,
/// if the token was outstanding and unexpired; one statement, so two
/// hosts racing with one token cannot both win.
pub async fn enroll<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
    public_key: &str,
    now: Timestamp,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE hosts SET public_key = $2, enrolled_at = $3, last_seen_at = $3,
           token_hash = NULL, token_expires_at = NULL
         WHERE token_hash = $1 AND token_expires_at > $3
         RETURNING app_id",
    )
    .bind(token_hash)
    .bind(public_key)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Records a nonce of the host; false if it was seen before (a replay).
pub async fn claim_nonce<'c>(
    db: impl Exec<'c>,
    host_id: &str,
    nonce: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO host_nonces (host_id, nonce, seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (host_id, nonce) DO NOTHING",
    )
    .bind(host_id)
    .bind(nonce)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn seen<'c>(db: impl Exec<'c>, host_id: &str, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query("UPDATE hosts SET last_seen_at = $2 WHERE app_id = $1")
        .bind(host_id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets nonces seen before `before`, and tokens past their expiry.
pub async fn purge(db: &super::Db, now: Timestamp, before: Timestamp) -> sqlx::Result<u64> {
    let nonces = sqlx::query("DELETE FROM host_nonces WHERE seen_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    sqlx::query(
        "UPDATE hosts SET token_hash = NULL, token_expires_at = NULL
         WHERE token_expires_at <= $1",
    )
    .bind(now)
    .execute(db)
    .await?;
    Ok(nonces.rows_affected())
}
