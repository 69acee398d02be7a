//! The signed-in user's own sessions: which browsers are signed in to the
//! account, and ending one or all of the others.
//!
//! A session is named by a public handle: a keyed hash of its stored id
//! hash, bound to its user. The stored hash is itself a one-way hash of
//! the cookie, so a handle gives away neither, and no handle of one user
//! ever names another user's session.

use portcullis_api::user_agent::browser_in_words;
use portcullis_api::{EndedSessions, SessionInfo};

use super::client::Client;
use super::session::is_alive;
use super::{require_fresh_mfa_if_any, AuthError, Authed};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::error::Internal;
use crate::mfa::push::links::{revoke_all, Revoked};
use crate::store::{self, sessions::Row};

/// Why a change to one's sessions failed.
#[derive(Debug)]
pub enum SessionsError {
    /// No live session of the user has this handle.
    NotFound,
    /// The handle names the session making the request.
    Current,
    /// The session does not allow this (no recent second factor).
    Auth(AuthError),
    Internal(Internal),
}

impl From<AuthError> for SessionsError {
    fn from(e: AuthError) -> Self {
        SessionsError::Auth(e)
    }
}

impl From<Internal> for SessionsError {
    fn from(e: Internal) -> Self {
        SessionsError::Internal(e)
    }
}

impl From<sqlx::Error> for SessionsError {
    fn from(e: sqlx::Error) -> Self {
        SessionsError::Internal(e.into())
    }
}

/// 128 bits of the keyed hash: plenty to tell a user's few sessions apart
/// and to be unguessable, short enough for a URL.
const HANDLE_HEX_DIGITS: usize = 32;

/// The public handle of the session with this id hash.
fn handle(state: &AppState, user_id: &str, id_hash: &str) -> String {
    let mut h = state
        .secrets
        .keyed_hash(&format!("session handle of {user_id}"), id_hash);
    h.truncate(HANDLE_HEX_DIGITS);
    h
}

/// The user's signed-in sessions that are still alive, newest first.
/// Logins still in progress are left out: they are no session to use yet
/// (ending the others ends them too).
async fn live(state: &AppState, authed: &Authed) -> Result<Vec<Row>, Internal> {
    let now = state.now();
    let rows = store::sessions::for_user(&state.db, &authed.user.id).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.signed_in && is_alive(&state.settings, r.last_seen_at, r.expires_at, now))
        .collect())
}

/// The signed-in user's sessions, newest first; `current` marks this one.
pub async fn list(state: &AppState, authed: &Authed) -> Result<Vec<SessionInfo>, SessionsError> {
    let user_id = &authed.user.id;
    Ok(live(state, authed)
        .await?
        .into_iter()
        .map(|r| SessionInfo {
            id: handle(state, user_id, &r.id_hash),
            browser: browser_in_words(&r.user_agent),
            current: r.id_hash == authed.session.id_hash(),
            ip: r.client_ip,
            started_at: r.created_at,
            last_seen_at: r.last_seen_at,
        })
        .collect())
}

/// Ends one of the user's other sessions, named by its handle. Needs a
/// second factor passed in the last minutes when the user has one:
/// whoever found an open session must not throw the owner out.
pub async fn end_one(
    state: &AppState,
    authed: &Authed,
    id: &str,
    client: &Client,
) -> Result<(), SessionsError> {
    let user_id = &authed.user.id;
    // The lookup comes first, so nobody is asked for a second factor for
    // an action that would fail anyway.
    let row = live(state, authed)
        .await?
        .into_iter()
        .find(|r| handle(state, user_id, &r.id_hash) == id)
        .ok_or(SessionsError::NotFound)?;
    if row.id_hash == authed.session.id_hash() {
        return Err(SessionsError::Current);
    }
    require_fresh_mfa_if_any(state, authed).await?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    // It may have ended since it was read (logged out, timed out).
    if store::sessions::end_one_of(&mut *tx, user_id, &row.id_hash)
        .await?
        .is_none()
    {
        return Err(SessionsError::NotFound);
    }
    // A Protect link the ended session made must not outlive it; links
    // are not tied to the session that made them, so the user's live one
    // goes (this session can show a new one).
    revoke_all(&mut *tx, user_id, Revoked::Sessions, now).await?;
    let words = format!(
        "ended a session of {} from {}",
        browser_in_words(&row.user_agent),
        row.client_ip
    );
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::SessionsEndedByUser, user_id, client, &words),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every other session of the user ("sign out everywhere else"),
/// logins in progress too; answers how many signed-in ones ended. Needs a
/// recent second factor as [`end_one`] does.
pub async fn end_others(
    state: &AppState,
    authed: &Authed,
    client: &Client,
) -> Result<EndedSessions, SessionsError> {
    require_fresh_mfa_if_any(state, authed).await?;
    let user_id = &authed.user.id;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    // The user's row first, as a login's finish holds it: a login whose
    // last step is being checked either ends here or is refused.
    store::users::lock(&mut *tx, user_id).await?;
    let ended = store::sessions::end_all_but(&mut *tx, user_id, authed.session.id_hash()).await?;
    // A Protect link made in one of them dies with them.
    revoke_all(&mut *tx, user_id, Revoked::Sessions, now).await?;
    // Rows past their end wait for the housekeeping, and logins in
    // progress were never in the list: the count is what the user saw.
    let n = ended
        .iter()
        .filter(|s| s.signed_in && is_alive(&state.settings, s.last_seen_at, s.expires_at, now))
        .count();
    let words = match n {
        1 => "ended 1 other session".to_string(),
        n => format!("ended {n} other sessions"),
    };
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::SessionsEndedByUser, user_id, client, &words),
    )
    .await?;
    tx.commit().await?;
    Ok(EndedSessions {
        ended: u32::try_from(n).unwrap_or(u32::MAX),
    })
}
