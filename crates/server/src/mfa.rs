//! Second factors: the MFA status, proving a factor at login, enrolling,
//! resetting, and proving one again before a sensitive change. Rules only.
//!
//! Where a new factor goes: its pure parts in `mfa/<factor>.rs` (like
//! `totp.rs`), its operations in `mfa/<factor>_factor.rs` (like
//! `totp_factor.rs`), its table in `store/<factor>.rs` plus a line in the
//! `confirmed_factors` view, a `Method` in `auth::session`, routes in
//! `http/mfa.rs`.

pub mod passkey_login;
pub mod protect_unified;
pub mod push;
pub mod push_factor;
pub mod push_fraud;
pub mod push_limits;
pub mod push_links;
pub mod push_policy;
pub mod push_send;
pub mod push_verify;
pub mod recovery_codes;
pub mod removal;
pub mod status;
pub mod totp;
pub mod totp_factor;
pub mod webauthn;
pub mod webauthn_factor;

use portcullis_api::{FactorKind, LoginResponse, Me, MfaOverview, TotpState};

use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::flow::{self, Facts, Next, Step};
use crate::auth::session::{self, Method, SessionId};
use crate::auth::throttle::{self, Refused};
use crate::auth::trusted_browser;
use crate::auth::{AuthError, Authed};
use crate::error::Internal;
use crate::store;

