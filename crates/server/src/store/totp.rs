//! The authenticator-app factor: one row per user, pending until its first
//! code confirms it. The key is stored encrypted (see `crate::secret`).

use super::{Conn, Exec};
use crate::clock::Timestamp;

/// A factor row; `sealed_key` is the encrypted key, opened by the domain.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub sealed_key: String,
    pub confirmed_at: Option<Timestamp>,
    pub last_step: i64,
    /// The key was given to the Protect device (unified enrollment).
    #[sqlx(try_from = "super::Flag")]
    pub on_device: bool,
}

pub async fn get<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(
        "SELECT secret AS sealed_key, confirmed_at, last_step, CAST(on_device AS INTEGER) AS on_device
           FROM totp_factors WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// Starts (or restarts) an enrollment with a new key. Refuses to touch a
/// confirmed factor: returns `false` then.
pub async fn begin<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    sealed_key: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO totp_factors (user_id, secret, created_at, confirmed_at, last_step) VALUES ($1, $2, $3, NULL, -1)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = -1,
           last_used_at = NULL
         WHERE totp_factors.confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(sealed_key)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Starts (or restarts) setting up a new key in place of the user's
/// confirmed app, which keeps working until [`swap_in_replacement`].
pub async fn put_replacement<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    sealed_key: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO totp_replacements (user_id, secret, created_at, last_step) VALUES ($1, $2, $3, -1)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,
           created_at = excluded.created_at, last_step = -1",
    )
    .bind(user_id)
    .bind(sealed_key)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The key being set up in place of the user's app, and its last step.
pub async fn replacement<'c>(
    db: impl Exec<'c>,
    user_id: &str,
) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT secret, last_step FROM totp_replacements WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Records `step` as used for the replacement with this key (as
/// [`claim_step`] does for an app).
pub async fn claim_replacement_step<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    sealed_key: &str,
    step: i64,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE totp_replacements SET last_step = $1 WHERE user_id = $2 AND secret = $3 AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .bind(sealed_key)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Puts the confirmed replacement with this key in place of the user's
/// app (or as their app), and forgets the old key's burned steps; `false`
/// when the setup was restarted meanwhile. Run it in the transaction of
/// the change: it also updates the registry. The new key lives in whatever
/// app scanned it, never on a Protect device: a device removed later must
/// not take it along.
pub async fn swap_in_replacement(
    db: &mut Conn,
    user_id: &str,
    sealed_key: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let taken: Option<i64> = sqlx::query_scalar(
        "DELETE FROM totp_replacements WHERE user_id = $1 AND secret = $2 RETURNING last_step",
    )
    .bind(user_id)
    .bind(sealed_key)
    .fetch_optional(&mut *db)
    .await?;
    let Some(last_step) = taken else {
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO totp_factors (user_id, secret, created_at, confirmed_at, last_step) VALUES ($1, $2, $3, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at,
           confirmed_at = excluded.confirmed_at, last_step = excluded.last_step, last_used_at = NULL,
           on_device = FALSE",
    )
    .bind(user_id)
    .bind(sealed_key)
    .bind(now)
    .bind(last_step)
    .execute(&mut *db)
    .await?;
    forget_burned(&mut *db, user_id).await?;
    super::factors::refresh(&mut *db, user_id).await?;
    Ok(true)
}

/// Activates the pending factor — only if its key is still the one the
/// code was checked against (a parallel restart may have replaced it).
/// Run it in the transaction of the change: it also updates the registry.
pub async fn confirm(
    db: &mut Conn,
    user_id: &str,
    sealed_key: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE totp_factors SET confirmed_at = $1 WHERE user_id = $2 AND secret = $3 AND confirmed_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(sealed_key)
    .execute(&mut *db)
    .await?;
    let confirmed = res.rows_affected() == 1;
    if confirmed {
        super::factors::refresh(&mut *db, user_id).await?;
    }
    Ok(confirmed)
}

/// Stores a key given to the user's Protect device as their confirmed
/// factor (it needs no first code: the device holds it, and the device was
/// just proven by its enrollment link). Replaces a pending setup or an
/// earlier device's key, never another app that is confirmed: returns
/// `false` then. Run it in the transaction of the enrollment: it also
/// updates the registry.
pub async fn put_on_device(
    db: &mut Conn,
    user_id: &str,
    sealed_key: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO totp_factors (user_id, secret, created_at, confirmed_at, last_step, on_device)
         VALUES ($1, $2, $3, $3, -1, TRUE)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at,
           confirmed_at = excluded.confirmed_at, last_step = -1, last_used_at = NULL, on_device = TRUE
         WHERE totp_factors.confirmed_at IS NULL OR totp_factors.on_device = TRUE",
    )
    .bind(user_id)
    .bind(sealed_key)
    .bind(now)
    .execute(&mut *db)
    .await?;
    let stored = res.rows_affected() == 1;
    if stored {
        forget_burned(&mut *db, user_id).await?;
        super::factors::refresh(&mut *db, user_id).await?;
    }
    Ok(stored)
}

/// Removes the user's factor if its key is the Protect device's (and
/// updates the registry); whether there was one.
pub async fn delete_on_device(db: &mut Conn, user_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1 AND on_device = TRUE")
        .bind(user_id)
        .execute(&mut *db)
        .await?;
    if res.rows_affected() > 0 {
        forget_burned(&mut *db, user_id).await?;
    }
    super::factors::refresh(&mut *db, user_id).await?;
    Ok(res.rows_affected() > 0)
}

/// Removes the user's factor, pending or active (and updates the registry).
pub async fn delete(db: &mut Conn, user_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *db)
        .await?;
    forget_burned(&mut *db, user_id).await?;
    super::factors::refresh(&mut *db, user_id).await?;
    Ok(res.rows_affected() > 0)
}

