//! Protect push: setting up the device (an enrollment link shown as a QR
//! code), the device's details and removal, and the login's push (start,
//! wait for the answer, cancel). Only lazily loaded screens call these.

use std::future::Future;

use portcullis_api::protect::{
    ProtectDevice, ProtectEnrollment, PushStarted, PushStatus, PushWait,
};

use super::client::{delete, get, post};
use super::ApiError;
use crate::paths::encode_component;

/// A new one-time enrollment link for the signed-in user's device.
pub async fn enroll_link() -> Result<ProtectEnrollment, ApiError> {
    post("/protect/enroll", &()).await
}

/// The user's device, if one is enrolled.
pub async fn device() -> Result<Option<ProtectDevice>, ApiError> {
    get("/protect/device").await
}

pub async fn remove_device() -> Result<(), ApiError> {
    delete("/protect/device").await
}

/// Sends a push to the user's device for this login.
pub async fn start_push() -> Result<PushStarted, ApiError> {
    post("/login/push", &()).await
}

/// Waits up to `secs` for the device's answer (the server holds the
/// request until something changes); an approval finishes the login.
pub async fn wait_push(id: &str, secs: u32) -> Result<PushWait, ApiError> {
    post(
        &format!("/login/push/{}/wait?wait={secs}", encode_component(id)),
        &(),
    )
    .await
}

pub async fn cancel_push(id: &str) -> Result<(), ApiError> {
    post(&format!("/login/push/{}/cancel", encode_component(id)), &()).await
}

/// Sends a push that renews the signed-in session's second factor.
pub async fn start_fresh_push() -> Result<PushStarted, ApiError> {
    post("/mfa/verify/push", &()).await
}

/// Waits up to `secs` for the phone's answer to that push.
pub async fn wait_fresh_push(id: &str, secs: u32) -> Result<PushWait, ApiError> {
    post(
        &format!("/mfa/verify/push/{}/wait?wait={secs}", encode_component(id)),
        &(),
    )
    .await
}

/// Records that the user has seen the notice about the merge.
pub async fn merge_notice_seen() -> Result<(), ApiError> {
    post("/protect/merge-notice", &()).await
}

/// Follows a push until it is no longer pending, one held wait after
/// another (`wait` is `wait_push` or `wait_fresh_push`): the first other
/// answer, or `None` once `wanted` says the page stopped following it (a
/// new push was sent, or the panel went away).
pub async fn follow<F, Fut>(
    wait: F,
    id: &str,
    wanted: impl Fn() -> bool,
) -> Option<Result<PushWait, ApiError>>
where
    F: Fn(String, u32) -> Fut,
    Fut: Future<Output = Result<PushWait, ApiError>>,
{
    /// How long the server holds one wait.
    const WAIT_SECS: u32 = 25;
    loop {
        if !wanted() {
            return None;
        }
        let answer = wait(id.to_string(), WAIT_SECS).await;
        if !wanted() {
            return None;
        }
        match answer {
            Ok(PushWait {
                status: PushStatus::Pending,
                ..
            }) => continue,
            other => return Some(other),
        }
    }
}
