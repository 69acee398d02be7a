//! The authenticator-app factor's operations: enroll (a new key, sealed at
//! rest), confirm with a first code, verify a code (throttled per factor,
//! each time step good once), and reset.

use portcullis_api::{FactorKind, MfaOverview, TotpEnrollment};

use super::error::MfaError;
use super::removal::{self, Remover, Which};
use super::totp::{self, Check};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::session::{self, Method};
use crate::auth::{self, throttle, Authed};
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::login::flow::Step;
use crate::notify::{self, Kind};
use crate::rules::org_settings;
use crate::secret::Secret;
use crate::store::{self, users::User};

fn open_key(state: &AppState, user: &User, sealed: &str) -> Result<Secret<String>, Internal> {
    state.secrets.open(sealed, &user.id)
}

/// Checks a code typed by `user` against their factor (pending or active,
/// as `confirmed` says): throttled per factor, each time step good for one
/// use only. Returns the sealed key that was checked.
async fn check_code(
    state: &AppState,
    user: &User,
    confirmed: bool,
    raw: &str,
    client: &Client,
) -> Result<String, MfaError> {
    let code = totp::normalize_code(raw).map_err(MfaError::Invalid)?;
    let row = store::totp::get(&state.db, &user.id)
        .await?
        .filter(|r| r.confirmed_at.is_some() == confirmed);
    let Some(row) = row else {
        return Err(if confirmed {
            MfaError::NotSetUp
        } else {
            MfaError::NoPendingEnrollment(
                "There is no authenticator-app setup in progress. Start again.",
            )
        });
    };
    let now = state.now();
    let counters = [throttle::factor_counter(throttle::TOTP, &user.id)];
    if let Err(refused) = throttle::begin_attempt(&state.db, &counters, now).await {
        if matches!(refused, throttle::Refused::Suspended) {
            audit::record(
                &state.db,
                now,
                Event::by_user(
                    EventKind::MfaFailed,
                    &user.id,
                    client,
                    "authenticator app suspended after 100 wrong codes in a row",
                ),
            )
            .await?;
        }
        return Err(refused.into());
    }
    let key = open_key(state, user, &row.sealed_key)?;
    let outcome = match totp::check(key.expose(), &code, now, row.last_step) {
        Check::Accepted(step)
            if store::totp::claim_step(&state.db, &user.id, &row.sealed_key, step, now).await? =>
        {
            Check::Accepted(step)
        }
        // another request used this step a moment ago
        Check::Accepted(_) => Check::Reused,
        other => other,
    };
    let (detail, error) = match outcome {
        Check::Accepted(_) => {
            throttle::succeeded(&state.db, &counters, &[]).await?;
            return Ok(row.sealed_key);
        }
        Check::Reused => {
            // A right code, only used already: not a guess, so it does not
            // count towards the block.
            throttle::succeeded(&state.db, &[], &counters).await?;
            (
                "authenticator app: code already used",
                MfaError::CodeAlreadyUsed,
            )
        }
        // Already counted by begin_attempt. A code of a step a few minutes
        // away is refused all the same, but the answer says why.
        Check::Wrong => match totp::clock_skew(key.expose(), &code, now, row.last_step) {
            Some(steps) if steps > 0 => {
                // A step ahead comes within reach when the clock gets
                // there: its code, seen typed now (or relayed by a fake
                // page that got the hint), must not be good then. Steps
                // behind never come back.
                burn_step(state, &user.id, totp::step_of(now) + steps, now).await?;
                (
                    "authenticator app: wrong code (phone clock fast)",
                    MfaError::WrongCodeClockSkew(totp::skew_message(steps)),
                )
            }
            Some(steps) => (
                "authenticator app: wrong code (phone clock slow)",
                MfaError::WrongCodeClockSkew(totp::skew_message(steps)),
            ),
            None => ("authenticator app: wrong code", MfaError::WrongCode),
        },
    };
    audit::record(
        &state.db,
        now,
        Event::by_user(EventKind::MfaFailed, &user.id, client, detail),
    )
    .await?;
    Err(error)
}

/// Burns one step of the user's app (never accepted later), forgetting
/// those that no check reaches any more.
async fn burn_step(
    state: &AppState,
    user_id: &str,
    step: i64,
    now: Timestamp,
) -> Result<(), MfaError> {
    let past = totp::step_of(now) - totp::SKEW_STEPS;
    let mut tx = state.db.begin().await?;
    store::totp::burn_step(&mut tx, user_id, step, past).await?;
    tx.commit().await?;
    Ok(())
}

/// Verifies a code of the user's active authenticator app.
pub async fn verify(
    state: &AppState,
    user: &User,
    code: &str,
    client: &Client,
) -> Result<(), MfaError> {
    check_code(state, user, true, code, client)
        .await
        .map(|_| ())
}

const NOT_ALLOWED: &str = "Your organisation does not allow authenticator apps. \
     Ask your administrator which kind of second factor to set up.";

