//! A push's row and its device as every push module reads them: wake-up
//! topics, how a device is named, finding a push of a session or a device,
//! expiring it, and waiting for its answer within the limits.

use std::time::Duration;

use portcullis_api::protect::{ProtectDevice, PushStatus, UserVerification};

use super::limits as push_limits;
use super::rules;
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::caller::Authed;
use crate::clock::Timestamp;
use crate::mfa::error::MfaError;
use crate::store::{self, protect::Device, push_requests::Row};

/// What a login says when it asks for a push the user cannot get.
pub const NO_DEVICE: &str = "No Protect device is enrolled for this account.";
const EXPIRED: &str = "This request has expired.";
const ANSWERED: &str = "This request was answered already.";

/// The wake-up topic of one push (its answer, expiry or cancellation).
pub fn push_topic(id: &str) -> String {
    format!("push:{id}")
}

/// The wake-up topic of a user's device (a new push for it).
pub fn device_topic(user_id: &str) -> String {
    format!("push-user:{user_id}")
}

/// Wakes the waiters of `topic`. A lost wake-up costs latency only (they
/// read again at their timeout), so a failure is logged, not answered.
pub async fn wake(state: &AppState, topic: &str) {
    if let Err(e) = state.wake.notify(topic, "").await {
        tracing::warn!(error = %e, "push wake-up not sent");
    }
}

pub fn verification_of(device: &Device) -> UserVerification {
    UserVerification::parse(&device.user_verification).unwrap_or(UserVerification::None)
}

pub fn info(device: &Device) -> ProtectDevice {
    ProtectDevice {
        label: device.label.clone(),
        device_type: device.device_type.clone(),
        os: device.os.clone(),
        app_version: device.app_version.clone(),
        user_verification: verification_of(device),
        enrolled_at: device.enrolled_at,
        last_seen_at: device.last_seen_at,
        last_report: None,
    }
}

/// How events and emails name a device.
pub fn device_words(device: &Device) -> String {
    format!(
        "Protect device “{}” ({}, {})",
        device.label, device.device_type, device.os
    )
}

/// Marks a push past its expiry as expired and records it, once whichever
/// instance sees it first.
pub async fn expire(state: &AppState, row: &Row) -> Result<(), MfaError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    if store::push_requests::expire(&mut *tx, &row.id, now).await? {
        let words = format!(
            "push for {} from {} expired unanswered",
            row.resource, row.ip
        );
        let event = Event {
            kind: EventKind::PushExpired,
            actor: Actor::System,
            subject: Some(&row.user_id),
            client: None,
            detail: &words,
            resource: Some(&row.resource),
        };
        audit::record(&mut *tx, now, event).await?;
        tx.commit().await?;
        wake(state, &push_topic(&row.id)).await;
    }
    Ok(())
}

/// One of the device's user's pushes, still waiting for an answer: the
/// device may answer or report it. One past its expiry is marked so (and
/// recorded) on the way.
pub async fn pending_for_device(
    state: &AppState,
    device: &Device,
    id: &str,
) -> Result<Row, MfaError> {
    let row = store::push_requests::find(&state.db, id)
        .await?
        .filter(|r| r.user_id == device.user_id)
        .ok_or(MfaError::PushNotFound)?;
    match rules::status_now(&row.status, row.expires_at, state.now()) {
        PushStatus::Pending => Ok(row),
        PushStatus::Expired => {
            expire(state, &row).await?;
            Err(MfaError::PushAnswered(EXPIRED))
        }
        _ => Err(MfaError::PushAnswered(ANSWERED)),
    }
}

/// Why a push read as pending could not be answered after all: it was
/// answered, cancelled or expired since (another request won the update).
pub async fn lost_race(state: &AppState, id: &str, now: Timestamp) -> MfaError {
    let again = store::push_requests::find(&state.db, id).await;
    match again {
        Ok(again) => {
            let expired = again.is_some_and(|r| {
                rules::status_now(&r.status, r.expires_at, now) == PushStatus::Expired
            });
            MfaError::PushAnswered(if expired { EXPIRED } else { ANSWERED })
        }
        Err(e) => e.into(),
    }
}

/// The push as it stands once answered, cancelled or expired, or after
/// `wait` seconds (no longer than it lives), whichever comes first.
pub async fn await_answer(state: &AppState, row: &Row, wait: u64) -> Result<Row, MfaError> {
    let left = u64::try_from(row.expires_at - state.now() + 1).unwrap_or(0);
    let wait = Duration::from_secs(wait.min(rules::MAX_WAIT_SECS).min(left));
    state
        .wake
        .wait_until(
            &push_topic(&row.id),
            wait,
            || store::push_requests::find(&state.db, &row.id),
            |r: &Option<Row>| {
                r.as_ref().is_none_or(|r| {
                    rules::status_now(&r.status, r.expires_at, state.now()) != PushStatus::Pending
                })
            },
        )
        .await?
        .ok_or(MfaError::PushNotFound)
}

/// [`await_answer`] within the session's and the process's limits of
/// waits at once (`push_limits`): a wait beyond them is refused with 429.
pub async fn await_answer_in_slot(
    state: &AppState,
    authed: &Authed,
    row: &Row,
    wait: u64,
) -> Result<Row, MfaError> {
    let slot = push_limits::wait_slot(state, authed.session.id_hash(), wait).await?;
    let answer = await_answer(state, row, wait).await;
    slot.release().await?;
    answer
}

/// A push of this session, or `PushNotFound` (another session's, unknown).
pub async fn own_push(state: &AppState, authed: &Authed, id: &str) -> Result<Row, MfaError> {
    store::push_requests::find(&state.db, id)
        .await?
        .filter(|r| r.session_hash == authed.session.id_hash())
        .ok_or(MfaError::PushNotFound)
}
