//! The steps after the password: each asks the flow whether it applies,
//! lets a factor module prove the factor, and ends the login with
//! [`finish`]. Enrollment that was a login's last step ends it here too.

use portcullis_api::protect::{PushStarted, PushStatus, PushWait};
use portcullis_api::webauthn::AuthenticationOptions;
use portcullis_api::{FactorKind, LoginResponse};

use super::finish::{finish, finish_in, Confirmed, Ending, Proven, SignedIn};
use super::flow::{Next, Step};
use super::step::{expect_step, next_for};
use crate::app::AppState;
use crate::auth::caller::Authed;
use crate::auth::client::Client;
use crate::auth::session::{self, Method};
use crate::mfa::error::MfaError;
use crate::mfa::push::policy as push_policy;
use crate::mfa::push::rows as push_rows;
use crate::mfa::push::rules as push_rules;
use crate::mfa::push::send as push_send;
use crate::mfa::{recovery_codes, totp_factor};
use crate::mfa::{webauthn_factor, webauthn_factor::NO_KEY};
use crate::store;

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
    let detail = "password; MFA setup postponed";
    let end = Ending {
        proven: Proven::Nothing,
        not_after: deadline,
        trust: false,
        detail,
    };
    finish(state, authed, end, client).await
}

/// The second step with a code the user types: today the authenticator
/// app's (security keys and push have their own two steps below).
pub async fn prove_code(
    state: &AppState,
    authed: &Authed,
    kind: FactorKind,
    code: &str,
    trust: bool,
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
            let proven = Proven::Method(Method::Totp);
            let detail = "password + authenticator app";
            finish(state, authed, Ending::proven(proven, trust, detail), client).await
        }
        FactorKind::Webauthn => Err(MfaError::NotAllowedNow(
            "A security key is proven with its own two steps: /api/v1/login/webauthn/start, then /finish.",
        )),
        FactorKind::Push => Err(MfaError::NotAllowedNow(
            "Protect push has its own steps: /api/v1/login/push, then /api/v1/login/push/{id}/wait.",
        )),
        FactorKind::RecoveryCode => Err(MfaError::NotAllowedNow(
            "This kind of factor is not available yet.",
        )),
    }
}

/// Starts the second step with a key: the assertion options.
pub async fn key_start(
    state: &AppState,
    authed: &Authed,
) -> Result<AuthenticationOptions, MfaError> {
    expect_step(state, authed, Step::Prove(FactorKind::Webauthn), NO_KEY).await?;
    webauthn_factor::assertion_start(state, authed).await
}

/// Finishes the second step with the key's answer: the key proven (its
/// counter and last use recorded), the login finished with that key, which
/// must still be there.
pub async fn key_finish(
    state: &AppState,
    authed: &Authed,
    ceremony: &str,
    answer: serde_json::Value,
    trust: bool,
    client: &Client,
) -> Result<SignedIn, MfaError> {
    expect_step(state, authed, Step::Prove(FactorKind::Webauthn), NO_KEY).await?;
    let used = webauthn_factor::assertion_finish(state, authed, ceremony, answer, client).await?;
    let detail = format!("password + {}", used.words);
    let proven = Proven::Key(&used.key_id);
    finish(
        state,
        authed,
        Ending::proven(proven, trust, &detail),
        client,
    )
    .await
}

/// Sends a push for the second step, by the organisation's rules: a login
/// from a browser the user signed in with before has a slot of its own
/// (`push::send::Purpose::Login`).
pub async fn push_start(
    state: &AppState,
    authed: &Authed,
    client: &Client,
) -> Result<PushStarted, MfaError> {
    // Before the flow, which leaves push out while it is off: the
    // refusal then says why rather than "no device".
    let settings = push_send::settings_if_on(state).await?;
    let no_device = push_rows::NO_DEVICE;
    expect_step(state, authed, Step::Prove(FactorKind::Push), no_device).await?;
    let purpose = push_send::Purpose::Login {
        known_browser: authed.session.known_browser,
    };
    push_send::send(state, authed, client, &settings, purpose).await
}

/// The browser's wait for the device's answer, up to `wait` seconds (and
/// no longer than the push lives). An approval finishes the login: the
/// answer then carries the new session.
pub async fn push_wait(
    state: &AppState,
    authed: &Authed,
    id: &str,
    wait: u64,
    trust: bool,
    client: &Client,
) -> Result<(Option<SignedIn>, PushWait), MfaError> {
    if authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("You are already signed in."));
    }
    let row = push_rows::own_push(state, authed, id).await?;
    let row = push_rows::await_answer_in_slot(state, authed, &row, wait).await?;
    let status = push_rules::status_now(&row.status, row.expires_at, state.now());
    let message = push_policy::wait_words(&state.db, &row, status).await?;
    let mut login = None;
    match status {
        PushStatus::Expired => push_rows::expire(state, &row).await?,
        PushStatus::Approved => {
            let no_device = push_rows::NO_DEVICE;
            expect_step(state, authed, Step::Prove(FactorKind::Push), no_device).await?;
            let now = state.now();
            if !store::push_requests::use_approval(&state.db, &row.id, now).await? {
                return Err(MfaError::PushAnswered(
                    "This approval has signed in already; send another push.",
                ));
            }
            store::protect::used(&state.db, &authed.user.id, now).await?;
            let proven = Proven::Method(Method::Push);
            let detail = "password + Protect push";
            login =
                Some(finish(state, authed, Ending::proven(proven, trust, detail), client).await?);
        }
        _ => {}
    }
    let answer = PushWait {
        status,
        message,
        login: login.as_ref().map(|done| LoginResponse::Done {
            user: done.me.clone(),
        }),
    };
    Ok((login, answer))
}

