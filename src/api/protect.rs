//! Protect push: setting up the device (an enrollment link shown as a QR
//! code), the device's details and removal, and the login's push (start,
//! wait for the answer, cancel). Only lazily loaded screens call these.

use portcullis_api::protect::{ProtectDevice, ProtectEnrollment, PushStarted, PushWait};

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
