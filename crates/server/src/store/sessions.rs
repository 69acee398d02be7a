//! Server-side sessions. Only the SHA-256 of the cookie value is stored, so
//! a copy of the database hands out no live sessions.

use super::Exec;
use crate::clock::Timestamp;

#[derive(Clone, sqlx::FromRow)]
pub struct Row {
    pub id_hash: String,
    pub user_id: String,
    #[sqlx(try_from = "super::Flag")]
    pub signed_in: bool,
    pub methods: String,
    pub password_at: Timestamp,
    pub second_factor_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub client_ip: String,
    pub user_agent: String,
    /// What the login was for (`rules::resource`).
    pub resource: String,
    /// Its login came from a browser that held the user's device cookie.
    #[sqlx(try_from = "super::Flag")]
    pub known_browser: bool,
}

const COLUMNS: &str =
    "id_hash, user_id, signed_in, methods, password_at, second_factor_at, created_at, \
     last_seen_at, expires_at, client_ip, user_agent, resource, known_browser";

/// As read: boolean columns through a cast (see [`super::Flag`]).
const SELECTED: &str =
    "id_hash, user_id, CAST(signed_in AS INTEGER) AS signed_in, methods, password_at, \
     second_factor_at, created_at, last_seen_at, expires_at, client_ip, user_agent, resource, \
     CAST(known_browser AS INTEGER) AS known_browser";

pub async fn insert<'c>(db: impl Exec<'c>, r: &Row) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(&r.id_hash)
    .bind(&r.user_id)
    .bind(r.signed_in)
    .bind(&r.methods)
    .bind(r.password_at)
    .bind(r.second_factor_at)
    .bind(r.created_at)
    .bind(r.last_seen_at)
    .bind(r.expires_at)
    .bind(&r.client_ip)
    .bind(&r.user_agent)
    .bind(&r.resource)
    .bind(r.known_browser)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find<'c>(db: impl Exec<'c>, id_hash: &str) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(&format!(
        "SELECT {SELECTED} FROM sessions WHERE id_hash = $1"
    ))
    .bind(id_hash)
    .fetch_optional(db)
    .await
}

pub async fn delete<'c>(db: impl Exec<'c>, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn touch<'c>(db: impl Exec<'c>, id_hash: &str, now: Timestamp) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of the user except `keep` (`None`: all of them).
pub async fn delete_for_user<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    keep: Option<&str>,
) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}

/// Every session row of the user (live or not yet purged), newest first.
pub async fn for_user<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(&format!(
        "SELECT {SELECTED} FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id_hash"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The times that say whether an ended session was still alive.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Ended {
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Ends every session of the user; returns what they were, so the caller
/// can count the live ones (rows past their end may not be purged yet).
pub async fn end_all<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<Ended>> {
    sqlx::query_as("DELETE FROM sessions WHERE user_id = $1 RETURNING last_seen_at, expires_at")
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// Ends the user's sessions that `method` helped prove, but the one with
/// the id hash `keep` (the user's own, removing their factor); returns
/// the times that say which of them were alive.
pub async fn end_proven_with<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    method: &str,
    keep: Option<&str>,
) -> sqlx::Result<Vec<Ended>> {
    // `methods` is a space-separated list: padding it with spaces matches
    // the whole name only (method names hold no LIKE wildcards). No id
    // hash is empty, so "" keeps none.
    sqlx::query_as(
        "DELETE FROM sessions WHERE user_id = $1 AND (' ' || methods || ' ') LIKE $2
           AND id_hash <> $3
         RETURNING last_seen_at, expires_at",
    )
    .bind(user_id)
    .bind(format!("% {method} %"))
    .bind(keep.unwrap_or(""))
    .fetch_all(db)
    .await
}

/// A session a user ended themselves: whether it was signed in, and the
/// times that say whether it was still alive.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct EndedByUser {
    #[sqlx(try_from = "super::Flag")]
    pub signed_in: bool,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Ends the session with the id hash `id_hash` if it is one of the user's
/// (so one user can never end another's); `None` when there was none.
pub async fn end_one_of<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    id_hash: &str,
) -> sqlx::Result<Option<EndedByUser>> {
    sqlx::query_as(
        "DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2
         RETURNING CAST(signed_in AS INTEGER) AS signed_in, last_seen_at, expires_at",
    )
    .bind(user_id)
    .bind(id_hash)
    .fetch_optional(db)
    .await
}

/// Ends every session of the user but the one with the id hash `keep`
/// (logins in progress too); returns what they were.
pub async fn end_all_but<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    keep: &str,
) -> sqlx::Result<Vec<EndedByUser>> {
    sqlx::query_as(
        "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2
         RETURNING CAST(signed_in AS INTEGER) AS signed_in, last_seen_at, expires_at",
    )
    .bind(user_id)
    .bind(keep)
    .fetch_all(db)
    .await
}

/// The kinds of session that are capped apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SignedIn,
    /// Logins in progress, those from browsers that held the user's
    /// device cookie apart from the others.
    InProgress {
        known_browser: bool,
    },
}

