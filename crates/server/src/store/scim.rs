//! Directory sync (SCIM): tokens, and the representation a directory sent
//! for each user and group it provisioned. Every user and group is visible
//! to SCIM; those a directory never wrote have no row here.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

#[derive(Debug, Clone, FromRow)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// 1: the people its directory adds are invited at once.
    pub invite: i64,
}

pub async fn insert_token<'c>(
    db: impl Exec<'c>,
    id: &str,
    name: &str,
    token_hash: &str,
    created_by: Option<&str>,
    invite: bool,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO scim_tokens (id, name, token_hash, created_at, created_by, invite) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .bind(created_by)
    .bind(invite)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn tokens<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<Token>> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, CAST(invite AS INTEGER) AS invite FROM scim_tokens ORDER BY created_at, id",
    )
    .fetch_all(db)
    .await
}

/// Revokes a token; whether it existed.
pub async fn delete_token<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM scim_tokens WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// The token with this hash, its last use recorded (at most once a minute,
/// so a directory's burst does not write on every request).
pub async fn use_token<'c>(
    db: impl Exec<'c> + Copy,
    token_hash: &str,
    now: Timestamp,
) -> sqlx::Result<Option<Token>> {
    sqlx::query(
        "UPDATE scim_tokens SET last_used_at = $2 \
         WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(token_hash)
    .bind(now)
    .bind(now - 60)
    .execute(db)
    .await?;
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, CAST(invite AS INTEGER) AS invite FROM scim_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// A user as SCIM shows them: the account's fields and, when a directory
/// provisioned them, what it sent.
#[derive(Debug, Clone, FromRow)]
pub struct ScimUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub created_at: Timestamp,
    pub suspended_at: Option<Timestamp>,
    pub attributes: Option<String>,
    pub updated_at: Option<Timestamp>,
}

const USER_COLUMNS: &str =
    "u.id, u.email, u.display_name, u.created_at, u.suspended_at, s.attributes, s.updated_at";
const USER_FROM: &str = "users u LEFT JOIN scim_users s ON s.user_id = u.id";

/// Which users a list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserMatch {
    All,
    /// userName, whatever its case (an account's email when no directory
    /// named it).
    UserName(String),
    ExternalId(String),
    Id(String),
    Email(String),
}

fn user_where(m: &UserMatch) -> (&'static str, Option<String>) {
    match m {
        UserMatch::All => ("", None),
        // Two lookups by unique index (a directory's userName; else an
        // account's email), not a scan of every user.
        UserMatch::UserName(n) => (
            "WHERE u.id IN (SELECT user_id FROM scim_users WHERE user_name_key = $1 \
             UNION SELECT x.id FROM users x WHERE x.email = $1 \
             AND NOT EXISTS (SELECT 1 FROM scim_users y WHERE y.user_id = x.id))",
            Some(n.to_lowercase()),
        ),
        UserMatch::ExternalId(e) => ("WHERE s.external_id = $1", Some(e.clone())),
        UserMatch::Id(id) => ("WHERE u.id = $1", Some(id.clone())),
        UserMatch::Email(e) => ("WHERE u.email = $1", Some(e.to_lowercase())),
    }
}

/// One page of users (`offset` from 0), oldest first, and how many match.
pub async fn users<'c>(
    db: impl Exec<'c> + Copy,
    m: &UserMatch,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Vec<ScimUser>, i64)> {
    let (cond, arg) = user_where(m);
    let list = format!(
        "SELECT {USER_COLUMNS} FROM {USER_FROM} {cond} ORDER BY u.created_at, u.id LIMIT {limit} OFFSET {offset}"
    );
    let count = format!("SELECT COUNT(*) FROM {USER_FROM} {cond}");
    let mut q = sqlx::query_as::<_, ScimUser>(&list);
    let mut c = sqlx::query_scalar::<_, i64>(&count);
    if let Some(a) = arg {
        q = q.bind(a.clone());
        c = c.bind(a);
    }
    let rows = q.fetch_all(db).await?;
    let total = c.fetch_one(db).await?;
    Ok((rows, total))
}

