//! Protect push, the operations: the enrollment link and the device's
//! enrollment (one device per user: a new one replaces the old), checking
//! a device's signed request, the device's status, pending list and
//! answers, and the login's push (start, wait, cancel). The request rows
//! are the truth; wake-ups (`wake.rs`) only tell waiters to read again, so
//! an answer on one instance reaches a wait on another.

use std::time::Duration;

use portcullis_api::protect::{
    DeviceEnrollRequest, DeviceEnrolled, DeviceStatus, PendingPush, ProtectDevice,
    ProtectEnrollment, PushApproval, PushOutcome, PushOutcomeKind,
};
use portcullis_api::FactorKind;

use super::fraud as push_fraud;
use super::limits as push_limits;
use super::links::{self as push_links, Revoked};
use super::policy::{self as push_policy, DenyReason};
use super::rows::{
    device_topic, device_words, info, lost_race, own_push, pending_for_device, push_topic,
    verification_of, wake,
};
use super::rules::{self, Signed, LINK_INVALID, NOT_ENROLLED};
use super::unified as protect_unified;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::error::Internal;
use crate::login::flow::Step;
use crate::mfa::error::MfaError;
use crate::mfa::removal::{self, Remover, Which};
use crate::notify::{self, Kind};
use crate::rules::org_settings;
use crate::store::{self, protect::Device, push_requests::Row};

const NOT_ALLOWED: &str = "Your organisation does not allow Protect push. Ask your administrator \
     which kind of second factor to set up.";

async fn refuse_unless_allowed(state: &AppState) -> Result<(), MfaError> {
    if org_settings::get(&state.db).await?.allows(FactorKind::Push) {
        Ok(())
    } else {
        Err(MfaError::FactorNotAllowed(NOT_ALLOWED))
    }
}

/// A one-time enrollment link for the user's phone, good for 10 minutes:
/// signed in, or at a login that must set up a factor. Adding a factor
/// while signed in needs the user's factor proven lately, if they have one;
/// replacing a device always does. The new link revokes the user's earlier
/// one (one live link per user), and a session makes only a few.
pub async fn enrollment_link(
    state: &AppState,
    authed: &Authed,
) -> Result<ProtectEnrollment, MfaError> {
    if authed.session.signed_in {
        auth::require_fresh_mfa_if_any(state, authed).await?;
    } else {
        // A login in progress may set up its first factor when the flow
        // asks for one (`/enroll`); once the phone is enrolled, the login
        // goes on with a push to it.
        crate::login::step::expect_step(
            state,
            authed,
            Step::Enroll,
            "Protect push is set up already: approve the push, or use another factor.",
        )
        .await?;
    }
    refuse_unless_allowed(state).await?;
    let current = store::protect::device_of(&state.db, &authed.user.id).await?;
    if current.is_some() {
        // Whoever enrolls with the link takes over the push factor from
        // the device in hand: the rule for changes to one's MFA, whatever
        // else the flow would let this session do.
        auth::require_fresh_mfa(state, authed)?;
    }
    let now = state.now();
    let session_hash = authed.session.id_hash();
    push_limits::check_link_quota(state, session_hash, now).await?;
    let token = rules::new_token();
    let hash = state.secrets.keyed_hash(rules::TOKEN_CONTEXT, &token);
    let expires_at = now + rules::ENROLL_SECS;
    let mut tx = state.db.begin().await?;
    push_links::revoke_all(&mut *tx, &authed.user.id, Revoked::Replaced, now).await?;
    store::protect::insert_enrollment(
        &mut *tx,
        &hash,
        &authed.user.id,
        session_hash,
        now,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(ProtectEnrollment {
        uri: rules::enrollment_uri(&rules::portal(&state.settings), &token),
        expires_at,
        totp_included: protect_unified::link_gives_key(state, &authed.user.id).await?,
        replaces: current.map(|d| d.label),
    })
}

/// A device enrolls with the link's token, its public key and details. It
/// replaces the user's earlier device, whose key stops working at once.
pub async fn enroll(
    state: &AppState,
    req: &DeviceEnrollRequest,
    client: &Client,
) -> Result<DeviceEnrolled, MfaError> {
    if req.token.is_empty() || req.token.len() > portcullis_api::protect::PROTECT_TOKEN_MAX_CHARS {
        return Err(MfaError::DeviceRefused(LINK_INVALID));
    }
    refuse_unless_allowed(state).await?;
    let now = state.now();
    let hash = state.secrets.keyed_hash(rules::TOKEN_CONTEXT, &req.token);
    let mut tx = state.db.begin().await?;
    let Some(user_id) = store::protect::claim_enrollment(&mut *tx, &hash, now).await? else {
        // Dead: say why when it was revoked (only its holder knows the
        // token, so the reason tells a stranger nothing).
        drop(tx);
        let reason = store::protect::revoked_reason(&state.db, &hash).await?;
        return Err(MfaError::DeviceRefused(push_links::refusal_words(
            reason.flatten().as_deref(),
        )));
    };
    // The fields are checked once the link is known to be good (a stranger
    // learns nothing from them), inside the transaction: a refusal rolls
    // the claim back, so a typo costs the user no new link.
    rules::enrollment_key(&req.public_key).map_err(MfaError::Invalid)?;
    let label = rules::field(&req.label, "label must be 1 to 100 characters on one line.")
        .map_err(MfaError::Invalid)?;
    let device_type = rules::field(
        &req.device_type,
        "device_type must be 1 to 100 characters on one line.",
    )
    .map_err(MfaError::Invalid)?;
    let os = rules::field(&req.os, "os must be 1 to 100 characters on one line.")
        .map_err(MfaError::Invalid)?;
    let app_version = rules::field(
        &req.app_version,
        "app_version must be 1 to 100 characters on one line.",
    )
    .map_err(MfaError::Invalid)?;
    store::users::lock(&mut *tx, &user_id).await?;
    let user = store::users::find_by_id(&mut *tx, &user_id)
        .await?
        .ok_or(MfaError::DeviceRefused(LINK_INVALID))?;
    let old = store::protect::device_of(&mut *tx, &user_id).await?;
    store::protect::delete_device_of(&mut *tx, &user_id).await?;
    // Any other link of the user dies with this enrollment.
    push_links::revoke_all(&mut *tx, &user_id, Revoked::Enrolled, now).await?;
    let device = Device {
        id: uuid::Uuid::new_v4().simple().to_string(),
        user_id: user_id.clone(),
        public_key: req.public_key.trim_end_matches('=').to_string(),
        label,
        device_type,
        os,
        app_version,
        user_verification: req.user_verification.as_str().to_string(),
        clock_offset: now.saturating_sub(req.clock),
        enrolled_at: now,
        last_seen_at: Some(now),
        last_used_at: None,
    };
    store::protect::insert_device(&mut *tx, &device).await?;
    store::factors::refresh(&mut *tx, &user_id).await?;
    let key =
        protect_unified::on_enrollment(state, &mut tx, &user, &device.label, client, now).await?;
    // The old key stopped working with its row. Sessions it approved stay:
    // the user enrolling a new phone is usually signed in with the old one.
    let mut words = format!("{} enrolled", device_words(&device));
    if let Some(old) = &old {
        words.push_str(&format!("; replaced {}", device_words(old)));
    }
    words.push_str(&key.words);
    let line = format!(
        "\nDevice: “{}” ({}, {})\n{}",
        device.label, device.device_type, device.os, key.mail_line
    );
    notify::queue_from(
        &mut *tx,
        now,
        Kind::PushDeviceEnrolled,
        &user,
        client,
        &line,
    )
    .await?;
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::PushDeviceEnrolled, &user_id, client, &words),
    )
    .await?;
    tx.commit().await?;
    Ok(DeviceEnrolled {
        device_id: device.id,
        user_email: user.email,
        portal: rules::portal(&state.settings),
        clock_offset_secs: device.clock_offset,
        totp: key.totp,
        totp_note: key.note.map(str::to_string),
    })
}

