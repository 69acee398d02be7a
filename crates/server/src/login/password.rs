//! The password step of a login: one path for unknown and known accounts,
//! the throttles, the device cookie, a trusted browser standing in for the
//! second factor, and the half session the later steps continue.

use portcullis_api::LoginResponse;

use super::finish::{self, FirstStep};
use super::flow::{self, Facts, Next, LOCKED_MESSAGE, SETUP_LINK_MESSAGE, SUSPENDED_MESSAGE};
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::device_cookie::{self, DeviceToken};
use crate::auth::email::{check_email, normalize_email};
use crate::auth::error::AuthError;
use crate::auth::password::{self, HashError};
use crate::auth::session::{self, Method, Proof, SessionId};
use crate::auth::throttle::{self, Refused};
use crate::auth::trusted_browser::{self, Recognised};
use crate::error::Internal;
use crate::rules::app_need::{self, Need};
use crate::rules::resource::Resource;
use crate::secret::Secret;
use crate::store;

/// The password step's result: the answer, the new session's cookie
/// value when one was started, whether the browser's trust cookie is
/// dead (expired, revoked, switched off) and should be cleared, and a new
/// device cookie for the browser when it signed in and has no valid one
/// of this user.
pub struct LoginOutcome {
    pub answer: LoginResponse,
    pub session: Option<SessionId>,
    pub forget_trust: bool,
    pub device: Option<DeviceToken>,
}

/// The cookies a password login comes with.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginCookies<'a> {
    /// The session the browser brought (ended: a new id at login).
    pub session: Option<&'a str>,
    /// The trusted-browser cookie.
    pub trust: Option<&'a str>,
    /// The device cookie.
    pub device: Option<&'a str>,
}

/// What a password login is for: the portal, or the app of a sign-in
/// request (`/sso/{id}`) that sent the browser to the login.
#[derive(Debug, Clone, Copy, Default)]
pub struct For<'a> {
    pub sso_request: Option<&'a str>,
}

/// The password checked for `email` (its user, if any, read by the
/// caller), counted on `counters`: the same path, counters and answer for
/// an unknown account and a wrong password. The portal's login and the
/// RADIUS server's (which makes no session) both go through it.
pub async fn check_password(
    state: &AppState,
    email: &str,
    user: Option<store::users::User>,
    password: Secret<String>,
    counters: Vec<throttle::Counter>,
    client: &Client,
) -> Result<store::users::User, AuthError> {
    let now = state.now();
    // Completed logins are limited too: a stolen password and factor
    // cannot mint sessions (or burn Argon2 time) at will. Keyed by the
    // typed email, so unknown and known accounts go through the same
    // steps. Only completed logins fill it, so whoever knows just the
    // password cannot keep the owner out with it.
    let window = throttle::login_window(email);
    let limit = throttle::login_limit(&state.settings);
    if let Some(wait) = throttle::window_full(&state.db, &window, limit, now).await? {
        return Err(AuthError::Throttled(wait));
    }
    if let Err(refused) = throttle::begin_attempt(&state.db, &counters, now).await {
        if matches!(refused, Refused::Suspended) {
            // Recorded so that administrators see why someone cannot sign in.
            let subject = user.as_ref().map(|u| u.id.as_str());
            audit::record(
                &state.db,
                now,
                Event {
                    kind: EventKind::LoginSuspended,
                    actor: Actor::Anonymous,
                    subject,
                    client: Some(client),
                    detail: "password suspended after 100 failures in a row",
                    resource: None,
                },
            )
            .await?;
        }
        return Err(refused.into());
    }
    // An invited account has no password yet (an empty hash): like an
    // unknown one, it is checked against the dummy and refused the same way.
    let phc = user
        .as_ref()
        .filter(|u| !u.password_hash.is_empty())
        .map(|u| u.password_hash.clone());
    let ok = match state.hasher.verify(password, phc).await {
        Ok(ok) => ok,
        Err(e) => {
            // Not a guess: give the attempt back.
            throttle::succeeded(&state.db, &[], &counters).await?;
            return Err(match e {
                HashError::Busy => AuthError::Busy(2),
                HashError::Failed => Internal::new("password check failed").into(),
            });
        }
    };
    let user = match (user, ok) {
        (Some(u), true) => u,
        (user, _) => {
            // already counted by begin_attempt
            let subject = user.as_ref().map(|u| u.id.as_str());
            audit::record(
                &state.db,
                now,
                Event {
                    kind: EventKind::LoginFailed,
                    actor: Actor::Anonymous,
                    subject,
                    client: Some(client),
                    detail: "wrong email or password",
                    resource: None,
                },
            )
            .await?;
            return Err(AuthError::InvalidCredentials);
        }
    };
    match <[throttle::Counter; 3]>::try_from(counters) {
        Ok([account_client, client_only, account]) => {
            throttle::succeeded(&state.db, &[account_client, account], &[client_only]).await?;
        }
        // The device's own counter: forgotten. The account's stays as it
        // is: a success on the owner's browser says nothing of the
        // guesses made elsewhere.
        Err(device_only) => throttle::succeeded(&state.db, &device_only, &[]).await?,
    }
    Ok(user)
}

