//! `/oauth2/token`, `/oauth2/revoke` and `/oauth2/userinfo`: an app
//! proves who it is (a secret, in the Basic header or the body; a public
//! client only its id, with PKCE), exchanges a code once for tokens, and
//! refreshes them with a token that rotates — a used refresh token
//! presented again ends the whole family, as it means one of the two
//! holders stole it.

use std::collections::HashMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use portcullis_api::SigningAlg;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::authorize::parse_query;
use super::sign_in::code_hash;
use super::{apps, claims, jws, keys, SsoError, ACCESS_SECS, REFRESH_SECS};
use crate::app::AppState;
use crate::secret::new_token;
use crate::store;

/// Longest form body read.
pub const MAX_FORM: usize = 8000;

fn token_hash(state: &AppState, token: &str) -> String {
    state.secrets.keyed_hash("sso-token", token)
}

fn form(body: &str) -> Result<HashMap<String, String>, SsoError> {
    if body.len() > MAX_FORM {
        return Err(SsoError::invalid_request("the request is too large"));
    }
    parse_query(body).map_err(SsoError::invalid_request)
}

/// How the app authenticated, as the request carried it.
pub struct Credentials<'a> {
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
}

/// The app a request comes from, once it proved itself.
async fn client(
    state: &AppState,
    creds: &Credentials<'_>,
    f: &HashMap<String, String>,
) -> Result<store::apps::App, SsoError> {
    let basic = match creds.authorization {
        None => None,
        Some(h) => {
            let Some(b64) = h.strip_prefix("Basic ") else {
                return Err(SsoError::invalid_client(
                    "only Basic authentication is accepted",
                ));
            };
            let text = STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| SsoError::invalid_client("the Basic credentials are malformed"))?;
            let (id, secret) = text
                .split_once(':')
                .ok_or_else(|| SsoError::invalid_client("the Basic credentials are malformed"))?;
            // OAuth 2.0 form-encodes both halves before Basic encoding.
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        }
    };
    let body_secret = f.get("client_secret");
    let (client_id, secret) = match (basic, f.get("client_id"), body_secret) {
        (Some(_), _, Some(_)) => {
            return Err(SsoError::invalid_request(
                "use one way to authenticate the client, not both",
            ))
        }
        (Some((id, s)), body_id, None) => {
            if body_id.is_some_and(|b| *b != id) {
                return Err(SsoError::invalid_client(
                    "client_id differs from the credentials",
                ));
            }
            (id, Some(s))
        }
        (None, Some(id), s) => (id.clone(), s.cloned()),
        (None, None, _) => return Err(SsoError::invalid_client("client_id is missing")),
    };
    let unknown = || SsoError::invalid_client("unknown client or wrong secret");
    let app = store::apps::find_by_client_id(&state.db, &client_id)
        .await?
        .ok_or_else(unknown)?;
    match (&app.secret_hash, secret) {
        (Some(hash), Some(s)) if apps::secret_hash(state, &s) == *hash => Ok(app),
        (None, None) => Ok(app),
        (None, Some(_)) => Err(SsoError::invalid_client("a public client has no secret")),
        _ => Err(unknown()),
    }
}

fn required<'a>(f: &'a HashMap<String, String>, name: &str) -> Result<&'a str, SsoError> {
    f.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| SsoError::invalid_request(format!("{name} is missing")))
}