/// The device whose key signed this request, once the time, the signature
/// and the nonce (never seen before for this device) check out.
pub async fn authenticate_device(
    state: &AppState,
    signed: &Signed<'_>,
    method: &str,
    target: &str,
    body: &[u8],
) -> Result<Device, MfaError> {
    let now = state.now();
    rules::check_headers(signed, now).map_err(MfaError::DeviceRefused)?;
    let device = store::protect::device(&state.db, signed.device_id)
        .await?
        .ok_or(MfaError::DeviceRefused(NOT_ENROLLED))?;
    let message = rules::signed_message(
        &rules::portal(&state.settings),
        &device.id,
        method,
        target,
        signed.time,
        signed.nonce,
        body,
    );
    if !rules::verify(&device.public_key, &message, signed.signature) {
        return Err(MfaError::DeviceRefused(
            "The request's signature does not match this device's key.",
        ));
    }
    // Only a signed request may use up a nonce: nobody else can spend the
    // device's.
    if !store::protect::claim_nonce(&state.db, &device.id, signed.nonce, now).await? {
        return Err(MfaError::DeviceRefused(
            "This request was sent before (its nonce was used already); send a new one.",
        ));
    }
    store::protect::seen(&state.db, &device.id, now).await?;
    Ok(device)
}

/// What the device shows about itself.
pub async fn device_status(state: &AppState, device: &Device) -> Result<DeviceStatus, MfaError> {
    let user = store::users::find_by_id(&state.db, &device.user_id)
        .await?
        .ok_or(MfaError::DeviceRefused(NOT_ENROLLED))?;
    Ok(DeviceStatus {
        user_email: user.email,
        label: device.label.clone(),
        device_type: device.device_type.clone(),
        os: device.os.clone(),
        app_version: device.app_version.clone(),
        user_verification: verification_of(device),
        enrolled_at: device.enrolled_at,
    })
}

fn pending_of(row: Row, user_verification_required: bool) -> PendingPush {
    PendingPush {
        id: row.id,
        resource: row.resource,
        ip: row.ip,
        browser: row.browser,
        created_at: row.created_at,
        expires_at: row.expires_at,
        user_verification_required,
    }
}

