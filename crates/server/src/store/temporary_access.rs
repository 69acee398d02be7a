//! Temporary access codes, one per user at most, by their keyed hash.

use super::{Conn, Exec};
use crate::clock::Timestamp;

pub struct NewCode<'a> {
    pub user_id: &'a str,
    pub code_hash: &'a str,
    pub one_time: bool,
    pub expires_at: Timestamp,
    pub created_by: &'a str,
}

/// Stores the user's code, replacing any earlier one.
pub async fn put<'c>(db: impl Exec<'c>, code: &NewCode<'_>, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO temporary_access (user_id, code_hash, one_time, created_at, expires_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, \
           one_time = excluded.one_time, created_at = excluded.created_at, \
           expires_at = excluded.expires_at, created_by = excluded.created_by",
    )
    .bind(code.user_id)
    .bind(code.code_hash)
    .bind(code.one_time)
    .bind(now)
    .bind(code.expires_at)
    .bind(code.created_by)
    .execute(db)
    .await?;
    Ok(())
}

/// Uses the user's code if its hash is `code_hash` and it is valid at
/// `now`: a one-time code is deleted (of two requests with it, on any
/// instance, exactly one gets it), another stays until it expires.
/// Whether it was valid.
pub async fn take(
    db: &mut Conn,
    user_id: &str,
    code_hash: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    // As an integer: the Any driver reads no SQLite boolean.
    let one_time: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(one_time AS INTEGER) FROM temporary_access \
         WHERE user_id = $1 AND code_hash = $2 AND expires_at > $3",
    )
    .bind(user_id)
    .bind(code_hash)
    .bind(now)
    .fetch_optional(&mut *db)
    .await?;
    match one_time {
        None => Ok(false),
        Some(0) => Ok(true),
        Some(_) => {
            let res =
                sqlx::query("DELETE FROM temporary_access WHERE user_id = $1 AND code_hash = $2")
                    .bind(user_id)
                    .bind(code_hash)
                    .execute(&mut *db)
                    .await?;
            Ok(res.rows_affected() == 1)
        }
    }
}

/// When the user's code stops working, if they have one valid at `now`.
pub async fn valid_until<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<Option<Timestamp>> {
    sqlx::query_scalar(
        "SELECT expires_at FROM temporary_access WHERE user_id = $1 AND expires_at > $2",
    )
    .bind(user_id)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Revokes the user's code; whether there was one.
pub async fn revoke<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM temporary_access WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}
