//! The audit log table.

use super::build::Sql;
use super::Exec;
use crate::clock::Timestamp;

pub struct NewEvent<'a> {
    pub at: Timestamp,
    pub kind: &'a str,
    pub actor_kind: &'a str,
    pub actor_id: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    pub client_ip: &'a str,
    pub detail: &'a str,
    pub resource: Option<&'a str>,
}

/// Ids are UUIDv7 (time-ordered, and increasing within this process), so
/// the log's order (time, then id) puts events of one second in the order
/// they happened: an action's event is the newest on the page it answers.
pub async fn insert<'c>(db: impl Exec<'c>, e: &NewEvent<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_events
           (id, at, kind, actor_kind, actor_id, subject_id, client_ip, detail, resource)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(e.at)
    .bind(e.kind)
    .bind(e.actor_kind)
    .bind(e.actor_id)
    .bind(e.subject_id)
    .bind(e.client_ip)
    .bind(e.detail)
    .bind(e.resource)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes up to `batch` of the oldest events from before `before`;
/// returns how many.
pub async fn purge<'c>(db: impl Exec<'c>, before: Timestamp, batch: i64) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM audit_events WHERE id IN (
           SELECT id FROM audit_events WHERE at < $1 ORDER BY at LIMIT $2)",
    )
    .bind(before)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}

/// An event as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub at: Timestamp,
    pub kind: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub subject_id: Option<String>,
    pub client_ip: String,
    pub detail: String,
}

/// The newest events about `subject_id`, newest first.
pub async fn for_subject<'c>(
    db: impl Exec<'c>,
    subject_id: &str,
    limit: u32,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(
        "SELECT at, kind, actor_kind, actor_id, subject_id, client_ip, detail FROM audit_events
         WHERE subject_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(subject_id)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// About the user with this (normalised) email.
    pub subject_email: Option<String>,
    /// About the user with this id, or by them.
    pub involving: Option<String>,
    /// Of exactly these kinds (empty: all).
    pub kinds: Vec<&'static str>,
    /// At or after this time.
    pub from: Option<Timestamp>,
    /// Before this time.
    pub to: Option<Timestamp>,
}

/// An event with the emails of its subject and actor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: String,
    pub at: Timestamp,
    pub kind: String,
    pub actor_kind: String,
    pub subject_id: Option<String>,
    pub subject_email: Option<String>,
    pub actor_email: Option<String>,
    pub client_ip: String,
    pub detail: String,
    pub resource: Option<String>,
}

/// A page of events, newest first, older than `before` (time, id).
pub async fn page<'c>(
    db: impl Exec<'c>,
    filter: &Filter,
    before: Option<(Timestamp, &str)>,
    limit: u32,
) -> sqlx::Result<Vec<Listed>> {
    let mut sql = Sql::default();
    if let Some(email) = &filter.subject_email {
        // Through the subject index: the user's id first.
        let e = sql.text(email.clone());
        sql.and(format!(
            "e.subject_id = (SELECT id FROM users WHERE email = {e})"
        ));
    }
    if let Some(id) = &filter.involving {
        let (about, by) = (sql.text(id.clone()), sql.text(id.clone()));
        sql.and(format!("(e.subject_id = {about} OR e.actor_id = {by})"));
    }
    if !filter.kinds.is_empty() {
        let marks: Vec<String> = filter.kinds.iter().map(|k| sql.text(*k)).collect();
        sql.and(format!("e.kind IN ({})", marks.join(", ")));
    }
    if let Some(from) = filter.from {
        let p = sql.int(from);
        sql.and(format!("e.at >= {p}"));
    }
    if let Some(to) = filter.to {
        let p = sql.int(to);
        sql.and(format!("e.at < {p}"));
    }
    if let Some((at, id)) = before {
        let (a, i) = (sql.int(at), sql.text(id));
        sql.and(format!("(e.at, e.id) < ({a}, {i})"));
    }
    let limit_p = sql.int(i64::from(limit));
    let statement = format!(
        "SELECT e.id, e.at, e.kind, e.actor_kind, e.subject_id,
                COALESCE(s.email, ds.label) AS subject_email,
                COALESCE(a.email, da.label) AS actor_email, e.client_ip, e.detail, e.resource
           FROM audit_events e
           LEFT JOIN users s ON s.id = e.subject_id
           LEFT JOIN deleted_users ds ON ds.id = e.subject_id
           LEFT JOIN users a ON a.id = e.actor_id
           LEFT JOIN deleted_users da ON da.id = e.actor_id
           {}
          ORDER BY e.at DESC, e.id DESC LIMIT {limit_p}",
        sql.where_clause()
    );
    sql.fetch_all(db, &statement).await
}
