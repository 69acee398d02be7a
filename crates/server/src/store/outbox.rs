//! The email outbox: messages are queued in the transaction of the change
//! they report, and a delivery worker claims and sends them.

use super::Exec;
use crate::clock::Timestamp;

pub struct NewMessage<'a> {
    pub user_id: &'a str,
    pub to_addr: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

pub async fn insert<'c>(db: impl Exec<'c>, now: Timestamp, m: &NewMessage<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outbox (id, created_at, user_id, to_addr, kind, subject, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now)
    .bind(m.user_id)
    .bind(m.to_addr)
    .bind(m.kind)
    .bind(m.subject)
    .bind(m.body)
    .execute(db)
    .await?;
    Ok(())
}

/// Kinds of the messages queued for a user, oldest first. Ids are UUIDv7
/// (time-ordered, and increasing within this process), so they break ties
/// within a second on both databases.
pub async fn kinds_for<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT kind FROM outbox WHERE user_id = $1 ORDER BY created_at, id")
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// When the newest message to the user of one of `kinds` was queued, at
/// or after `since`.
pub async fn last_queued<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    kinds: &[&str],
    since: Timestamp,
) -> sqlx::Result<Option<Timestamp>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (3..kinds.len() + 3).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT MAX(created_at) FROM outbox WHERE user_id = $1 AND created_at >= $2 AND kind IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query_scalar::<_, Option<Timestamp>>(&sql)
        .bind(user_id)
        .bind(since);
    for k in kinds {
        q = q.bind(*k);
    }
    q.fetch_one(db).await
}

#[derive(sqlx::FromRow)]
pub struct Due {
    pub id: String,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    /// The kind's name (`notify::Kind::as_str`).
    pub kind: String,
}

/// Unsent messages whose time has come, oldest first.
pub async fn due<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    max_attempts: i64,
    limit: u32,
) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as(
        "SELECT id, to_addr, subject, body, attempts, kind FROM outbox
         WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < $2
         ORDER BY created_at LIMIT $3",
    )
    .bind(now)
    .bind(max_attempts)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}

/// Claims a message until `until`; of several instances exactly one wins.
pub async fn claim<'c>(
    db: impl Exec<'c>,
    id: &str,
    now: Timestamp,
    until: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND sent_at IS NULL AND next_attempt_at <= $3",
    )
    .bind(until)
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn mark_sent<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the messages to the user not sent yet (the user is deleted).
pub async fn delete_unsent_for<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM outbox WHERE user_id = $1 AND sent_at IS NULL")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}

/// Blanks a sent message's body (it held a one-time link).
pub async fn forget_body<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET body = '' WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn record_failure<'c>(
    db: impl Exec<'c>,
    id: &str,
    attempts: i64,
    error: &str,
    next_attempt_at: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4",
    )
    .bind(attempts)
    .bind(error)
    .bind(next_attempt_at)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes up to `batch` emails sent before `before`, or given up (after
/// `max_attempts` tries) and queued before it; returns how many. Emails
/// still waiting stay, however old (without SMTP they are read here).
pub async fn purge<'c>(
    db: impl Exec<'c>,
    before: Timestamp,
    max_attempts: i64,
    batch: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE sent_at < $1
           UNION ALL
           SELECT id FROM outbox WHERE sent_at IS NULL AND attempts >= $2 AND created_at < $3
           LIMIT $4)",
    )
    .bind(before)
    .bind(max_attempts)
    .bind(before)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}