/// The pushes waiting for the device's answer; with none, waits up to
/// `wait` seconds for one.
pub async fn pending(
    state: &AppState,
    device: &Device,
    wait: u64,
) -> Result<Vec<PendingPush>, MfaError> {
    let policy = org_settings::get(&state.db).await?.push_biometric;
    let required = push_policy::verification_required(policy, verification_of(device));
    let wait = Duration::from_secs(wait.min(rules::MAX_WAIT_SECS));
    let rows = state
        .wake
        .wait_until(
            &device_topic(&device.user_id),
            wait,
            || store::push_requests::pending_for(&state.db, &device.user_id, state.now()),
            |rows: &Vec<Row>| !rows.is_empty(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| pending_of(r, required)).collect())
}

/// The device's answer to one of its user's pushes: an approval with the
/// number the user typed (a wrong number denies it, and so does one
/// without the user verification the organisation's biometric policy
/// wants), or a denial. A push is answered once, while it lives.
pub async fn answer(
    state: &AppState,
    device: &Device,
    id: &str,
    approval: Option<&PushApproval>,
    client: &Client,
) -> Result<PushOutcome, MfaError> {
    let now = state.now();
    let row = pending_for_device(state, device, id).await?;
    let policy = org_settings::get(&state.db).await?.push_biometric;
    let capability = verification_of(device);
    let (outcome, reason) = match approval {
        // The number first: a wrong one says more than a missing fingerprint.
        Some(a) if a.number != row.number => {
            (PushOutcomeKind::Denied, Some(DenyReason::WrongNumber))
        }
        Some(a) if !push_policy::approval_counts(policy, capability, a.user_verified) => {
            (PushOutcomeKind::Denied, Some(DenyReason::UserVerification))
        }
        Some(_) => (PushOutcomeKind::Approved, None),
        None => (PushOutcomeKind::Denied, None),
    };
    let (status, kind) = match outcome {
        PushOutcomeKind::Approved => ("approved", EventKind::PushApproved),
        PushOutcomeKind::Denied => ("denied", EventKind::PushDenied),
    };
    let verified = approval.map(|a| a.user_verified);
    let mut tx = state.db.begin().await?;
    let deny_reason = reason.map(DenyReason::as_str);
    if !store::push_requests::answer(&mut *tx, id, status, verified, deny_reason, now).await? {
        drop(tx);
        return Err(lost_race(state, id, now).await);
    }
    let mut words = format!(
        "push for {} from {} ({}) {status} on {}",
        row.resource,
        row.ip,
        row.browser,
        device_words(device)
    );
    match reason {
        Some(DenyReason::UserVerification) => words.push_str(&format!(
            ": approved without the user verification the biometric policy ({}) wants of a \
             device with user verification {}",
            org_settings::biometric_words(policy),
            capability.as_str()
        )),
        Some(r) => words.push_str(&format!(": {}", push_policy::device_words(r, capability))),
        None => {}
    }
    if verified == Some(true) {
        words.push_str(", user verified on the device");
    }
    audit::record(
        &mut *tx,
        now,
        Event::by_user(kind, &device.user_id, client, &words),
    )
    .await?;
    tx.commit().await?;
    crate::metrics::push_answered(status == "approved", now - row.created_at);
    wake(state, &push_topic(id)).await;
    Ok(PushOutcome {
        outcome,
        reason: reason.map(|r| push_policy::device_words(r, capability).to_string()),
    })
}

/// Cancels a push of this login (the user chose another factor).
pub async fn login_cancel(state: &AppState, authed: &Authed, id: &str) -> Result<(), MfaError> {
    let row = own_push(state, authed, id).await?;
    if store::push_requests::cancel(&state.db, &row.id, authed.session.id_hash(), state.now())
        .await?
    {
        wake(state, &push_topic(id)).await;
    }
    Ok(())
}

/// The user's device, if any, with the latest push they reported on it.
pub async fn device(state: &AppState, user_id: &str) -> Result<Option<ProtectDevice>, Internal> {
    let Some(device) = store::protect::device_of(&state.db, user_id).await? else {
        return Ok(None);
    };
    Ok(Some(ProtectDevice {
        last_report: push_fraud::last_report(&state.db, user_id, state.now()).await?,
        ..info(&device)
    }))
}

/// Removes the user's device, and the user's other sessions it approved.
/// The last factor of a user who must have MFA stays.
pub async fn remove(state: &AppState, authed: &Authed, client: &Client) -> Result<(), MfaError> {
    auth::require_fresh_mfa_if_any(state, authed).await?;
    let mut tx = state.db.begin().await?;
    let by = Remover::User {
        session: authed.session.id_hash(),
    };
    removal::remove_factor(state, &mut tx, &authed.user.id, Which::Device, by, client)
        .await
        .map_err(|r| removal::user_error(r, MfaError::DeviceNotFound))?;
    tx.commit().await?;
    Ok(())
}
