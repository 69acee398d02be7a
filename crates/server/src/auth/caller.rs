//! Who a request comes from: its session and user, what each kind of
//! request needs of them, and the recent second factor some changes ask.

use portcullis_api::Me;

use super::error::AuthError;
use super::session::{self, Session};
use crate::app::AppState;
use crate::store::{self, users::User};

/// A request's session with its user.
#[derive(Debug, Clone)]
pub struct Authed {
    pub session: Session,
    pub user: User,
}

/// What a request needs of its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any live session, also a login in progress (the MFA prompt and
    /// enrollment take these).
    AnySession,
    /// Signed in.
    SignedIn,
    /// Signed in as an administrator, with a second factor.
    Admin,
}

/// The session behind `cookie`, if it grants `access`.
pub async fn authenticate(
    state: &AppState,
    cookie: Option<&str>,
    access: Access,
) -> Result<Authed, AuthError> {
    let cookie = cookie.ok_or(AuthError::Unauthenticated)?;
    let session = session::lookup(&state.db, &state.settings, cookie, state.now())
        .await?
        .ok_or(AuthError::Unauthenticated)?;
    let user = store::users::find_by_id(&state.db, &session.user_id)
        .await?
        .ok_or(AuthError::Unauthenticated)?;
    match access {
        Access::AnySession => {}
        Access::SignedIn if session.signed_in => {}
        Access::Admin if session.signed_in => {
            if !user.role().is_admin() {
                return Err(AuthError::NotAdmin);
            }
            if !session.proof.has_second_factor() {
                return Err(AuthError::MfaRequired);
            }
        }
        Access::SignedIn | Access::Admin => return Err(AuthError::Unauthenticated),
    }
    Ok(Authed { session, user })
}

/// Refuses unless the session passed a second factor recently enough for
/// a change to someone's MFA.
pub fn require_fresh_mfa(state: &AppState, authed: &Authed) -> Result<(), AuthError> {
    if authed
        .session
        .proof
        .second_factor_fresh(state.now(), state.settings.fresh_mfa_secs)
    {
        Ok(())
    } else {
        Err(AuthError::ReauthenticationRequired)
    }
}

/// [`require_fresh_mfa`] for a change to one's own account, except for a
/// user with no second factor at all: they have none to prove, so their
/// signed-in session is all the proof there can be.
pub async fn require_fresh_mfa_if_any(state: &AppState, authed: &Authed) -> Result<(), AuthError> {
    // Push while the organisation has it off is no factor to prove.
    if crate::rules::factors::login_factors(&state.db, &authed.user.id)
        .await?
        .is_empty()
    {
        return may_bind_first_factor(authed);
    }
    require_fresh_mfa(state, authed)
}

/// Whether this session may bind the first factor of its user: never one
/// proven by the password alone when the user is an administrator (a
/// user made administrator while signed in, say). Their first factor
/// comes through a setup link.
pub fn may_bind_first_factor(authed: &Authed) -> Result<(), AuthError> {
    let proof = &authed.session.proof;
    if authed.user.role().is_admin() && !proof.via_link() && !proof.has_second_factor() {
        return Err(AuthError::MfaRequired);
    }
    Ok(())
}

/// The signed-in user.
pub fn me(authed: &Authed) -> Me {
    authed.user.me()
}