pub async fn user<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<ScimUser>> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Stores what a directory sent for a user; `false` when another user has
/// this userName (whatever its case).
pub async fn put_user<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    user_name: &str,
    external_id: Option<&str>,
    attributes: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO scim_users (user_id, user_name, user_name_key, external_id, attributes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (user_id) DO UPDATE SET user_name = excluded.user_name, \
           user_name_key = excluded.user_name_key, external_id = excluded.external_id, \
           attributes = excluded.attributes, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(user_name)
    .bind(user_name.to_lowercase())
    .bind(external_id)
    .bind(attributes)
    .bind(now)
    .execute(db)
    .await;
    match res {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether a user other than `except` goes by this userName (whatever its
/// case): a directory's, or an account's email where no directory named it.
pub async fn user_name_taken<'c>(
    db: impl Exec<'c>,
    user_name: &str,
    except: Option<&str>,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM scim_users WHERE user_name_key = $1 AND user_id <> $2) \
         + (SELECT COUNT(*) FROM users x WHERE x.email = $1 AND x.id <> $2 \
            AND NOT EXISTS (SELECT 1 FROM scim_users y WHERE y.user_id = x.id))",
    )
    .bind(user_name.to_lowercase())
    .bind(except.unwrap_or(""))
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// A group as SCIM shows it.
#[derive(Debug, Clone, FromRow)]
pub struct ScimGroup {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub attributes: Option<String>,
    pub updated_at: Option<Timestamp>,
}

const GROUP_COLUMNS: &str = "g.id, g.name, g.created_at, s.attributes, s.updated_at";
const GROUP_FROM: &str = "user_groups g LEFT JOIN scim_groups s ON s.group_id = g.id";

/// Which groups a list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupMatch {
    All,
    /// displayName, whatever its case.
    DisplayName(String),
    ExternalId(String),
    Id(String),
}

fn group_where(m: &GroupMatch) -> (&'static str, Option<String>) {
    match m {
        GroupMatch::All => ("", None),
        GroupMatch::DisplayName(n) => ("WHERE g.name_key = $1", Some(n.to_lowercase())),
        GroupMatch::ExternalId(e) => ("WHERE s.external_id = $1", Some(e.clone())),
        GroupMatch::Id(id) => ("WHERE g.id = $1", Some(id.clone())),
    }
}

pub async fn groups<'c>(
    db: impl Exec<'c> + Copy,
    m: &GroupMatch,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Vec<ScimGroup>, i64)> {
    let (cond, arg) = group_where(m);
    let list = format!(
        "SELECT {GROUP_COLUMNS} FROM {GROUP_FROM} {cond} ORDER BY g.created_at, g.id LIMIT {limit} OFFSET {offset}"
    );
    let count = format!("SELECT COUNT(*) FROM {GROUP_FROM} {cond}");
    let mut q = sqlx::query_as::<_, ScimGroup>(&list);
    let mut c = sqlx::query_scalar::<_, i64>(&count);
    if let Some(a) = arg {
        q = q.bind(a.clone());
        c = c.bind(a);
    }
    let rows = q.fetch_all(db).await?;
    let total = c.fetch_one(db).await?;
    Ok((rows, total))
}

pub async fn group<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<ScimGroup>> {
    sqlx::query_as(&format!(
        "SELECT {GROUP_COLUMNS} FROM {GROUP_FROM} WHERE g.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn put_group<'c>(
    db: impl Exec<'c>,
    group_id: &str,
    external_id: Option<&str>,
    attributes: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO scim_groups (group_id, external_id, attributes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (group_id) DO UPDATE SET external_id = excluded.external_id, \
           attributes = excluded.attributes, updated_at = excluded.updated_at",
    )
    .bind(group_id)
    .bind(external_id)
    .bind(attributes)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The ids of a group's members, in the order they joined.
pub async fn member_ids<'c>(db: impl Exec<'c>, group_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT user_id FROM user_group_members WHERE group_id = $1 ORDER BY added_at, user_id",
    )
    .bind(group_id)
    .fetch_all(db)
    .await
}

/// Removes every member of a group.
pub async fn clear_members<'c>(db: impl Exec<'c>, group_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM user_group_members WHERE group_id = $1")
        .bind(group_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Which of `ids` are users.
pub async fn existing_users(
    db: &mut super::Conn,
    ids: &[String],
) -> sqlx::Result<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let mut sql = super::build::Sql::default();
        let list: Vec<String> = chunk.iter().map(|e| sql.text(e.clone())).collect();
        let query = format!("SELECT id FROM users WHERE id IN ({})", list.join(", "));
        let rows: Vec<(String,)> = sql.fetch_all(&mut *db, &query).await?;
        found.extend(rows.into_iter().map(|(e,)| e));
    }
    Ok(found)
}
