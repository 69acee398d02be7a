//! Sending a push to the user's Protect device, for a login's second step
//! or to prove the factor again in a signed-in session: the same rules for
//! both (push switched on, not muted after a fraud report, the
//! organisation's limit of pushes waiting).

use portcullis_api::protect::PushStarted;
use portcullis_api::FactorKind;

use super::fraud as push_fraud;
use super::limits as push_limits;
use super::policy::{self as policy, PUSH_OFF};
use super::rows::{device_topic, device_words, wake};
use super::rules;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::Authed;
use crate::mfa::error::MfaError;
use crate::rules::org_settings::{self, OrgSettings};
use crate::rules::resource::Resource;
use crate::store;
use crate::store::users::User;

const NO_DEVICE: &str = "No Protect device is enrolled for this account.";

/// The organisation's settings, if they let a push prove a sign-in.
pub async fn settings_if_on(state: &AppState) -> Result<OrgSettings, MfaError> {
    let settings = org_settings::get(&state.db).await?;
    if settings.allows(FactorKind::Push) {
        Ok(settings)
    } else {
        Err(MfaError::FactorNotAllowed(PUSH_OFF))
    }
}

/// What a push is for, which decides the slot it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A login's second step. From a browser that signed in as this user
    /// before (a valid device cookie: `auth::device_cookie`), the login
    /// has a slot of its own: one push of it waits at a time, whatever
    /// anyone else has sent, so someone holding only the password cannot
    /// keep the owner's browser from its push. From any other browser the
    /// organisation's limit of pushes per user and resource holds, so a
    /// password alone cannot flood the phone.
    Login { known_browser: bool },
    /// A signed-in session proving its factor again: one push of the
    /// session waits at a time, whatever other sessions (or someone who
    /// knows the password) have sent, so they cannot keep the owner from it.
    Proof,
    /// A RADIUS login's: no limit (a VPN's users are many behind one
    /// resource, and the product exempts RADIUS from it); the number to
    /// match and the fraud report still guard it.
    Radius,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Login { .. } => "login",
            Purpose::Proof => "proof",
            Purpose::Radius => "radius",
        }
    }
}

/// Who a push is sent for: the user, the slot its waits and refusals
/// count in (a session's id hash, or a host's), the resource it signs in
/// to and the client in words for the phone ("Firefox on Linux").
pub struct Asker<'a> {
    pub user: &'a User,
    pub slot: &'a str,
    pub resource: &'a Resource,
    pub browser: String,
}

/// Sends a push for this session. A login's push from an unknown browser:
/// with the limit on, at most that many logins' pushes per user and
/// resource wait for an answer; another is refused (and recorded), so
/// nobody can flood the phone until the user taps "approve". From a
/// browser the user signed in with before, and a fresh proof's: one per
/// session at a time.
/// Refusals are recorded only a few times per session and window.
pub async fn send(
    state: &AppState,
    authed: &Authed,
    client: &Client,
    settings: &OrgSettings,
    purpose: Purpose,
) -> Result<PushStarted, MfaError> {
    let asker = Asker {
        user: &authed.user,
        slot: authed.session.id_hash(),
        resource: &authed.session.resource,
        browser: portcullis_api::user_agent::browser_in_words(&client.user_agent),
    };
    send_for(state, &asker, client, settings, purpose).await
}

/// [`send`] for any asker: a session, or a host's login.
pub async fn send_for(
    state: &AppState,
    asker: &Asker<'_>,
    client: &Client,
    settings: &OrgSettings,
    purpose: Purpose,
) -> Result<PushStarted, MfaError> {
    let user = asker.user;
    let now = state.now();
    let session_hash = asker.slot;
    let resource = asker.resource.name();
    let mut tx = state.db.begin().await?;
    // With the user's row held, two starts at once cannot both find room.
    store::users::lock(&mut *tx, &user.id).await?;
    let device = store::protect::device_of(&mut *tx, &user.id)
        .await?
        .ok_or(MfaError::NotAllowedNow(NO_DEVICE))?;
    if let Some(until) = push_fraud::muted_until(&mut *tx, &user.id, now).await? {
        drop(tx);
        if push_limits::record_refusal(state, session_hash, now).await? {
            push_fraud::refused_while_muted(state, &user.id, client, until).await?;
        }
        return Err(MfaError::PushMuted(push_fraud::muted_words(until, now)));
    }
    let (limit, (waiting, first_expiry)) = match (purpose, settings.push_limit) {
        // The organisation switched the limit off.
        (Purpose::Login { .. }, None) => (None, (0, None)),
        (
            Purpose::Login {
                known_browser: true,
            },
            Some(_),
        ) => (
            Some(1),
            store::push_requests::outstanding_of_session(&mut *tx, session_hash, now).await?,
        ),
        (
            Purpose::Login {
                known_browser: false,
            },
            limit,
        ) => (
            limit,
            store::push_requests::outstanding(&mut *tx, &user.id, resource, now).await?,
        ),
        (Purpose::Proof, _) => (
            Some(1),
            store::push_requests::outstanding_of_session(&mut *tx, session_hash, now).await?,
        ),
        (Purpose::Radius, _) => (None, (0, None)),
    };
    if !policy::room_for_another(limit, waiting) {
        drop(tx);
        if push_limits::record_refusal(state, session_hash, now).await? {
            audit::record(
                &state.db,
                now,
                Event::by_user(
                    EventKind::PushMfaAttemptFailed,
                    &user.id,
                    client,
                    "too many concurrent push requests",
                ),
            )
            .await?;
        }
        return Err(MfaError::PushBusy {
            secs: first_expiry.map_or(1, |t| t - now),
            limit: limit.unwrap_or(1),
        });
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let number = rules::new_number();
    let expires_at = now + rules::PUSH_SECS;
    store::push_requests::insert(
        &mut *tx,
        &store::push_requests::New {
            id: &id,
            user_id: &user.id,
            session_hash,
            resource,
            ip: &client.ip,
            browser: &asker.browser,
            number,
            created_at: now,
            expires_at,
            purpose: purpose.as_str(),
        },
    )
    .await?;
    let words = format!("push for {resource} sent to {}", device_words(&device));
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::PushSent, &user.id, client, &words).for_resource(asker.resource),
    )
    .await?;
    tx.commit().await?;
    wake(state, &device_topic(&user.id)).await;
    Ok(PushStarted {
        id,
        number: u8::try_from(number).unwrap_or_default(),
        expires_at,
    })
}
