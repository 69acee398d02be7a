//! Single-use ceremony state (WebAuthn challenges, push requests), bound to
//! the session that started it.

use super::Exec;
use crate::clock::Timestamp;

pub struct NewChallenge<'a> {
    pub id: &'a str,
    pub session_hash: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert<'c>(db: impl Exec<'c>, c: &NewChallenge<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO challenges (id, session_hash, kind, payload, created_at, expires_at, used_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(c.id)
    .bind(c.session_hash)
    .bind(c.kind)
    .bind(c.payload)
    .bind(c.created_at)
    .bind(c.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Inserts the challenge unless its session holds `max` open (unused,
/// unexpired) challenges of the two `counted` kinds already; whether it
/// was inserted. One statement: the count and the insert.
pub async fn insert_below<'c>(
    db: impl Exec<'c>,
    c: &NewChallenge<'_>,
    counted: &[&str; 2],
    max: i64,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO challenges (id, session_hash, kind, payload, created_at, expires_at, used_at)
         SELECT $1, $2, $3, $4, $5, $6, NULL
          WHERE (SELECT COUNT(*) FROM challenges
                  WHERE session_hash = $2 AND kind IN ($7, $8)
                    AND used_at IS NULL AND expires_at > $5) < $9",
    )
    .bind(c.id)
    .bind(c.session_hash)
    .bind(c.kind)
    .bind(c.payload)
    .bind(c.created_at)
    .bind(c.expires_at)
    .bind(counted[0])
    .bind(counted[1])
    .bind(max)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// When the first of the session's open challenges of the `counted` kinds
/// expires.
pub async fn first_open_end<'c>(
    db: impl Exec<'c>,
    session_hash: &str,
    counted: &[&str; 2],
    now: Timestamp,
) -> sqlx::Result<Option<Timestamp>> {
    sqlx::query_scalar(
        "SELECT MIN(expires_at) FROM challenges
          WHERE session_hash = $1 AND kind IN ($2, $3) AND used_at IS NULL AND expires_at > $4",
    )
    .bind(session_hash)
    .bind(counted[0])
    .bind(counted[1])
    .bind(now)
    .fetch_one(db)
    .await
}

/// Marks the challenge used and returns its payload — in one statement, so
/// of two parallel takes exactly one gets it. Nothing for a challenge that
/// is unknown, used, expired, of another kind or another session's.
pub async fn take<'c>(
    db: impl Exec<'c>,
    id: &str,
    session_hash: &str,
    kind: &str,
    now: Timestamp,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE challenges SET used_at = $1
         WHERE id = $2 AND session_hash = $3 AND kind = $4 AND used_at IS NULL AND expires_at > $5
         RETURNING payload",
    )
    .bind(now)
    .bind(id)
    .bind(session_hash)
    .bind(kind)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Deletes challenges that ended before `before` (used or expired).
pub async fn purge<'c>(db: impl Exec<'c>, before: Timestamp, batch: i64) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM challenges WHERE id IN (
           SELECT id FROM challenges WHERE expires_at < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}