/// Password login. Unknown email and wrong password take the same path
/// (the same counters, one Argon2 run, the same answer). When a second
/// factor would follow, a valid trust cookie of this user (a browser
/// they trusted) completes the login instead. A valid device cookie of
/// this user (a browser that passed the password before) counts the
/// attempt on its own counter, not the account's: guesses from elsewhere
/// never lock the owner's browser out.
pub async fn login(
    state: &AppState,
    email: &str,
    password: Secret<String>,
    client: &Client,
    cookies: LoginCookies<'_>,
    target: For<'_>,
) -> Result<LoginOutcome, AuthError> {
    check_email(email).map_err(AuthError::Invalid)?;
    if password.expose().is_empty() {
        return Err(AuthError::Invalid("Enter your password.".into()));
    }
    if password.expose().chars().count() > password::MAX_LEN {
        return Err(AuthError::Invalid("The password is too long.".into()));
    }
    let email = normalize_email(email);
    let now = state.now();
    let user = store::users::find_by_email(&state.db, &email).await?;
    let device = match (&user, cookies.device) {
        (Some(u), Some(token)) => device_cookie::recognise(state, token, u, now),
        _ => None,
    };
    let counters = match (&user, &device) {
        (Some(u), Some(device)) => vec![throttle::device_counter(&u.id, device)],
        _ => throttle::password_counters(&email, &client.key).to_vec(),
    };
    let user = check_password(state, &email, user, password, counters, client).await?;

    // Whatever session the browser brought is dropped: a new id at login.
    if let Some(old) = cookies.session {
        session::end(&state.db, old).await?;
    }
    // What this login is for: an app's sign-in request, or the portal's
    // half the user's role reaches.
    let (resource, need) = match target.sso_request {
        Some(id) => app_need::for_request(state, id).await?,
        None => None,
    }
    .unwrap_or((Resource::portal_for(user.role()), Need::Portal));
    let factors = crate::rules::factors::login_factors(&state.db, &user.id).await?;
    let next = flow::next_step(
        &Facts {
            role: user.role(),
            required: user.mfa_required,
            deadline: user.mfa_deadline,
            factors: &factors,
            key_was_first: false,
            via_link: false,
            temporary_access: false,
            suspended: user.suspended_at.is_some(),
            need,
        },
        now,
    );
    // Asked only once the password has passed, and only when a second
    // factor would follow: a trusted browser stands in for nothing else
    // (and not for the factor an app asks for itself).
    let trust = match (&next, cookies.trust) {
        (Next::SecondFactor(_), Some(token)) if need == Need::Portal => {
            trusted_browser::recognise(state, token, &user, now).await?
        }
        _ => Recognised::Ignored,
    };
    let trusted = match &trust {
        Recognised::Trusted(id) => Some(id.as_str()),
        Recognised::Ignored | Recognised::Forget => None,
    };
    let me = user.me();
    let (signed_in, kind, detail, answer) = match next {
        Next::Locked | Next::SetupLinkNeeded | Next::Suspended => {
            let (detail, message) = match next {
                Next::Locked => ("enrollment period over", LOCKED_MESSAGE),
                Next::Suspended => ("account suspended", SUSPENDED_MESSAGE),
                _ => (
                    "administrator without a factor: a setup link is needed",
                    SETUP_LINK_MESSAGE,
                ),
            };
            audit::record(
                &state.db,
                now,
                Event::by_user(EventKind::LoginLocked, &user.id, client, detail)
                    .for_resource(&resource),
            )
            .await?;
            return Ok(LoginOutcome {
                answer: LoginResponse::Locked {
                    message: message.to_string(),
                },
                session: None,
                forget_trust: false,
                device: None,
            });
        }
        Next::SignedIn => (
            true,
            EventKind::LoginSucceeded,
            "password",
            LoginResponse::Done { user: me },
        ),
        Next::SecondFactor(_) if trusted.is_some() => (
            true,
            EventKind::LoginSucceeded,
            "password + trusted browser",
            LoginResponse::Done { user: me },
        ),
        Next::SecondFactor(factors) => (
            false,
            EventKind::LoginPasswordOk,
            "password; second factor next",
            LoginResponse::Mfa { factors },
        ),
        Next::Enroll {
            mandatory,
            days_left,
            ..
        } => (
            false,
            EventKind::LoginPasswordOk,
            "password; MFA setup next",
            LoginResponse::Enroll {
                mandatory,
                days_left,
            },
        ),
    };
    // A browser that signs in gets a device cookie, unless it holds a
    // valid one of this user already; one that only passed the password
    // gets none (a login it completes later does: `finish::finish_in`).
    let new_device =
        (signed_in && device.is_none()).then(|| device_cookie::issue(state, &user, now));
    let mut tx = state.db.begin().await?;
    let id = finish::first_step_in(
        &mut tx,
        state,
        FirstStep {
            user_id: &user.id,
            email: &email,
            signed_in,
            proof: match trusted {
                Some(_) => Proof::password(now).with(Method::Trusted, now),
                None => Proof::password(now),
            },
            resource: &resource,
            known_browser: device.is_some(),
            kind,
            detail,
        },
        client,
        now,
    )
    .await?;
    if let Some(id) = trusted {
        trusted_browser::used(&mut *tx, id, now).await?;
    }
    tx.commit().await?;
    Ok(LoginOutcome {
        answer,
        session: Some(id),
        forget_trust: trust == Recognised::Forget,
        device: new_device,
    })
}

/// Logout: ends the session (at any stage) on the server.
pub async fn logout(state: &AppState, cookie: Option<&str>) -> Result<(), AuthError> {
    if let Some(c) = cookie {
        session::end(&state.db, c).await?;
    }
    Ok(())
}
