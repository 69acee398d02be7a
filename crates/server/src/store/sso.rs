//! Sign-ins to apps: authorization requests, codes, token families and
//! their tokens, consents. Every secret is a keyed hash here.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

/// An authorization request waiting for the login (or consent).
#[derive(Debug, Clone, FromRow)]
pub struct Request {
    pub id_hash: String,
    pub app_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert_request<'c>(db: impl Exec<'c>, r: &Request) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sso_requests (id_hash, app_id, redirect_uri, scope, state, nonce, \
         code_challenge, prompt, max_age, login_hint, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&r.id_hash)
    .bind(&r.app_id)
    .bind(&r.redirect_uri)
    .bind(&r.scope)
    .bind(&r.state)
    .bind(&r.nonce)
    .bind(&r.code_challenge)
    .bind(&r.prompt)
    .bind(r.max_age)
    .bind(&r.login_hint)
    .bind(r.created_at)
    .bind(r.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The request, while it lasts.
pub async fn find_request<'c>(
    db: impl Exec<'c>,
    id_hash: &str,
    now: Timestamp,
) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(
        "SELECT id_hash, app_id, redirect_uri, scope, state, nonce, code_challenge, prompt, \
         max_age, login_hint, created_at, expires_at FROM sso_requests \
         WHERE id_hash = $1 AND expires_at > $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Ends a request (answered); whether this call ended it (only one of
/// two racing answers wins).
pub async fn take_request<'c>(db: impl Exec<'c>, id_hash: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM sso_requests WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Forgets that the request asked for a fresh login or consent (asked once,
/// answered once: the next look at it goes on).
pub async fn clear_prompt<'c>(db: impl Exec<'c>, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sso_requests SET prompt = NULL WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// What a login proved, as codes and token families keep it.
#[derive(Debug, Clone, FromRow)]
pub struct Grant {
    pub app_id: String,
    pub user_id: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub auth_time: Timestamp,
    pub amr: String,
    pub acr: String,
}

/// An authorization code.
#[derive(Debug, Clone, FromRow)]
pub struct Code {
    pub code_hash: String,
    #[sqlx(flatten)]
    pub grant: Grant,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub family_id: Option<String>,
}

pub async fn insert_code<'c>(db: impl Exec<'c>, c: &Code) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sso_codes (code_hash, app_id, user_id, redirect_uri, code_challenge, scope, \
         nonce, auth_time, amr, acr, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&c.code_hash)
    .bind(&c.grant.app_id)
    .bind(&c.grant.user_id)
    .bind(&c.redirect_uri)
    .bind(&c.code_challenge)
    .bind(&c.grant.scope)
    .bind(&c.grant.nonce)
    .bind(c.grant.auth_time)
    .bind(&c.grant.amr)
    .bind(&c.grant.acr)
    .bind(c.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find_code<'c>(db: impl Exec<'c>, code_hash: &str) -> sqlx::Result<Option<Code>> {
    sqlx::query_as(
        "SELECT code_hash, app_id, user_id, redirect_uri, code_challenge, scope, nonce, auth_time, \
         amr, acr, expires_at, used_at, family_id FROM sso_codes WHERE code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(db)
    .await
}

/// Marks the code used, for the family it was exchanged for; whether this
/// call was the first to use it (compare-and-set: one exchange wins).
pub async fn use_code<'c>(
    db: impl Exec<'c>,
    code_hash: &str,
    family_id: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE sso_codes SET used_at = $2, family_id = $3 WHERE code_hash = $1 AND used_at IS NULL",
    )
    .bind(code_hash)
    .bind(now)
    .bind(family_id)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// A token family: one sign-in of one user to one app.
#[derive(Debug, Clone, FromRow)]
pub struct Family {
    pub id: String,
    #[sqlx(flatten)]
    pub grant: Grant,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert_family<'c>(db: impl Exec<'c>, f: &Family) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sso_families (id, app_id, user_id, scope, nonce, auth_time, amr, acr, \
         created_at, last_used_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&f.id)
    .bind(&f.grant.app_id)
    .bind(&f.grant.user_id)
    .bind(&f.grant.scope)
    .bind(&f.grant.nonce)
    .bind(f.grant.auth_time)
    .bind(&f.grant.amr)
    .bind(&f.grant.acr)
    .bind(f.created_at)
    .bind(f.last_used_at)
    .bind(f.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Ends a family: its tokens die with it.
pub async fn delete_family<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM sso_families WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Ends every family of the user with the app.
pub async fn delete_families_of<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    app_id: &str,
) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM sso_families WHERE user_id = $1 AND app_id = $2")
        .bind(user_id)
        .bind(app_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}

/// Ends every family of the user (suspended, signed out everywhere).
pub async fn delete_families_of_user<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM sso_families WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}

/// A refresh: the family was used now and lives on until `expires_at`.
pub async fn touch_family<'c>(
    db: impl Exec<'c>,
    id: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sso_families SET last_used_at = $2, expires_at = $3 WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// A token with its family, as a request presents it.
