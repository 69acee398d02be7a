//! Signing in and who a request comes from: the password step of the login,
//! sessions and what each kind of request needs of one, throttling. Rules
//! only — no axum (that is `http/`), no SQL (that is `store/`).

pub mod client;
pub mod device_cookie;
pub mod flow;
pub mod own_sessions;
pub mod password;
pub mod session;
pub mod throttle;
pub mod trusted_browser;
pub mod unlock;

use portcullis_api::{LoginResponse, Me};

use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::error::Internal;
use crate::secret::Secret;
use crate::store::{self, users::User};
use client::Client;
use device_cookie::DeviceToken;
use flow::{Facts, Next};
use password::HashError;
use session::{Method, NewSession, Proof, Session, SessionId};
use throttle::Refused;
use trusted_browser::Recognised;

/// Why signing in or reaching an endpoint failed.
#[derive(Debug)]
pub enum AuthError {
    /// A field is missing or malformed; the text says which and how.
    Invalid(String),
    /// Wrong email or password (one answer for both).
    InvalidCredentials,
    /// Too many attempts: wait this many seconds.
    Throttled(u64),
    /// A hundred failures in a row: an administrator must unlock.
    Suspended,
    /// The server is busy hashing passwords: come back in this many seconds.
    Busy(u64),
    /// No live session.
    Unauthenticated,
    /// Signed in, but this needs an administrator.
    NotAdmin,
    /// Administration needs a session proven with a second factor.
    MfaRequired,
    /// This change needs a second factor passed in the last minutes.
    ReauthenticationRequired,
    Internal(Internal),
}

impl From<Internal> for AuthError {
    fn from(e: Internal) -> Self {
        AuthError::Internal(e)
    }
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Internal(e.into())
    }
}

impl From<Refused> for AuthError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Wait(secs) => AuthError::Throttled(secs),
            Refused::Suspended => AuthError::Suspended,
            Refused::Internal(e) => AuthError::Internal(e),
        }
    }
}

/// Shown when the enrollment period is over.
pub const LOCKED_MESSAGE: &str =
    "Your time to set up multi-factor authentication has run out, so you cannot log in. \
     Contact your administrator to unlock your account.";

/// Emails compare case-insensitively and without surrounding blanks.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email's length and syntax.
pub fn check_email(email: &str) -> Result<(), String> {
    let e = email.trim();
    if e.is_empty() {
        return Err("Enter an email address.".into());
    }
    if e.chars().count() > 254 {
        return Err("The email address is too long (at most 254 characters).".into());
    }
    if portcullis_api::input::plausible_email(e) {
        Ok(())
    } else {
        Err("Enter an email address like name@example.com.".into())
    }
}

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
    if crate::mfa::push_policy::login_factors(&state.db, &authed.user.id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    require_fresh_mfa(state, authed)
}

