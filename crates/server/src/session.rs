//! Server-side sessions (SPEC §6): a random 256-bit id in an HttpOnly,
//! SameSite=Strict cookie; the database keeps only its SHA-256, the stage
//! reached, and the times that bound it (idle and absolute timeouts).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::error::AppError;
use crate::state::{AppState, Settings};

/// How far the login state machine has got in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was right; a second factor or enrolment is pending.
    Password,
    /// Fully signed in.
    Full,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Password => "password",
            Stage::Full => "full",
        }
    }

    fn parse(s: &str) -> Option<Stage> {
        match s {
            "password" => Some(Stage::Password),
            "full" => Some(Stage::Full),
            _ => None,
        }
    }
}

/// A live session, as handlers see it.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    pub stage: Stage,
    pub created_at: Timestamp,
}

pub fn cookie_name(settings: &Settings) -> &'static str {
    // The __Host- prefix makes the browser refuse the cookie unless it is
    // Secure, host-only and Path=/ — it can only be used over TLS.
    if settings.secure_cookies {
        "__Host-portcullis_session"
    } else {
        "portcullis_session"
    }
}

fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

fn new_id() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The session cookie's value from the request, if any.
pub fn cookie_value(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    let name = cookie_name(settings);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` that stores `id` (no Max-Age: the browser drops it on exit,
/// and the server enforces the timeouts either way).
pub fn set_cookie(settings: &Settings, id: &str) -> HeaderValue {
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{}={id}; Path=/; HttpOnly; SameSite=Strict{secure}",
        cookie_name(settings)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear_cookie(settings: &Settings) -> HeaderValue {
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(settings)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Starts a session and returns the cookie value. A fresh id every time
/// (never reuse the one the browser came with: session fixation).
pub async fn create(
    state: &AppState,
    user_id: &str,
    stage: Stage,
    client_ip: &str,
    user_agent: &str,
) -> sqlx::Result<String> {
    let id = new_id();
    let now = state.now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at, client_ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(hash_id(&id))
    .bind(user_id)
    .bind(stage.as_str())
    .bind(now)
    .bind(now)
    .bind(client_ip)
    .bind(truncate(user_agent, 256))
    .execute(&state.db)
    .await?;
    Ok(id)
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Deletes the session with this cookie value (logout, or replaced at login).
pub async fn delete(state: &AppState, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
        .bind(hash_id(id))
        .execute(&state.db)
        .await?;
    Ok(())
}

/// Whether a session with these times is still alive at `now`.
pub fn is_alive(
    settings: &Settings,
    stage: Stage,
    created_at: Timestamp,
    last_seen_at: Timestamp,
    now: Timestamp,
) -> bool {
    let absolute = match stage {
        Stage::Full => settings.session_absolute_secs,
        Stage::Password => settings.partial_session_secs,
    };
    now < created_at + absolute && now < last_seen_at + settings.session_idle_secs
}

/// Finds the live session for a cookie value, extending its idle time.
pub async fn lookup(state: &AppState, id: &str) -> sqlx::Result<Option<Session>> {
    let now = state.now();
    let id_hash = hash_id(id);
    let row: Option<(String, String, Timestamp, Timestamp)> = sqlx::query_as(
        "SELECT user_id, stage, created_at, last_seen_at FROM sessions WHERE id_hash = ?",
    )
    .bind(&id_hash)
    .fetch_optional(&state.db)
    .await?;
    let Some((user_id, stage, created_at, last_seen_at)) = row else {
        return Ok(None);
    };
    let Some(stage) = Stage::parse(&stage) else {
        return Ok(None);
    };
    if !is_alive(&state.settings, stage, created_at, last_seen_at, now) {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(&id_hash)
            .execute(&state.db)
            .await?;
        return Ok(None);
    }
    // Touch at most once a minute: fewer writes, same idle timeout to the minute.
    if now - last_seen_at >= 60 {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?")
            .bind(now)
            .bind(&id_hash)
            .execute(&state.db)
            .await?;
    }
    Ok(Some(Session {
        id_hash,
        user_id,
        stage,
        created_at,
    }))
}

/// Deletes sessions that can no longer be used (a periodic task).
pub async fn purge_expired(state: &AppState) -> sqlx::Result<u64> {
    let now = state.now();
    let s = &state.settings;
    let res = sqlx::query(
        "DELETE FROM sessions WHERE last_seen_at <= ? OR (stage = 'full' AND created_at <= ?)
           OR (stage = 'password' AND created_at <= ?)",
    )
    .bind(now - s.session_idle_secs)
    .bind(now - s.session_absolute_secs)
    .bind(now - s.partial_session_secs)
    .execute(&state.db)
    .await?;
    Ok(res.rows_affected())
}

/// Extractor: a fully signed-in session, or 401.
pub struct FullSession(pub Session);

impl FromRequestParts<AppState> for FullSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let id =
            cookie_value(&parts.headers, &state.settings).ok_or_else(AppError::unauthenticated)?;
        match lookup(state, &id).await? {
            Some(s) if s.stage == Stage::Full => Ok(FullSession(s)),
            _ => Err(AppError::unauthenticated()),
        }
    }
}

/// Extractor: any live session — fully signed in, or past the password only
/// (the MFA prompt and enrolment endpoints take these).
pub struct AnySession(pub Session);

impl FromRequestParts<AppState> for AnySession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let id =
            cookie_value(&parts.headers, &state.settings).ok_or_else(AppError::unauthenticated)?;
        lookup(state, &id)
            .await?
            .map(AnySession)
            .ok_or_else(AppError::unauthenticated)
    }
}

/// Extractor: a fully signed-in administrator, or 401/403.
pub struct AdminSession(pub Session, pub crate::users::User);

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let FullSession(s) = FullSession::from_request_parts(parts, state).await?;
        let user = crate::users::find_by_id(&state.db, &s.user_id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if !user.role().is_admin() {
            return Err(AppError::forbidden("This needs an administrator."));
        }
        Ok(AdminSession(s, user))
    }
}

/// Replaces a session by a new one at a later stage (a new id, so an id seen
/// before MFA is worthless after it). Returns the new cookie value.
pub async fn upgrade(
    state: &AppState,
    old: &Session,
    stage: Stage,
    client_ip: &str,
    user_agent: &str,
) -> sqlx::Result<String> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
        .bind(&old.id_hash)
        .execute(&state.db)
        .await?;
    create(state, &old.user_id, stage, client_ip, user_agent).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_long_random_and_distinct() {
        let a = new_id();
        assert_eq!(a.len(), 43); // 32 bytes, base64url without padding
        assert_ne!(a, new_id());
        assert_ne!(hash_id(&a), a);
    }

    #[test]
    fn timeouts() {
        let s = Settings::default();
        let t0 = 1_000_000;
        assert!(is_alive(
            &s,
            Stage::Full,
            t0,
            t0,
            t0 + s.session_idle_secs - 1
        ));
        assert!(!is_alive(&s, Stage::Full, t0, t0, t0 + s.session_idle_secs));
        let busy_until = t0 + s.session_absolute_secs;
        assert!(!is_alive(&s, Stage::Full, t0, busy_until - 1, busy_until));
        assert!(!is_alive(
            &s,
            Stage::Password,
            t0,
            t0,
            t0 + s.partial_session_secs
        ));
    }

    #[test]
    fn cookie_parsing_and_flags() {
        let s = Settings::default();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; portcullis_session=xyz; b=2"),
        );
        assert_eq!(cookie_value(&h, &s).as_deref(), Some("xyz"));
        let c = set_cookie(&s, "xyz");
        assert_eq!(
            c.to_str().unwrap_or(""),
            "portcullis_session=xyz; Path=/; HttpOnly; SameSite=Strict"
        );
        let secure = Settings {
            secure_cookies: true,
            ..Settings::default()
        };
        assert!(set_cookie(&secure, "xyz")
            .to_str()
            .unwrap_or("")
            .starts_with("__Host-portcullis_session=xyz"));
        assert!(set_cookie(&secure, "xyz")
            .to_str()
            .unwrap_or("")
            .ends_with("; Secure"));
    }
}
