//! The portal's Protect push routes: the enrollment link (QR code), the
//! user's device and its removal, the login's push — send it, wait for
//! the device's answer (a long-poll that an answer on any instance wakes),
//! or cancel it — and the push that proves the factor again in a
//! signed-in session.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::protect::{ProtectDevice, ProtectEnrollment, PushStarted, PushWait};
use portcullis_api::ErrorBody;

use super::device::WaitParams;
use super::error::HttpResult;
use super::extract::{AnySession, ClientInfo, SignedIn};
use crate::app::AppState;
use crate::mfa::push::factor as push_factor;
use crate::mfa::push::verify as push_verify;

/// A one-time enrollment link for a phone, shown as a QR code: it works
/// once, for 10 minutes. A user who has a second factor needs one passed
/// in the last 10 minutes; a login whose next step is setting up a factor
/// may ask for one too (the login then goes on with a push).
#[utoipa::path(
    post,
    path = "/api/v1/protect/enroll",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The link, when it expires, and the label of the device it replaces (`replaces`); it revokes the user's earlier link", body = ProtectEnrollment),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`); a login that is not at setting up a factor (`not_allowed_now`); the organisation does not allow Protect push (`factor_not_allowed`); or CSRF", body = ErrorBody),
        (status = 429, description = "This session made as many links as it may in 10 minutes (`too_many_attempts`; the message and Retry-After say when the next may be made)", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn enroll_link(
    State(state): State<AppState>,
    AnySession(authed): AnySession,
) -> HttpResult<Json<ProtectEnrollment>> {
    Ok(Json(push_factor::enrollment_link(&state, &authed).await?))
}

/// The user's Protect device, or `null`.
#[utoipa::path(
    get,
    path = "/api/v1/protect/device",
    tag = "mfa",
    security(("session" = [])),
    responses(
        (status = 200, description = "The device, or null when none is enrolled", body = Option<ProtectDevice>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn get_device(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<Option<ProtectDevice>>> {
    Ok(Json(push_factor::device(&state, &authed.user.id).await?))
}

/// Removes the user's device; other sessions it approved end. An
/// authenticator key given to the device (unified mode) goes with it.
/// Refused when that would leave a user who must have MFA without a
/// factor. Needs a second factor passed in the last 10 minutes.
#[utoipa::path(
    delete,
    path = "/api/v1/protect/device",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`); or CSRF", body = ErrorBody),
        (status = 404, description = "No device is enrolled", body = ErrorBody),
        (status = 409, description = "It is the only factor of a user who must have MFA (the message says what to do)", body = ErrorBody),
    )
)]
pub async fn remove_device(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
) -> HttpResult<StatusCode> {
    push_factor::remove(&state, &authed, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Proves Protect push again in a signed-in session (before a change that
/// needs a second factor from the last minutes): sends a push with a
/// number to show, under the same rules as the login's. Wait for the
/// answer at `/api/v1/mfa/verify/push/{id}/wait`; cancel it at
/// `/api/v1/login/push/{id}/cancel`.
#[utoipa::path(
    post,
    path = "/api/v1/mfa/verify/push",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Sent: the number to show, and when it expires (60 s)", body = PushStarted),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No device enrolled (`not_allowed_now`); the organisation has Protect push switched off (`factor_not_allowed`); pushes are paused after one was reported as not the user's (`push_muted`: the message says until when); or CSRF", body = ErrorBody),
        (status = 429, description = "This session's earlier push is still waiting for an answer (`too_many_attempts`; the message and Retry-After say how long until it frees); pushes of other sessions do not count", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn verify_push(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<PushStarted>> {
    Ok(Json(push_verify::start(&state, &authed, &client).await?))
}

/// Waits up to `wait` seconds for the device's answer to this session's
/// push. Approved, the session's second factor is renewed: changes that
/// need a recent one may go ahead.
#[utoipa::path(
    post,
    path = "/api/v1/mfa/verify/push/{id}/wait",
    tag = "mfa",
    params(("id" = String, Path, description = "The push's `id`"), WaitParams),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Where the push stands (approved: the session's second factor is renewed; denied, expired, cancelled: `message` says why in words)", body = PushWait),
        (status = 400, description = "The id is not UTF-8, or `wait` is not a number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
        (status = 404, description = "No such push of this session", body = ErrorBody),
        (status = 409, description = "The approval renewed the session already", body = ErrorBody),
        (status = 429, description = "This session already holds 2 waits, or the server its cap of waits (`too_many_attempts`, in words)", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn verify_push_wait(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<WaitParams>,
) -> HttpResult<Json<PushWait>> {
    let wait = q.wait.unwrap_or(0);
    Ok(Json(
        push_verify::wait(&state, &authed, &id, wait, &client).await?,
    ))
}