/// `POST /oauth2/token`.
pub async fn token(
    state: &AppState,
    creds: Credentials<'_>,
    body: &str,
) -> Result<Value, SsoError> {
    let f = form(body)?;
    let app = client(state, &creds, &f).await?;
    match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => exchange(state, &app, &f).await,
        Some("refresh_token") => refresh(state, &app, &f).await,
        None => Err(SsoError::invalid_request("grant_type is missing")),
        Some(_) => Err(SsoError::Protocol {
            error: "unsupported_grant_type",
            description: "only authorization_code and refresh_token are supported".into(),
            status: 400,
        }),
    }
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn exchange(
    state: &AppState,
    app: &store::apps::App,
    f: &HashMap<String, String>,
) -> Result<Value, SsoError> {
    let code = required(f, "code")?;
    let redirect_uri = required(f, "redirect_uri")?;
    let now = state.now();
    let hash = code_hash(state, code);
    let bad = || SsoError::invalid_grant("the code is wrong, expired, used, or for another client");
    let c = store::sso::find_code(&state.db, &hash)
        .await?
        .ok_or_else(bad)?;
    if c.grant.app_id != app.id {
        return Err(bad());
    }
    if c.used_at.is_some() {
        // A code used twice: whoever holds the tokens of its first use may
        // be the thief. They are revoked, as OAuth 2.0 advises.
        if let Some(family) = &c.family_id {
            store::sso::delete_family(&state.db, family).await?;
        }
        return Err(SsoError::invalid_grant(
            "the code was used already; the tokens issued for it are revoked",
        ));
    }
    if c.expires_at <= now {
        return Err(bad());
    }
    if c.redirect_uri != redirect_uri {
        return Err(SsoError::invalid_grant(
            "redirect_uri differs from the authorization request",
        ));
    }
    match (&c.code_challenge, f.get("code_verifier")) {
        (Some(challenge), Some(v)) if s256(v) == *challenge => {}
        (Some(_), Some(_)) => return Err(SsoError::invalid_grant("code_verifier does not match")),
        (Some(_), None) => return Err(SsoError::invalid_grant("code_verifier is missing")),
        (None, Some(_)) => {
            return Err(SsoError::invalid_grant(
                "code_verifier given, but the authorization request had no code_challenge",
            ))
        }
        (None, None) => {}
    }
    let family = store::sso::Family {
        id: uuid::Uuid::now_v7().to_string(),
        grant: c.grant.clone(),
        created_at: now,
        last_used_at: now,
        expires_at: now + REFRESH_SECS,
    };
    let Some(user) = claims::of_user(state, &c.grant.user_id, &c.grant.scope).await? else {
        return Err(SsoError::invalid_grant("the user cannot sign in any more"));
    };
    // Read (or made) before the transaction: on SQLite, a key made on
    // another connection would wait for this transaction's write lock.
    let key = signing_key(state, app).await?;
    let mut tx = state.db.begin().await?;
    if !store::sso::use_code(&mut *tx, &hash, &family.id, now).await? {
        return Err(bad());
    }
    store::sso::insert_family(&mut *tx, &family).await?;
    let answer = tokens(state, &mut tx, app, &key, &family, user).await?;
    tx.commit().await?;
    Ok(answer)
}

async fn refresh(
    state: &AppState,
    app: &store::apps::App,
    f: &HashMap<String, String>,
) -> Result<Value, SsoError> {
    let presented = required(f, "refresh_token")?;
    let now = state.now();
    let hash = token_hash(state, presented);
    let bad = || SsoError::invalid_grant("the refresh token is wrong, expired or revoked");
    let t = store::sso::find_token(&state.db, &hash)
        .await?
        .ok_or_else(bad)?;
    if t.kind != "refresh" || t.family.grant.app_id != app.id {
        return Err(bad());
    }
    if t.used_at.is_some() {
        store::sso::delete_family(&state.db, &t.family.id).await?;
        return Err(SsoError::invalid_grant(
            "this refresh token was used already: every token of this sign-in is revoked",
        ));
    }
    if t.expires_at <= now || t.family.expires_at <= now {
        return Err(bad());
    }
    if let Some(asked) = f.get("scope") {
        if !super::scopes::covers(&t.family.grant.scope, asked) {
            return Err(SsoError::Protocol {
                error: "invalid_scope",
                description: "a refresh cannot widen the scope".into(),
                status: 400,
            });
        }
    }
    // Still someone who may sign in to this app?
    let user = claims::of_user(state, &t.family.grant.user_id, &t.family.grant.scope).await?;
    let assigned = store::apps::is_assigned(&state.db, &app.id, &t.family.grant.user_id).await?;
    let Some(user) = user.filter(|_| assigned) else {
        store::sso::delete_family(&state.db, &t.family.id).await?;
        return Err(SsoError::invalid_grant(
            "the user is suspended, removed, or no longer assigned to this app",
        ));
    };
    let key = signing_key(state, app).await?;
    let mut tx = state.db.begin().await?;
    if !store::sso::use_token(&mut *tx, &hash, now).await? {
        // another refresh with the same token won the race: a reuse
        drop(tx);
        store::sso::delete_family(&state.db, &t.family.id).await?;
        return Err(SsoError::invalid_grant(
            "this refresh token was used already: every token of this sign-in is revoked",
        ));
    }
    store::sso::touch_family(&mut *tx, &t.family.id, now, now + REFRESH_SECS).await?;
    let answer = tokens(state, &mut tx, app, &key, &t.family, user).await?;
    tx.commit().await?;
    Ok(answer)
}