/// Refuses a new authenticator app when the organisation's settings do not
/// allow the kind. Apps set up already keep working: only enrolling asks.
async fn refuse_unless_allowed(state: &AppState) -> Result<(), MfaError> {
    if org_settings::get(&state.db).await?.allows(FactorKind::Totp) {
        Ok(())
    } else {
        Err(MfaError::FactorNotAllowed(NOT_ALLOWED))
    }
}

/// Starts enrollment: a new key and its `otpauth://` URI. Calling it again
/// replaces a pending (unconfirmed) key.
pub async fn begin(state: &AppState, authed: &Authed) -> Result<TotpEnrollment, MfaError> {
    if !authed.session.signed_in {
        // A login in progress may only enroll when the flow asks for it.
        crate::login::step::expect_step(
            state,
            authed,
            Step::Enroll,
            "An authenticator app is already set up. Reset it on the Security page to use another one.",
        )
        .await
        .map_err(|e| match e {
            MfaError::NotAllowedNow(_) => MfaError::AlreadySetUp,
            other => other,
        })?;
    } else {
        // Signed in: adding a factor to an account that has one needs
        // that one proven lately (whoever found an open session must not
        // add their own). An app set up already is refused as such first.
        let kinds = store::factors::confirmed_kinds(&state.db, &authed.user.id).await?;
        if kinds.contains(&FactorKind::Totp) {
            return Err(MfaError::AlreadySetUp);
        }
        if kinds.is_empty() {
            auth::caller::may_bind_first_factor(authed)?;
        } else {
            auth::require_fresh_mfa(state, authed)?;
        }
    }
    refuse_unless_allowed(state).await?;
    let user = &authed.user;
    let secret = totp::new_secret();
    let sealed = state.secrets.seal(secret.expose(), &user.id)?;
    if replacing(state, authed).await? {
        // The helpdesk's code stands in for an app that is lost: the new
        // key is set up beside it and replaces it once confirmed.
        store::totp::put_replacement(&state.db, &user.id, &sealed, state.now()).await?;
    } else if !store::totp::begin(&state.db, &user.id, &sealed, state.now()).await? {
        return Err(MfaError::AlreadySetUp);
    }
    // Steps burned with the key this setup replaces are nothing to it.
    store::totp::forget_burned(&state.db, &user.id).await?;
    Ok(TotpEnrollment {
        uri: totp::uri(secret.expose(), &user.email),
        secret: secret.expose().clone(),
        issuer: totp::ISSUER.to_string(),
        account: user.email.clone(),
    })
}

/// Whether this enrollment replaces a confirmed app: a login let in by a
/// helpdesk's temporary access code, of a user who has one.
async fn replacing(state: &AppState, authed: &Authed) -> Result<bool, Internal> {
    Ok(!authed.session.signed_in
        && authed.session.proof.via_temporary_access()
        && store::factors::confirmed_kinds(&state.db, &authed.user.id)
            .await?
            .contains(&FactorKind::Totp))
}