/// Why an MFA step failed.
#[derive(Debug)]
pub enum MfaError {
    /// Malformed input; the text says how.
    Invalid(&'static str),
    WrongCode,
    /// A wrong authenticator code that matches a time step a few minutes
    /// away: the text says how far the phone's clock is off and how to fix it.
    WrongCodeClockSkew(String),
    CodeAlreadyUsed,
    /// The recovery code is not one of the user's.
    WrongRecoveryCode,
    /// The recovery code was right, but has been used.
    RecoveryCodeAlreadyUsed,
    /// Too many wrong codes: wait this many seconds.
    Throttled(u64),
    /// A hundred wrong codes in a row: an administrator must unlock.
    Suspended,
    AlreadySetUp,
    /// No enrollment in progress (or it was restarted); the text says which.
    NoPendingEnrollment(&'static str),
    /// The factor is not set up.
    NotSetUp,
    /// This step does not apply now; the text says why.
    NotAllowedNow(&'static str),
    /// The organisation does not let users set up this kind of factor; the
    /// text names it.
    FactorNotAllowed(&'static str),
    /// A security key's answer was refused; the text says why.
    KeyRefused(&'static str),
    /// The ceremony is unknown, used, expired, or another session's.
    CeremonyExpired,
    /// The session holds as many open key ceremonies as it may; the first
    /// ends in this many seconds.
    CeremoniesOpen(i64),
    /// This security key is registered already.
    KeyAlreadyRegistered,
    /// The user has no such security key.
    KeyNotFound,
    /// Removing it would leave a user who must have MFA without a factor;
    /// the text says so and what to do.
    LastFactor(String),
    /// A device's request or enrollment was refused (401); the text says
    /// why (not enrolled any more, a bad signature, a used link…).
    DeviceRefused(&'static str),
    /// No such push request for this device or login.
    PushNotFound,
    /// The push was answered, cancelled or has expired; the text says which.
    PushAnswered(&'static str),
    /// As many pushes for this user and resource as the organisation
    /// allows (`limit`) are waiting: the first frees in `secs` seconds.
    PushBusy {
        secs: i64,
        limit: u32,
    },
    /// The user's pushes are muted after a fraud report; the text says
    /// until when and what to do meanwhile.
    PushMuted(String),
    /// The user has no Protect device.
    DeviceNotFound,
    /// A hundred wrong recovery codes in a row: an administrator must unlock.
    RecoveryCodesSuspended,
    /// The login in progress was ended, or the factor that proved it
    /// removed, while its last step was being checked: start again.
    LoginEnded,
    /// A per-session (or per-process) limit of Protect push was reached:
    /// the message says which; try again in `secs` seconds.
    SessionLimit {
        message: String,
        secs: u64,
    },
    /// The session does not allow this (e.g. no recent second factor).
    Auth(AuthError),
    Internal(Internal),
}

impl From<AuthError> for MfaError {
    fn from(e: AuthError) -> Self {
        MfaError::Auth(e)
    }
}

impl From<Internal> for MfaError {
    fn from(e: Internal) -> Self {
        MfaError::Internal(e)
    }
}

impl From<sqlx::Error> for MfaError {
    fn from(e: sqlx::Error) -> Self {
        MfaError::Internal(e.into())
    }
}

impl From<Refused> for MfaError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Wait(secs) => MfaError::Throttled(secs),
            Refused::Suspended => MfaError::Suspended,
            Refused::Internal(e) => MfaError::Internal(e),
        }
    }
}

/// A finished login: the new session's cookie value and who signed in.
pub struct SignedIn {
    pub session: SessionId,
    pub me: Me,
}

/// What the login flow asks of this user now.
pub(crate) async fn next_for(state: &AppState, authed: &Authed) -> Result<Next, Internal> {
    let factors = push_policy::login_factors(&state.db, &authed.user.id).await?;
    Ok(flow::next_step(
        &Facts {
            role: authed.user.role(),
            required: authed.user.mfa_required,
            deadline: authed.user.mfa_deadline,
            factors: &factors,
            key_was_first: authed.session.proof.key_was_first(),
        },
        state.now(),
    ))
}

/// Refuses a step of a login in progress that the flow does not ask for.
pub(crate) async fn expect_step(
    state: &AppState,
    authed: &Authed,
    step: Step,
    refusal: &'static str,
) -> Result<Next, MfaError> {
    if authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("You are already signed in."));
    }
    let next = next_for(state, authed).await?;
    if flow::allows(&next, step) {
        Ok(next)
    } else {
        Err(MfaError::NotAllowedNow(refusal))
    }
}

/// What proved a login's last step, as [`finish_in`] checks it again.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Proven<'a> {
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

/// Ends a login in progress: a signed-in session with a new id. `method`
/// is the factor that proved this last step (`None`: an enrollment
/// postponed); see [`finish_in`] for what is checked again.
pub async fn finish_login(
    state: &AppState,
    authed: &Authed,
    method: Option<Method>,
    not_after: Option<i64>,
    client: &Client,
    detail: &str,
) -> Result<SignedIn, MfaError> {
    let proven = method.map_or(Proven::Nothing, Proven::Method);
    let mut tx = state.db.begin().await?;
    let session = finish_in(&mut tx, state, authed, proven, not_after, client, detail).await?;
    tx.commit().await?;
    Ok(SignedIn {
        session,
        me: authed.user.me(),
    })
}

/// [`finish_login`] after a security key: it is that key that must still
/// be there.
pub(crate) async fn finish_login_with_key(
    state: &AppState,
    authed: &Authed,
    key_id: &str,
    client: &Client,
    detail: &str,
) -> Result<SignedIn, MfaError> {
    let mut tx = state.db.begin().await?;
    let proven = Proven::Key(key_id);
    let session = finish_in(&mut tx, state, authed, proven, None, client, detail).await?;
    tx.commit().await?;
    Ok(SignedIn {
        session,
        me: authed.user.me(),
    })
}

/// Finishes a login inside the caller's transaction, checking again what
/// the checks before it found: the login in progress is still there and
/// so is the factor that proved it. A Reset MFA, "end all sessions", a
/// logout or the factor's removal that happened while the factor was being
/// checked wins: the login is refused in words and no session is made.
/// The user's row is held first, so on PostgreSQL such a change and this
/// one follow each other instead of interleaving.
pub(crate) async fn finish_in(
    tx: &mut store::Tx,
    state: &AppState,
    authed: &Authed,
    proven: Proven<'_>,
    not_after: Option<i64>,
    client: &Client,
    detail: &str,
) -> Result<SessionId, MfaError> {
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
        Proven::Method(m) => {
            let kind = match m {
                Method::Totp => Some(FactorKind::Totp),
                Method::Webauthn => Some(FactorKind::Webauthn),
                Method::Push => Some(FactorKind::Push),
                Method::Password | Method::Trusted | Method::Recovery => None,
            };
            match kind {
                Some(k) => store::factors::confirmed_kinds(&mut **tx, &user.id)
                    .await?
                    .contains(&k),
                None => true,
            }
        }
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
        Event::by_user(EventKind::LoginSucceeded, &user.id, client, detail),
    )
    .await?;
    Ok(id)
}

/// "Remind me later": sign in without MFA while the enrollment period
/// lasts. The session ends with the period at the latest.
pub async fn postpone(
    state: &AppState,
    authed: &Authed,
    client: &Client,
) -> Result<SignedIn, MfaError> {
    let next = expect_step(
        state,
        authed,
        Step::Postpone,
        "Multi-factor authentication must be set up now; it cannot be postponed.",
    )
    .await?;
    let deadline = match next {
        Next::Enroll { deadline, .. } => deadline,
        _ => None,
    };
    finish_login(
        state,
        authed,
        None,
        deadline,
        client,
        "password; MFA setup postponed",
    )
    .await
}

/// The user's MFA status and factors (also during login).
pub async fn overview(state: &AppState, authed: &Authed) -> Result<MfaOverview, MfaError> {
    let user = &authed.user;
    let factors = store::factors::confirmed_kinds(&state.db, &user.id).await?;
    let requirement = status::Requirement::for_user(
        user.role(),
        user.mfa_required,
        user.mfa_deadline,
        !factors.is_empty(),
    );
    let totp = match store::totp::get(&state.db, &user.id).await? {
        None => TotpState::NotSetUp,
        Some(row) => match row.confirmed_at {
            Some(since) => TotpState::Active {
                since,
                on_device: row.on_device,
            },
            None => TotpState::Pending,
        },
    };
    let protect_merged_notice =
        protect_unified::merge_notice(state, authed, !factors.is_empty()).await?;
    // During a login, what the flow lets this login prove (a passkey that
    // stood for the password is not offered again).
    let offered = match next_for(state, authed).await? {
        Next::SecondFactor(kinds) if !authed.session.signed_in => kinds,
        _ => factors,
    };
    let last_used = store::factors::last_used_kind(&state.db, &user.id)
        .await?
        .filter(|k| offered.contains(k));
    Ok(MfaOverview {
        status: status::status(requirement, state.now()),
        deadline: requirement.deadline,
        totp,
        factors: offered,
        last_used,
        recovery_codes_left: recovery_codes::left(&state.db, &user.id).await?,
        trust_days: trusted_browser::offered_days(&state.db, user).await?,
        protect_merged_notice,
        push_muted_until: push_fraud::muted_until(&state.db, &user.id, state.now()).await?,
    })
}

/// The second step of a login: prove a factor, sign in.
pub async fn prove_at_login(
    state: &AppState,
    authed: &Authed,
    kind: FactorKind,
    code: &str,
    client: &Client,
) -> Result<SignedIn, MfaError> {
    expect_step(
        state,
        authed,
        Step::Prove(kind),
        "No such factor is set up for this account.",
    )
    .await?;
    match kind {
        FactorKind::Totp => {
            totp_factor::verify(state, &authed.user, code, client).await?;
            finish_login(
                state,
                authed,
                Some(Method::Totp),
                None,
                client,
                "password + authenticator app",
            )
            .await
        }
        // A key answers a challenge the server issued first: two requests,
        // `webauthn_factor::login_start` and `login_finish`.
        FactorKind::Webauthn => Err(MfaError::NotAllowedNow(
            "A security key is proven with its own two steps: /api/v1/login/webauthn/start, then /finish.",
        )),
        // A push is sent, then awaited: `push_factor::login_start`, `login_wait`.
        FactorKind::Push => Err(MfaError::NotAllowedNow(
            "Protect push has its own steps: /api/v1/login/push, then /api/v1/login/push/{id}/wait.",
        )),
        FactorKind::RecoveryCode => Err(MfaError::NotAllowedNow(
            "This kind of factor is not available yet.",
        )),
    }
}

/// Proves a second factor again in a signed-in session (before changing
/// someone's MFA, or one's own factors).
pub async fn verify_again(
    state: &AppState,
    authed: &Authed,
    code: &str,
    client: &Client,
) -> Result<(), MfaError> {
    if !authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("Finish signing in first."));
    }
    totp_factor::verify(state, &authed.user, code, client).await?;
    proven_again(state, authed, Method::Totp, "authenticator app", client).await
}

/// Records a second factor proven again in a signed-in session.
pub(crate) async fn proven_again(
    state: &AppState,
    authed: &Authed,
    method: Method,
    words: &str,
    client: &Client,
) -> Result<(), MfaError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    session::prove_again(&mut *tx, &authed.session, method, now).await?;
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::MfaVerified, &authed.user.id, client, words),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What confirming a new factor leads to.
pub struct Confirmed {
    /// A new session when the confirmation finished a login.
    pub session: Option<SessionId>,
    pub answer: LoginResponse,
}