/// The second step with a recovery code instead of a factor: allowed
/// wherever the login asks for a second factor and the user has codes
/// left. The code is used up in the transaction that finishes the login,
/// so only a login that is made uses one.
pub async fn recovery_code(
    state: &AppState,
    authed: &Authed,
    raw: &str,
    trust: bool,
    client: &Client,
) -> Result<SignedIn, MfaError> {
    if authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("You are already signed in."));
    }
    if !matches!(next_for(state, authed).await?, Next::SecondFactor(_)) {
        return Err(MfaError::NotAllowedNow(
            "This login does not ask for a second factor, so a recovery code does not apply.",
        ));
    }
    let user = &authed.user;
    let offered = recovery_codes::offer(state, user, raw, client).await?;
    let mut tx = state.db.begin().await?;
    if !recovery_codes::use_in(&mut tx, state, user, &offered, client).await? {
        drop(tx);
        return Err(recovery_codes::refusal(state, user, &offered, client).await?);
    }
    let proven = Proven::Method(Method::Recovery);
    let detail = "password + recovery code";
    match finish_in(
        &mut tx,
        state,
        authed,
        Ending::proven(proven, trust, detail),
        client,
    )
    .await
    {
        Ok(done) => {
            tx.commit().await?;
            recovery_codes::settle(state, &offered).await?;
            Ok(done)
        }
        Err(e) => {
            drop(tx);
            recovery_codes::give_back(state, &offered).await?;
            Err(e)
        }
    }
}

/// The second step with a helpdesk's temporary access code instead of the
/// lost factor. It does not sign in: the login goes on to set up a new
/// factor, which then finishes it (an app set up replaces the lost one).
pub async fn temporary_access(
    state: &AppState,
    authed: &Authed,
    raw: &str,
    client: &Client,
) -> Result<LoginResponse, MfaError> {
    if authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("You are already signed in."));
    }
    if !matches!(next_for(state, authed).await?, Next::SecondFactor(_)) {
        return Err(MfaError::NotAllowedNow(
            "This login does not ask for a second factor, so a code from your helpdesk does \
             not apply.",
        ));
    }
    crate::mfa::temporary_access::prove(state, &authed.user, raw, client).await?;
    session::add_method(&state.db, &authed.session, Method::Temporary).await?;
    Ok(LoginResponse::Enroll {
        mandatory: true,
        days_left: None,
    })
}

/// What a confirmed enrollment leads to: a login in progress whose last
/// step it was is finished; a signed-in session carries on.
async fn enrolled(
    state: &AppState,
    authed: &Authed,
    method: Method,
    client: &Client,
    detail: &str,
) -> Result<Confirmed, MfaError> {
    if authed.session.signed_in {
        return Ok(Confirmed {
            session: None,
            answer: LoginResponse::Done {
                user: authed.user.me(),
            },
        });
    }
    let proven = Proven::Method(method);
    let done = finish(state, authed, Ending::proven(proven, false, detail), client).await?;
    Ok(Confirmed {
        session: Some((done.session, done.device)),
        answer: LoginResponse::Done { user: done.me },
    })
}

/// Confirms a new authenticator app with its first code
/// (`totp_factor::confirm`); finishes the login it was the last step of.
pub async fn confirm_totp(
    state: &AppState,
    authed: &Authed,
    code: &str,
    client: &Client,
) -> Result<Confirmed, MfaError> {
    totp_factor::confirm(state, authed, code, client).await?;
    let detail = "password + authenticator app enrollment";
    enrolled(state, authed, Method::Totp, client, detail).await
}

/// Registers a new key (`webauthn_factor::register_finish`); finishes the
/// login it was the last step of.
pub async fn confirm_key(
    state: &AppState,
    authed: &Authed,
    ceremony: &str,
    name: Option<&str>,
    answer: serde_json::Value,
    client: &Client,
) -> Result<Confirmed, MfaError> {
    let words =
        webauthn_factor::register_finish(state, authed, ceremony, name, answer, client).await?;
    let detail = format!("password + {words} enrollment");
    enrolled(state, authed, Method::Webauthn, client, &detail).await
}
