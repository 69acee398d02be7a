//! Push mutes: after a "This wasn't me" report, no push is sent to the
//! user's device until `muted_until`. One row per user; a later report
//! replaces it.

use super::Exec;
use crate::clock::Timestamp;

/// Mutes the user's pushes until `until` because of the push `push_id`.
pub async fn mute<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    push_id: &str,
    reported_at: Timestamp,
    until: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO push_mutes (user_id, push_id, reported_at, muted_until)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE
            SET push_id = excluded.push_id, reported_at = excluded.reported_at,
                muted_until = excluded.muted_until",
    )
    .bind(user_id)
    .bind(push_id)
    .bind(reported_at)
    .bind(until)
    .execute(db)
    .await?;
    Ok(())
}

/// Until when the user's pushes are muted, if they are at `now`.
pub async fn muted_until<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<Option<Timestamp>> {
    sqlx::query_scalar("SELECT muted_until FROM push_mutes WHERE user_id = $1 AND muted_until > $2")
        .bind(user_id)
        .bind(now)
        .fetch_optional(db)
        .await
}

/// Drops mutes that are over (periodic clean-up).
pub async fn purge<'c>(db: impl Exec<'c>, now: Timestamp) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM push_mutes WHERE muted_until <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}
