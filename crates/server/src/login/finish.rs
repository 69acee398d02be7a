//! The end of every login: the signed-in session, its audit event and the
//! login window's count, written in one transaction after checking again
//! that the login in progress and the factor that proved it still exist
//! ([`finish_in`]); and what a login's first step (the password, a passkey,
//! a one-time link) writes, whether it signs in at once or starts a login
//! in progress ([`first_step_in`]). No other code makes a login's session.

use portcullis_api::{LoginResponse, Me};

use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::caller::Authed;
use crate::auth::client::Client;
use crate::auth::device_cookie::{self, DeviceToken};
use crate::auth::session::{self, Method, NewSession, Proof, SessionId};
use crate::auth::throttle;
use crate::auth::trusted_browser::{self, Issued};
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::mfa::error::MfaError;
use crate::rules::resource::Resource;
use crate::store;

/// A finished login: the new session's cookie value, who signed in, the
/// trust token of a browser trusted with it, and the browser's new device
/// cookie (`auth::device_cookie`: it signed in here).
pub struct SignedIn {
    pub session: SessionId,
    pub me: Me,
    pub trusted: Option<Issued>,
    pub device: DeviceToken,
}

/// What confirming a new factor leads to.
pub struct Confirmed {
    /// A new session, and the browser's device cookie, when the
    /// confirmation finished a login.
    pub session: Option<(SessionId, DeviceToken)>,
    pub answer: LoginResponse,
}

/// What proved a login's last step, as [`finish_in`] checks it again.
#[derive(Debug, Clone, Copy)]
pub enum Proven<'a> {
    /// Nothing more (an enrollment postponed).
    Nothing,
    /// A second factor of this kind, which the user must still have.
    Method(Method),
    /// This security key (its row's id), which the user must still have.
    Key(&'a str),
}

/// The answer when a login in progress was ended (or its factor removed)
/// while its last step was being checked.
pub const LOGIN_ENDED: &str = "This sign-in was ended (signed out, or its multi-factor \
     authentication was reset) while it was being checked; start again.";

/// How a login in progress ends.
#[derive(Debug, Clone, Copy)]
pub struct Ending<'a> {
    /// What proved its last step.
    pub proven: Proven<'a>,
    /// The session ends no later than this (the enrollment period that
    /// alone allowed it).
    pub not_after: Option<i64>,
    /// Trust the browser too, when the organisation allows it.
    pub trust: bool,
    /// The audit event's words.
    pub detail: &'a str,
}

impl<'a> Ending<'a> {
    /// A second factor (or key) proved the last step.
    pub fn proven(proven: Proven<'a>, trust: bool, detail: &'a str) -> Self {
        Ending {
            proven,
            not_after: None,
            trust,
            detail,
        }
    }
}

/// Ends a login in progress: a signed-in session with a new id, and the
/// browser trusted when asked and allowed, in one transaction. See
/// [`finish_in`] for what is checked again.
pub async fn finish(
    state: &AppState,
    authed: &Authed,
    end: Ending<'_>,
    client: &Client,
) -> Result<SignedIn, MfaError> {
    let mut tx = state.db.begin().await?;
    let done = finish_in(&mut tx, state, authed, end, client).await?;
    tx.commit().await?;
    Ok(done)
}

/// Finishes a login inside the caller's transaction, checking again what
/// the checks before it found: the login in progress is still there and
/// so is the factor that proved it. A Reset MFA, "end all sessions", a
/// logout or the factor's removal that happened while the factor was being
/// checked wins: the login is refused in words and no session is made.
/// The user's row is held first, so on PostgreSQL such a change and this
/// one follow each other instead of interleaving.
pub async fn finish_in(
    tx: &mut store::Tx,
    state: &AppState,
    authed: &Authed,
    end: Ending<'_>,
    client: &Client,
) -> Result<SignedIn, MfaError> {
    let Ending {
        proven,
        not_after,
        trust,
        detail,
    } = end;
    let now = state.now();
    let user = &authed.user;
    if !store::users::lock(&mut **tx, &user.id).await? {
        return Err(MfaError::LoginEnded);
    }
    let still_there = match proven {
        Proven::Nothing => true,
        Proven::Key(id) => store::webauthn::find(&mut **tx, &user.id, id)
            .await?
            .is_some(),
        Proven::Method(Method::Recovery) => {
            store::recovery_codes::summary(&mut **tx, &user.id)
                .await?
                .total
                > 0
        }
        Proven::Method(m) => match m.kind() {
            Some(k) => store::factors::confirmed_kinds(&mut **tx, &user.id)
                .await?
                .contains(&k),
            None => true,
        },
    };
    let proof = match proven {
        Proven::Nothing => authed.session.proof.clone(),
        Proven::Method(m) => authed.session.proof.with(m, now),
        Proven::Key(_) => authed.session.proof.with(Method::Webauthn, now),
    };
    let id = if still_there {
        session::complete(
            tx,
            &state.settings,
            &authed.session,
            proof,
            not_after,
            client,
            now,
        )
        .await?
    } else {
        None
    };
    let Some(id) = id else {
        return Err(MfaError::LoginEnded);
    };
    throttle::count_login(&mut **tx, &state.settings, &user.email, now).await?;
    audit::record(
        &mut **tx,
        now,
        Event::by_user(EventKind::LoginSucceeded, &user.id, client, detail)
            .for_resource(&authed.session.resource),
    )
    .await?;
    // Trusting the browser is part of the login: both or neither.
    let trusted = if trust {
        trusted_browser::remember_in(tx, state, user, client).await?
    } else {
        None
    };
    Ok(SignedIn {
        session: id,
        me: user.me(),
        trusted,
        device: device_cookie::issue(state, user, now),
    })
}

/// What a login's first step proved, and where it leads.
pub struct FirstStep<'a> {
    pub user_id: &'a str,
    /// The address the login window counts under.
    pub email: &'a str,
    /// Signed in at once (nothing more is needed), or a login in progress.
    pub signed_in: bool,
    pub proof: Proof,
    pub resource: &'a Resource,
    /// The browser held the user's device cookie.
    pub known_browser: bool,
    pub kind: EventKind,
    /// The audit event's words.
    pub detail: &'a str,
}

/// Writes a login's first step in the caller's transaction: its session
/// (signed in, or a login in progress), the login window's count when it
/// signed in (only completed logins fill the window: someone holding only
/// the password must not crowd the owner out) and its audit event.
pub async fn first_step_in(
    tx: &mut store::Tx,
    state: &AppState,
    step: FirstStep<'_>,
    client: &Client,
    now: Timestamp,
) -> Result<SessionId, Internal> {
    let id = session::start(
        tx,
        &state.settings,
        NewSession {
            user_id: step.user_id,
            signed_in: step.signed_in,
            proof: step.proof,
            not_after: None,
            client,
            resource: step.resource.clone(),
            known_browser: step.known_browser,
        },
        now,
    )
    .await?;
    if step.signed_in {
        throttle::count_login(&mut **tx, &state.settings, step.email, now).await?;
    }
    audit::record(
        &mut **tx,
        now,
        Event::by_user(step.kind, step.user_id, client, step.detail).for_resource(step.resource),
    )
    .await?;
    Ok(id)
}