/// Confirms a replacement (see [`replacing`]) with its first code: the
/// new key takes the lost app's place (and, in unified mode, the device
/// it was on goes), in one transaction.
async fn confirm_replacement(
    state: &AppState,
    authed: &Authed,
    code: &str,
    client: &Client,
) -> Result<(), MfaError> {
    let user = &authed.user;
    let code = totp::normalize_code(code).map_err(MfaError::Invalid)?;
    let Some((sealed, last_step)) = store::totp::replacement(&state.db, &user.id).await? else {
        return Err(MfaError::NoPendingEnrollment(
            "There is no authenticator-app setup in progress. Start again.",
        ));
    };
    let now = state.now();
    let counters = [throttle::factor_counter(throttle::TOTP, &user.id)];
    throttle::begin_attempt(&state.db, &counters, now)
        .await
        .map_err(MfaError::from)?;
    let key = open_key(state, user, &sealed)?;
    let accepted = match totp::check(key.expose(), &code, now, last_step) {
        Check::Accepted(step) => {
            store::totp::claim_replacement_step(&state.db, &user.id, &sealed, step).await?
        }
        _ => false,
    };
    if !accepted {
        let detail = "authenticator app (replacement): wrong code";
        audit::record(
            &state.db,
            now,
            Event::by_user(EventKind::MfaFailed, &user.id, client, detail),
        )
        .await?;
        return Err(MfaError::WrongCode);
    }
    throttle::succeeded(&state.db, &counters, &[]).await?;
    let mut tx = state.db.begin().await?;
    store::users::lock(&mut *tx, &user.id).await?;
    if !store::totp::swap_in_replacement(&mut tx, &user.id, &sealed, now).await? {
        return Err(MfaError::NoPendingEnrollment(
            "The setup was restarted meanwhile (another tab?). Scan the newest QR code and try again.",
        ));
    }
    device_too(state, &mut tx, user, authed.session.id_hash(), client, now).await?;
    notify::queue_from(&mut *tx, now, Kind::MfaSetupComplete, user, client, "").await?;
    let detail =
        "authenticator app replaced (the lost one stopped working), after a temporary access code";
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::MfaEnrolled, &user.id, client, detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms the pending key with its first code. A login whose last step
/// this was is finished by `login::second_factor::confirm_totp`.
pub async fn confirm(
    state: &AppState,
    authed: &Authed,
    code: &str,
    client: &Client,
) -> Result<(), MfaError> {
    // A setup begun before the kind was switched off is not finished either.
    refuse_unless_allowed(state).await?;
    if replacing(state, authed).await? {
        return confirm_replacement(state, authed, code, client).await;
    }
    let user = &authed.user;
    let sealed = check_code(state, user, false, code, client).await?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    if !store::totp::confirm(&mut tx, &user.id, &sealed, now).await? {
        return Err(MfaError::NoPendingEnrollment(
            "The setup was restarted meanwhile (another tab?). Scan the newest QR code and try again.",
        ));
    }
    notify::queue_from(&mut *tx, now, Kind::MfaSetupComplete, user, client, "").await?;
    if authed.session.signed_in {
        // The first code just proved the new app in this session: changes
        // that need a recent second factor may follow without another.
        session::prove_again(&mut *tx, &authed.session, Method::Totp, now).await?;
    }
    audit::record(
        &mut *tx,
        now,
        Event::by_user(
            EventKind::MfaEnrolled,
            &user.id,
            client,
            "authenticator app",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
    verify(state, &authed.user, code, client).await?;
    super::again::proven_again(state, authed, Method::Totp, "authenticator app", client).await
}

/// Reset Authenticator App: proves the current app with a code, removes it,
/// ends the user's other sessions, and leaves the user ready to enroll
/// another one (now, or at the next login when MFA is required — never
/// locked out by an old, expired period). In unified mode the Protect
/// device goes too: one new enrollment sets both up again.
pub async fn reset(
    state: &AppState,
    authed: &Authed,
    code: &str,
    client: &Client,
) -> Result<MfaOverview, MfaError> {
    if !authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("Finish signing in first."));
    }
    let user = &authed.user;
    verify(state, user, code, client).await?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let keep = authed.session.id_hash();
    let by = Remover::Reset { keep: Some(keep) };
    removal::remove_factor(state, &mut tx, &user.id, Which::App, by, client)
        .await
        .map_err(|r| removal::user_error(r, MfaError::NotAllowedNow(NO_APP)))?;
    device_too(state, &mut tx, user, keep, client, now).await?;
    if user.mfa_required {
        store::users::set_requirement(&mut *tx, &user.id, None, now).await?;
    }
    store::sessions::delete_for_user(&mut *tx, &user.id, Some(authed.session.id_hash())).await?;
    notify::queue_from(
        &mut *tx,
        now,
        Kind::AuthenticatorRemoved,
        user,
        client,
        "\nYour other sessions were signed out.\n",
    )
    .await?;
    audit::record(
        &mut *tx,
        now,
        Event::by_user(
            EventKind::MfaResetByUser,
            &user.id,
            client,
            "authenticator app removed",
        ),
    )
    .await?;
    tx.commit().await?;
    let fresh = store::users::find_by_id(&state.db, &user.id)
        .await?
        .ok_or_else(|| Internal::new("user vanished during reset"))?;
    let authed = Authed {
        session: authed.session.clone(),
        user: fresh,
    };
    super::overview::overview(state, &authed).await
}

const NO_APP: &str = "No authenticator app is set up for this account.";
const DEVICE_GONE: &str = "The Protect device was removed meanwhile; try again.";

/// In unified mode the device goes with the app, through the removal path
/// (the sessions it proved end, but `keep`), with its own email and event.
async fn device_too(
    state: &AppState,
    tx: &mut store::Tx,
    user: &User,
    keep: &str,
    client: &Client,
    now: Timestamp,
) -> Result<(), MfaError> {
    let Some(device) = super::push::unified::device_reset_too(tx, &user.id).await? else {
        return Ok(());
    };
    let by = Remover::Reset { keep: Some(keep) };
    removal::remove_factor(state, tx, &user.id, Which::Device, by, client)
        .await
        .map_err(|r| removal::user_error(r, MfaError::NotAllowedNow(DEVICE_GONE)))?;
    super::push::unified::tell_device_reset_too(tx, user, &device, client, now).await?;
    Ok(())
}

/// Keys stored before encryption at rest are sealed at start; returns how
/// many. Safe on every instance (each update checks the old value).
pub async fn seal_plain_keys(state: &AppState) -> Result<usize, Internal> {
    let mut sealed = 0;
    for (user_id, stored) in store::totp::all_keys(&state.db).await? {
        if crate::secret::SecretBox::is_sealed(&stored) {
            continue;
        }
        let new = state.secrets.seal(&stored, &user_id)?;
        store::totp::reseal(&state.db, &user_id, &stored, &new).await?;
        sealed += 1;
    }
    Ok(sealed)
}