/// Records `step` as used for the factor with this key, unless a concurrent
/// request got there first (or a later step was used) or the step was
/// burned ([`burn_step`]): the compare-and-set makes a code good for
/// exactly one request, across server instances. `now` is kept as the
/// factor's last use (the admin pages show it).
pub async fn claim_step<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    sealed_key: &str,
    step: i64,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE totp_factors SET last_step = $1, last_used_at = $2
         WHERE user_id = $3 AND secret = $4 AND last_step < $5
           AND NOT EXISTS (SELECT 1 FROM totp_burned_steps b WHERE b.user_id = $3 AND b.step = $5)",
    )
    .bind(step)
    .bind(now)
    .bind(user_id)
    .bind(sealed_key)
    .bind(step)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Marks one step of the user's app as never to be accepted (a step
/// ahead whose code was refused), and forgets the steps before `past`,
/// which no check reaches any more.
pub async fn burn_step(db: &mut Conn, user_id: &str, step: i64, past: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM totp_burned_steps WHERE user_id = $1 AND step < $2")
        .bind(user_id)
        .bind(past)
        .execute(&mut *db)
        .await?;
    sqlx::query(
        "INSERT INTO totp_burned_steps (user_id, step) VALUES ($1, $2)
         ON CONFLICT (user_id, step) DO NOTHING",
    )
    .bind(user_id)
    .bind(step)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Forgets the user's burned steps: they were steps of a key that is gone.
pub async fn forget_burned<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM totp_burned_steps WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Every stored key, for re-sealing at start (keys stored before encryption
/// at rest, or under an older format).
pub async fn all_keys<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT user_id, secret FROM totp_factors")
        .fetch_all(db)
        .await
}

/// Replaces a stored key by its re-sealed form, if it is still `old`.
pub async fn reseal<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    old: &str,
    new: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE totp_factors SET secret = $1 WHERE user_id = $2 AND secret = $3")
        .bind(new)
        .bind(user_id)
        .bind(old)
        .execute(db)
        .await?;
    Ok(())
}
