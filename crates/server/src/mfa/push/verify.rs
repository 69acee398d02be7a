//! Proving Protect push again in a signed-in session, before a change that
//! needs a second factor from the last minutes: a push like the login's
//! (the same rules: push on, not muted, the limit, the biometric policy),
//! whose approval renews the session's second factor instead of signing a
//! login in. A user whose only factor is push needs no other way. Its slot
//! is the session's own (one push waiting), so pushes of other sessions,
//! a stranger's login among them, do not stand in its way.

use portcullis_api::protect::{PushStarted, PushStatus, PushWait};

use super::policy as push_policy;
use super::rows::{await_answer_in_slot, expire, own_push};
use super::rules;
use super::send as push_send;
use crate::app::AppState;
use crate::auth::client::Client;
use crate::auth::session::Method;
use crate::auth::Authed;
use crate::mfa::error::MfaError;
use crate::store;

const NOT_SIGNED_IN: &str = "Finish signing in first: this push renews a signed-in session.";

/// Sends a push to renew this signed-in session's second factor.
pub async fn start(
    state: &AppState,
    authed: &Authed,
    client: &Client,
) -> Result<PushStarted, MfaError> {
    if !authed.session.signed_in {
        return Err(MfaError::NotAllowedNow(NOT_SIGNED_IN));
    }
    let settings = push_send::settings_if_on(state).await?;
    push_send::send(state, authed, client, &settings, push_send::Purpose::Proof).await
}

/// Waits up to `wait` seconds for the device's answer to this session's
/// push; approved, the session's second factor is renewed (once per
/// approval).
pub async fn wait(
    state: &AppState,
    authed: &Authed,
    id: &str,
    wait: u64,
    client: &Client,
) -> Result<PushWait, MfaError> {
    if !authed.session.signed_in {
        return Err(MfaError::NotAllowedNow(NOT_SIGNED_IN));
    }
    let row = own_push(state, authed, id).await?;
    let row = await_answer_in_slot(state, authed, &row, wait).await?;
    let now = state.now();
    let status = rules::status_now(&row.status, row.expires_at, now);
    let message = push_policy::wait_words(&state.db, &row, status).await?;
    match status {
        PushStatus::Expired => expire(state, &row).await?,
        PushStatus::Approved => {
            if !store::push_requests::use_approval(&state.db, &row.id, now).await? {
                return Err(MfaError::PushAnswered(
                    "This approval has renewed your session already; send another push.",
                ));
            }
            store::protect::used(&state.db, &authed.user.id, now).await?;
            crate::mfa::again::proven_again(state, authed, Method::Push, "Protect push", client)
                .await?;
        }
        _ => {}
    }
    Ok(PushWait {
        status,
        message,
        login: None,
    })
}