/// The password step's result: the answer, the new session's cookie
/// value when one was started, whether the browser's trust cookie is
/// dead (expired, revoked, switched off) and should be cleared, and a new
/// device cookie for the browser when it has no valid one of this user.
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
    // Completed logins are limited too: a stolen password and factor
    // cannot mint sessions (or burn Argon2 time) at will. Keyed by the
    // typed email, so unknown and known accounts go through the same
    // steps. Only completed logins fill it, so whoever knows just the
    // password cannot keep the owner out with it.
    let window = throttle::login_window(&email);
    let limit = throttle::login_limit(&state.settings);
    if let Some(wait) = throttle::window_full(&state.db, &window, limit, now).await? {
        return Err(AuthError::Throttled(wait));
    }
    let user = store::users::find_by_email(&state.db, &email).await?;
    let device = match (&user, cookies.device) {
        (Some(u), Some(token)) => device_cookie::recognise(state, token, u, now),
        _ => None,
    };
    let counters = match (&user, &device) {
        (Some(u), Some(device)) => vec![throttle::device_counter(&u.id, device)],
        _ => throttle::password_counters(&email, &client.key).to_vec(),
    };
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
                },
            )
            .await?;
        }
        return Err(refused.into());
    }
    let phc = user.as_ref().map(|u| u.password_hash.clone());
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
    // This browser has passed the password: it gets a device cookie,
    // unless it holds a valid one of this user already.
    let new_device = device
        .is_none()
        .then(|| device_cookie::issue(state, &user, now));

    // Whatever session the browser brought is dropped: a new id at login.
    if let Some(old) = cookies.session {
        session::end(&state.db, old).await?;
    }
    let factors = crate::mfa::push_policy::login_factors(&state.db, &user.id).await?;
    let next = flow::next_step(
        &Facts {
            role: user.role(),
            required: user.mfa_required,
            deadline: user.mfa_deadline,
            factors: &factors,
            key_was_first: false,
        },
        now,
    );
    // Asked only once the password has passed, and only when a second
    // factor would follow: a trusted browser stands in for nothing else.
    let trust = match (&next, cookies.trust) {
        (Next::SecondFactor(_), Some(token)) => {
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
        Next::Locked => {
            audit::record(
                &state.db,
                now,
                Event::by_user(
                    EventKind::LoginLocked,
                    &user.id,
                    client,
                    "enrollment period over",
                ),
            )
            .await?;
            return Ok(LoginOutcome {
                answer: LoginResponse::Locked {
                    message: LOCKED_MESSAGE.to_string(),
                },
                session: None,
                forget_trust: false,
                device: new_device,
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
    let mut tx = state.db.begin().await?;
    let id = session::start(
        &mut tx,
        &state.settings,
        NewSession {
            user_id: &user.id,
            signed_in,
            proof: match trusted {
                Some(_) => Proof::password(now).with(Method::Trusted, now),
                None => Proof::password(now),
            },
            not_after: None,
            client,
        },
        now,
    )
    .await?;
    if let Some(id) = trusted {
        trusted_browser::used(&mut *tx, id, now).await?;
    }
    if signed_in {
        throttle::count_login(&mut *tx, &state.settings, &email, now).await?;
    }
    audit::record(
        &mut *tx,
        now,
        Event::by_user(kind, &user.id, client, detail),
    )
    .await?;
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

/// The signed-in user.
pub fn me(authed: &Authed) -> Me {
    authed.user.me()
}

/// Creates a user (the first administrator of a deployment, an account an
/// operator adds): checks the email and password, hashes it. The email must
/// be free. When the organisation's settings require MFA of new users, the
/// user is created with it required and the settings' enrollment period,
/// in the transaction that inserts them (so no one ever sees the user
/// without the requirement).
pub async fn create_user(
    state: &AppState,
    email: &str,
    display_name: &str,
    password: &str,
    role: portcullis_api::Role,
) -> anyhow::Result<User> {
    check_email(email).map_err(anyhow::Error::msg)?;
    if display_name.trim().is_empty() {
        anyhow::bail!("the name must not be empty");
    }
    password::check_new(password).map_err(anyhow::Error::msg)?;
    let email = normalize_email(email);
    if store::users::find_by_email(&state.db, &email)
        .await?
        .is_some()
    {
        anyhow::bail!("a user with the email {email} already exists");
    }
    let hash = password::hash(password)?;
    let now = state.now();
    let mut user = new_user(&email, display_name, &hash, role, now);
    let mut tx = state.db.begin().await?;
    store::users::insert(&mut *tx, &user).await?;
    let settings = crate::org_settings::get(&mut *tx).await?;
    if let Some(deadline) = settings.new_user_requirement(now) {
        store::users::set_requirement(&mut *tx, &user.id, deadline, now).await?;
        user.mfa_required = true;
        user.mfa_deadline = deadline;
        user.mfa_required_at = Some(now);
    }
    tx.commit().await?;
    Ok(user)
}

/// Inserts a user with an already computed hash (the demo shares one) and
/// no MFA requirement, whatever the organisation's settings say of new
/// users: the demo sets each of its users' MFA state itself.
pub async fn insert_user(
    state: &AppState,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: portcullis_api::Role,
) -> anyhow::Result<User> {
    let user = new_user(email, display_name, password_hash, role, state.now());
    store::users::insert(&state.db, &user).await?;
    Ok(user)
}

fn new_user(
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: portcullis_api::Role,
    now: crate::clock::Timestamp,
) -> User {
    User {
        id: uuid::Uuid::new_v4().to_string(),
        email: normalize_email(email),
        display_name: display_name.trim().to_string(),
        password_hash: password_hash.to_string(),
        role: role.as_str().to_string(),
        created_at: now,
        mfa_required: false,
        mfa_deadline: None,
        mfa_required_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(normalize_email("  Alice@Example.COM "), "alice@example.com");
        assert!(check_email("alice@example.com").is_ok());
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@example",
            "a b@example.com",
            "a@.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_email(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
