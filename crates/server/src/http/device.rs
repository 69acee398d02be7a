//! The device API (`/api/device/v1/…`) that the `protect` client speaks:
//! no cookie and no CSRF header (a phone is no browser); every request but
//! the enrollment is signed with the device's Ed25519 key over the portal's
//! origin, its own id, the method, target, time, nonce and body (see
//! `portcullis_api::protect::signed_message`). The
//! extractors here check the signature before a handler runs.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use portcullis_api::protect::{
    DeviceEnrollRequest, DeviceEnrolled, DeviceStatus, PendingPush, PushApproval, PushOutcome,
};
use portcullis_api::ErrorBody;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{HttpError, HttpResult};
use super::extract::{json_rejection, ApiJson, ClientInfo, Object};
use crate::app::AppState;
use crate::mfa::push::factor as push_factor;
use crate::mfa::push::fraud as push_fraud;
use crate::mfa::push::rules::Signed;
use crate::mfa::MfaError;
use crate::store::protect::Device;

pub const DEVICE_HEADER: &str = "x-protect-device";
pub const TIME_HEADER: &str = "x-protect-time";
pub const NONCE_HEADER: &str = "x-protect-nonce";
pub const SIGNATURE_HEADER: &str = "x-protect-signature";
/// On every answer: the portal's clock (Unix seconds).
pub const SERVER_TIME_HEADER: &str = "x-protect-server-time";

const UNSIGNED: &str = "This request is not signed: it needs the x-protect-device, \
     x-protect-time, x-protect-nonce and x-protect-signature headers.";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, HttpError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| MfaError::DeviceRefused(UNSIGNED).into())
}

/// Checks the request's signature over its parts and body; the device.
async fn signed_by(parts: &Parts, body: &[u8], state: &AppState) -> Result<Device, HttpError> {
    let h = &parts.headers;
    let signed = Signed {
        device_id: header(h, DEVICE_HEADER)?,
        time: header(h, TIME_HEADER)?,
        nonce: header(h, NONCE_HEADER)?,
        signature: header(h, SIGNATURE_HEADER)?,
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    Ok(
        push_factor::authenticate_device(state, &signed, parts.method.as_str(), target, body)
            .await?,
    )
}

pub(super) async fn split(req: Request, state: &AppState) -> Result<(Parts, Bytes), HttpError> {
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts.clone(), body);
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(|r| HttpError::from_status(r.status()))?;
    Ok((parts, bytes))
}

/// A signed device request without a body to read.
pub struct DeviceSigned(pub Device);

impl FromRequest<AppState> for DeviceSigned {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = split(req, state).await?;
        signed_by(&parts, &body, state).await.map(DeviceSigned)
    }
}

/// A signed device request with a JSON body, read once the signature holds.
pub struct DeviceJson<T>(pub Device, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for DeviceJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = split(req, state).await?;
        let device = signed_by(&parts, &body, state).await?;
        let is_json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(HttpError::from_status(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ));
        }
        match Json::<Object<T>>::from_bytes(&body) {
            Ok(Json(Object(v))) => Ok(DeviceJson(device, v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// Puts the portal's clock on every answer of the device API. A device
/// signs with its own clock corrected by the offset it learned at
/// enrollment; when the portal's clock has moved since (or the device's
/// has), its requests are refused for their time, and this tells it the
/// offset to sign with instead.
pub async fn server_time(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&state.now().to_string()) {
        resp.headers_mut()
            .insert(HeaderName::from_static(SERVER_TIME_HEADER), v);
    }
    resp
}

/// How long a long-poll may wait.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitParams {
    /// Seconds to wait for something to answer (0–30; more is taken as 30;
    /// default 0: answer at once).
    #[param(minimum = 0, format = Int64)]
    pub wait: Option<u64>,
}

/// Enrolls a device with the one-time token of the enrollment link (the
/// QR code): its public key and details. It replaces the user's earlier
/// device, whose key stops working at once. In unified mode the answer
/// also carries the authenticator key the device shows codes of (`totp`),
/// or says why it got none (`totp_note`).
#[utoipa::path(
    post,
    path = "/api/device/v1/enroll",
    tag = "device",
    request_body = DeviceEnrollRequest,
    responses(
        (status = 200, description = "Enrolled: the id to sign requests with (and, in unified mode, the authenticator key)", body = DeviceEnrolled),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The enrollment link is unknown, used, expired or revoked (the message says why: a newer link, a device enrolled, factors reset, sessions ended)", body = ErrorBody),
        (status = 403, description = "The organisation does not allow Protect push (`factor_not_allowed`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing or malformed field (the public key, a weak key, a blank label…)", body = ErrorBody),
    )
)]
pub async fn enroll(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<DeviceEnrollRequest>,
) -> HttpResult<Json<DeviceEnrolled>> {
    Ok(Json(push_factor::enroll(&state, &req, &client).await?))
}