#[derive(Debug, Clone, FromRow)]
pub struct Token {
    pub kind: String,
    #[sqlx(rename = "token_expires_at")]
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    #[sqlx(flatten)]
    pub family: Family,
}

pub async fn insert_token<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
    family_id: &str,
    kind: &str,
    expires_at: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sso_tokens (token_hash, family_id, kind, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(family_id)
    .bind(kind)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find_token<'c>(db: impl Exec<'c>, token_hash: &str) -> sqlx::Result<Option<Token>> {
    sqlx::query_as(
        "SELECT t.kind, t.expires_at AS token_expires_at, t.used_at, f.id, \
         f.app_id, f.user_id, f.scope, f.nonce, f.auth_time, f.amr, f.acr, f.created_at, \
         f.last_used_at, f.expires_at \
         FROM sso_tokens t JOIN sso_families f ON f.id = t.family_id WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Marks a refresh token used; whether this call was first (one of two
/// racing refreshes wins; the other is a reuse).
pub async fn use_token<'c>(
    db: impl Exec<'c>,
    token_hash: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res =
        sqlx::query("UPDATE sso_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
            .bind(token_hash)
            .bind(now)
            .execute(db)
            .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn delete_token<'c>(db: impl Exec<'c>, token_hash: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM sso_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// An app the user signed in to, with its families' latest use.
#[derive(Debug, Clone, FromRow)]
pub struct SignedIn {
    pub app_id: String,
    pub name: String,
    pub last_used_at: Timestamp,
    pub scope: Option<String>,
}

/// The apps with live token families for the user, latest first.
pub async fn signed_in_apps<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<Vec<SignedIn>> {
    sqlx::query_as(
        "SELECT a.id AS app_id, a.name, MAX(f.last_used_at) AS last_used_at, \
         (SELECT c.scope FROM app_consents c WHERE c.user_id = $1 AND c.app_id = a.id) AS scope \
         FROM sso_families f JOIN apps a ON a.id = f.app_id \
         WHERE f.user_id = $1 AND f.expires_at > $2 \
         GROUP BY a.id, a.name ORDER BY MAX(f.last_used_at) DESC",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(db)
    .await
}

/// What the user agreed to share with the app, if anything.
pub async fn consent<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    app_id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT scope FROM app_consents WHERE user_id = $1 AND app_id = $2")
            .bind(user_id)
            .bind(app_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|r| r.0))
}

pub async fn put_consent<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    app_id: &str,
    scope: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO app_consents (user_id, app_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, app_id) DO UPDATE SET scope = $3, granted_at = $4",
    )
    .bind(user_id)
    .bind(app_id)
    .bind(scope)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete_consent<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    app_id: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM app_consents WHERE user_id = $1 AND app_id = $2")
        .bind(user_id)
        .bind(app_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets what has run out: requests, codes, token families and tokens.
pub async fn purge_expired(db: &super::Db, now: Timestamp) -> sqlx::Result<u64> {
    let mut n = 0;
    for sql in [
        "DELETE FROM sso_requests WHERE expires_at <= $1",
        // a used code is kept a while past its minute, so a replay is
        // recognised (and its tokens revoked) rather than just refused
        "DELETE FROM sso_codes WHERE expires_at + 600 <= $1",
        "DELETE FROM sso_tokens WHERE expires_at <= $1",
        "DELETE FROM sso_families WHERE expires_at <= $1",
    ] {
        n += sqlx::query(sql)
            .bind(now)
            .execute(db)
            .await?
            .rows_affected();
    }
    Ok(n)
}

/// A signing key row.
#[derive(Clone, FromRow)]
pub struct SigningKey {
    pub kid: String,
    pub alg: String,
    pub private_key: String,
    pub public_jwk: String,
    pub created_at: Timestamp,
    pub retired_at: Option<Timestamp>,
}

/// The keys still published: current ones, and retired ones newer than
/// `retired_after`.
pub async fn signing_keys<'c>(
    db: impl Exec<'c>,
    retired_after: Timestamp,
) -> sqlx::Result<Vec<SigningKey>> {
    sqlx::query_as(
        "SELECT kid, alg, private_key, public_jwk, created_at, retired_at FROM signing_keys \
         WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC",
    )
    .bind(retired_after)
    .fetch_all(db)
    .await
}

/// Adds a current key unless the algorithm has one (another instance was
/// first); whether it was added.
pub async fn insert_signing_key<'c>(db: impl Exec<'c>, k: &SigningKey) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO signing_keys (kid, alg, private_key, public_jwk, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(&k.kid)
    .bind(&k.alg)
    .bind(&k.private_key)
    .bind(&k.public_jwk)
    .bind(k.created_at)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Retires the current keys (a rotation: new ones follow).
pub async fn retire_signing_keys<'c>(db: impl Exec<'c>, now: Timestamp) -> sqlx::Result<u64> {
    let res = sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(now)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}