/// Ends the user's oldest sessions of one kind beyond the newest `max` of
/// that kind, `kept` (the one just made) always among them: sessions made
/// in the same second tie on `created_at`, and the new one must not lose
/// that tie. Each kind is trimmed on its own, so logins that only passed
/// the password never push out a signed-in session, and those from unknown
/// browsers never push out one from the owner's.
pub async fn trim<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    kind: Kind,
    max: u32,
    kept: &str,
) -> sqlx::Result<u64> {
    // Literals, not bound booleans: SQLite keeps the columns as 0/1.
    let of_kind = match kind {
        Kind::SignedIn => "signed_in = TRUE",
        Kind::InProgress {
            known_browser: true,
        } => "signed_in = FALSE AND known_browser = TRUE",
        Kind::InProgress {
            known_browser: false,
        } => "signed_in = FALSE AND known_browser = FALSE",
    };
    let res = sqlx::query(&format!(
        "DELETE FROM sessions WHERE user_id = $1 AND {of_kind} AND id_hash <> $4
           AND id_hash NOT IN (
           SELECT id_hash FROM sessions WHERE user_id = $2 AND {of_kind}
             AND id_hash <> $4
           ORDER BY created_at DESC, id_hash LIMIT $3)"
    ))
    .bind(user_id)
    .bind(user_id)
    .bind(i64::from(max.saturating_sub(1)))
    .bind(kept)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}

/// Ends a login in progress (the session with the id hash `id_hash`, not
/// yet signed in) for it to be replaced; `false` when it was not there any
/// more (ended meanwhile: logout, "end all sessions", Reset MFA).
pub async fn take_half<'c>(db: impl Exec<'c>, id_hash: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM sessions WHERE id_hash = $1 AND signed_in = FALSE")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Sessions of the user that no second factor proved end at `until` at
/// the latest (or at once, when `until` is `None`).
pub async fn cap_unproven<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    until: Option<Timestamp>,
) -> sqlx::Result<()> {
    match until {
        Some(t) => {
            sqlx::query(
                "UPDATE sessions SET expires_at = CASE WHEN expires_at > $1 THEN $2 ELSE expires_at END
                 WHERE user_id = $3 AND second_factor_at IS NULL",
            )
            .bind(t)
            .bind(t)
            .bind(user_id)
            .execute(db)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND second_factor_at IS NULL")
                .bind(user_id)
                .execute(db)
                .await?;
        }
    }
    Ok(())
}

/// Records a second factor passed again in this session (a step-up).
pub async fn prove_again<'c>(
    db: impl Exec<'c>,
    id_hash: &str,
    methods: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET second_factor_at = $1, methods = $2 WHERE id_hash = $3")
        .bind(now)
        .bind(methods)
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets the methods a session has proven, nothing else.
pub async fn set_methods<'c>(db: impl Exec<'c>, id_hash: &str, methods: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET methods = $1 WHERE id_hash = $2")
        .bind(methods)
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes sessions that can no longer be used: past their absolute end,
/// or unused since `idle_before`.
pub async fn purge<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    idle_before: Timestamp,
    batch: i64,
) -> sqlx::Result<u64> {
    let res = sqlx::query(
        "DELETE FROM sessions WHERE id_hash IN (
           SELECT id_hash FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2 LIMIT $3)",
    )
    .bind(now)
    .bind(idle_before)
    .bind(batch)
    .execute(db)
    .await?;
    Ok(res.rows_affected())
}
