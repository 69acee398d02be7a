//! Recovery codes: one row per code, holding only its keyed hash (the
//! domain computes it; no code in clear ever reaches SQL). A new set
//! replaces the old one; a code is used by one compare-and-set, so two
//! requests with the same code cannot both pass, on any instance.

use super::{Conn, Exec};
use crate::clock::Timestamp;

/// What a user's set looks like, without the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub left: i64,
    pub total: i64,
    pub generated_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

pub async fn summary<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Summary> {
    let (left, total, generated_at, last_used_at): (i64, i64, Option<i64>, Option<i64>) =
        sqlx::query_as(
            "SELECT COUNT(CASE WHEN used_at IS NULL THEN 1 END), COUNT(*), MAX(created_at), MAX(used_at)
             FROM recovery_codes WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_one(db)
        .await?;
    Ok(Summary {
        left,
        total,
        generated_at,
        last_used_at,
    })
}

/// How many unused codes the user has.
pub async fn left<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// Replaces every code of the user, used or not, by `hashes`. Run it in a
/// transaction that holds the user's row (`users::lock`), so two at once
/// leave one set, not both.
pub async fn replace(
    conn: &mut Conn,
    user_id: &str,
    hashes: &[String],
    now: Timestamp,
) -> sqlx::Result<()> {
    delete_all(&mut *conn, user_id).await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (user_id, hash, created_at, used_at) VALUES ($1, $2, $3, NULL)",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Marks the unused code with this hash as used; `false` if there is none
/// (wrong, used already, or used a moment ago by a parallel request).
pub async fn use_code<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    hash: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1
         WHERE user_id = $2 AND hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(hash)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Whether the user has a used code with this hash.
pub async fn was_used<'c>(db: impl Exec<'c>, user_id: &str, hash: &str) -> sqlx::Result<bool> {
    // COUNT: a BIGINT on both databases (a bare `SELECT 1` is not).
    let found: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND hash = $2 AND used_at IS NOT NULL",
    )
    .bind(user_id)
    .bind(hash)
    .fetch_one(db)
    .await?;
    Ok(found > 0)
}

/// Removes all of the user's codes (Reset MFA); how many there were.
pub async fn delete_all<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}