async fn signing_key(
    state: &AppState,
    app: &store::apps::App,
) -> Result<jws::SigningKey, SsoError> {
    let alg = SigningAlg::parse(&app.signing_alg).unwrap_or(SigningAlg::RS256);
    Ok(keys::current(state, alg).await?)
}

/// New access and refresh tokens of the family, and an ID token.
async fn tokens(
    state: &AppState,
    tx: &mut store::Tx,
    app: &store::apps::App,
    key: &jws::SigningKey,
    family: &store::sso::Family,
    user: serde_json::Map<String, Value>,
) -> Result<Value, SsoError> {
    let now = state.now();
    let access = new_token();
    let refresh = new_token();
    store::sso::insert_token(
        &mut **tx,
        &token_hash(state, &access),
        &family.id,
        "access",
        now + ACCESS_SECS,
    )
    .await?;
    store::sso::insert_token(
        &mut **tx,
        &token_hash(state, &refresh),
        &family.id,
        "refresh",
        now + REFRESH_SECS,
    )
    .await?;
    let digest = Sha256::digest(access.as_bytes());
    let at_hash = URL_SAFE_NO_PAD.encode(&digest[..16]);
    let id_claims = claims::id_token(
        state,
        user,
        claims::IdToken {
            client_id: &app.client_id,
            grant: &family.grant,
            now,
            at_hash: &at_hash,
        },
    );
    let id_token = jws::sign(key, &id_claims).map_err(crate::error::Internal::from)?;
    Ok(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_SECS,
        "refresh_token": refresh,
        "id_token": id_token,
        "scope": family.grant.scope,
    }))
}

/// `POST /oauth2/revoke` (RFC 7009): a refresh token ends its family, an
/// access token itself. An unknown token, or another client's, is a
/// success that changes nothing (nothing to learn from the answer).
pub async fn revoke(state: &AppState, creds: Credentials<'_>, body: &str) -> Result<(), SsoError> {
    let f = form(body)?;
    let app = client(state, &creds, &f).await?;
    let presented = required(&f, "token")?;
    let hash = token_hash(state, presented);
    let Some(t) = store::sso::find_token(&state.db, &hash).await? else {
        return Ok(());
    };
    if t.family.grant.app_id != app.id {
        return Ok(());
    }
    if t.kind == "refresh" {
        store::sso::delete_family(&state.db, &t.family.id).await?;
    } else {
        store::sso::delete_token(&state.db, &hash).await?;
    }
    Ok(())
}

/// `GET /oauth2/userinfo`: the claims of the access token's user.
pub async fn userinfo(state: &AppState, authorization: Option<&str>) -> Result<Value, SsoError> {
    let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
        return Err(SsoError::invalid_token(
            "an access token (Authorization: Bearer …) is needed",
        ));
    };
    let bad = || SsoError::invalid_token("the access token is wrong, expired or revoked");
    let t = store::sso::find_token(&state.db, &token_hash(state, token.trim()))
        .await?
        .ok_or_else(bad)?;
    if t.kind != "access" || t.expires_at <= state.now() {
        return Err(bad());
    }
    let user = claims::of_user(state, &t.family.grant.user_id, &t.family.grant.scope)
        .await?
        .ok_or_else(bad)?;
    Ok(Value::Object(user))
}