/// The device as the portal knows it, and its user.
#[utoipa::path(
    get,
    path = "/api/device/v1/status",
    tag = "device",
    security(("device" = [])),
    responses(
        (status = 200, description = "The device", body = DeviceStatus),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a device not enrolled any more (the message says which)", body = ErrorBody),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    DeviceSigned(device): DeviceSigned,
) -> HttpResult<Json<DeviceStatus>> {
    Ok(Json(push_factor::device_status(&state, &device).await?))
}

/// The pushes waiting for this device's answer; with none, waits up to
/// `wait` seconds for one (a long-poll).
#[utoipa::path(
    get,
    path = "/api/device/v1/pending",
    tag = "device",
    params(WaitParams),
    security(("device" = [])),
    responses(
        (status = 200, description = "Pending pushes, oldest first (maybe none)", body = Vec<PendingPush>),
        (status = 400, description = "`wait` is not a number", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a device not enrolled any more (the message says which)", body = ErrorBody),
    )
)]
pub async fn pending(
    State(state): State<AppState>,
    Query(q): Query<WaitParams>,
    DeviceSigned(device): DeviceSigned,
) -> HttpResult<Json<Vec<PendingPush>>> {
    let wait = q.wait.unwrap_or(0);
    Ok(Json(push_factor::pending(&state, &device, wait).await?))
}

/// Approves a push with the number the user typed; a wrong number denies it.
#[utoipa::path(
    post,
    path = "/api/device/v1/requests/{id}/approve",
    tag = "device",
    params(("id" = String, Path, description = "The push's `id` in the pending list")),
    request_body = PushApproval,
    security(("device" = [])),
    responses(
        (status = 200, description = "Approved, or denied for a wrong number (`reason`)", body = PushOutcome),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a device not enrolled any more (the message says which)", body = ErrorBody),
        (status = 404, description = "No such push for this device's user", body = ErrorBody),
        (status = 409, description = "The push was answered already, cancelled, or has expired", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing field, or one of the wrong type", body = ErrorBody),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    DeviceJson(device, req): DeviceJson<PushApproval>,
) -> HttpResult<Json<PushOutcome>> {
    Ok(Json(
        push_factor::answer(&state, &device, &id, Some(&req), &client).await?,
    ))
}

/// Denies a push.
#[utoipa::path(
    post,
    path = "/api/device/v1/requests/{id}/deny",
    tag = "device",
    params(("id" = String, Path, description = "The push's `id` in the pending list")),
    security(("device" = [])),
    responses(
        (status = 200, description = "Denied", body = PushOutcome),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a device not enrolled any more (the message says which)", body = ErrorBody),
        (status = 404, description = "No such push for this device's user", body = ErrorBody),
        (status = 409, description = "The push was answered already, cancelled, or has expired", body = ErrorBody),
    )
)]
pub async fn deny(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    DeviceSigned(device): DeviceSigned,
) -> HttpResult<Json<PushOutcome>> {
    Ok(Json(
        push_factor::answer(&state, &device, &id, None, &client).await?,
    ))
}

/// "This wasn't me": reports a pending push as not the user's. It is
/// denied, the user's pushes are paused for 20 minutes (others pending are
/// cancelled), and the user and the administrators are emailed.
#[utoipa::path(
    post,
    path = "/api/device/v1/requests/{id}/report",
    tag = "device",
    params(("id" = String, Path, description = "The push's `id` in the pending list")),
    security(("device" = [])),
    responses(
        (status = 200, description = "Denied and reported (`reason` says what follows)", body = PushOutcome),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a device not enrolled any more (the message says which)", body = ErrorBody),
        (status = 404, description = "No such push for this device's user", body = ErrorBody),
        (status = 409, description = "The push was answered already, cancelled, or has expired", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    DeviceSigned(device): DeviceSigned,
) -> HttpResult<Json<PushOutcome>> {
    Ok(Json(
        push_fraud::report(&state, &device, &id, &client).await?,
    ))
}
