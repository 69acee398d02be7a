//! The host API (`/api/host/v1/…`) that `pam_portcullis.so` and
//! `portcullis-pam` speak: no cookie and no CSRF header; every request
//! but the enrollment is signed with the host's Ed25519 key
//! (`portcullis_api::signing`, scheme `portcullis-host-v1`). The
//! extractors here check the signature before a handler runs.

use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::Json;
use portcullis_api::hosts::{
    HostAllowed, HostCodeRequest, HostEnrollRequest, HostEnrolled, HostLoginRequest, HostNeed,
    HostPushWait, HOST_HEADER, HOST_NONCE_HEADER, HOST_SIGNATURE_HEADER, HOST_TIME_HEADER,
};
use portcullis_api::protect::PushStarted;
use portcullis_api::ErrorBody;
use serde::de::DeserializeOwned;

use super::device::{split, WaitParams};
use super::error::{HttpError, HttpResult};
use super::extract::{json_rejection, ApiJson, ClientInfo, Object};
use crate::app::AppState;
use crate::mfa::push::rules::Signed;
use crate::mfa::MfaError;
use crate::store::hosts::Host;
use crate::systems::{host_auth, host_login};

const UNSIGNED: &str = "This request is not signed: it needs the x-portcullis-host, \
     x-portcullis-time, x-portcullis-nonce and x-portcullis-signature headers.";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, HttpError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| MfaError::DeviceRefused(UNSIGNED).into())
}

async fn signed_by(parts: &Parts, body: &[u8], state: &AppState) -> Result<Host, HttpError> {
    let h = &parts.headers;
    let signed = Signed {
        device_id: header(h, HOST_HEADER)?,
        time: header(h, HOST_TIME_HEADER)?,
        nonce: header(h, HOST_NONCE_HEADER)?,
        signature: header(h, HOST_SIGNATURE_HEADER)?,
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    Ok(host_auth::authenticate_host(state, &signed, parts.method.as_str(), target, body).await?)
}

/// A signed host request without a body to read.
pub struct HostSigned(pub Host);

impl FromRequest<AppState> for HostSigned {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = split(req, state).await?;
        signed_by(&parts, &body, state).await.map(HostSigned)
    }
}

/// A signed host request with a JSON body, read once the signature holds.
pub struct HostJson<T>(pub Host, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for HostJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        let (parts, body) = split(req, state).await?;
        let host = signed_by(&parts, &body, state).await?;
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
            Ok(Json(Object(v))) => Ok(HostJson(host, v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// Enrolls a host with its one-time token: its public key from now on.
#[utoipa::path(
    post,
    path = "/api/host/v1/enroll",
    tag = "host",
    request_body = HostEnrollRequest,
    responses(
        (status = 200, description = "Enrolled: the id to sign requests with", body = HostEnrolled),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The token is unknown, used or expired", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing or malformed field (the public key, a weak key)", body = ErrorBody),
    )
)]
pub async fn enroll_host(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<HostEnrollRequest>,
) -> HttpResult<Json<HostEnrolled>> {
    Ok(Json(host_auth::enroll(&state, &req).await?))
}

/// What a user needs to sign in to this host, asked after the password.
#[utoipa::path(
    post,
    path = "/api/host/v1/login",
    tag = "host",
    request_body = HostLoginRequest,
    security(("host" = [])),
    responses(
        (status = 200, description = "Let in, refused (in words), or a second factor to ask", body = HostNeed),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a host not registered any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
    )
)]
pub async fn host_login(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    HostJson(host, req): HostJson<HostLoginRequest>,
) -> HttpResult<Json<HostNeed>> {
    let from = req.from.as_deref();
    Ok(Json(
        host_login::need(&state, &host, &req.user, from, &client).await?,
    ))
}

/// A code typed at the host's prompt: the authenticator app's six digits
/// or a recovery code.
#[utoipa::path(
    post,
    path = "/api/host/v1/login/code",
    tag = "host",
    request_body = HostCodeRequest,
    security(("host" = [])),
    responses(
        (status = 200, description = "The code is right: let the login in", body = HostAllowed),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a host not registered any more; or a wrong code", body = ErrorBody),
        (status = 403, description = "This login asks for no code now", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "The code is malformed", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn host_code(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    HostJson(host, req): HostJson<HostCodeRequest>,
) -> HttpResult<Json<HostAllowed>> {
    let from = req.from.as_deref();
    Ok(Json(
        host_login::code(&state, &host, &req.user, &req.code, from, &client).await?,
    ))
}

/// Sends a push for a login on this host; the number to match is in the
/// answer, for the prompt.
#[utoipa::path(
    post,
    path = "/api/host/v1/login/push",
    tag = "host",
    request_body = HostLoginRequest,
    security(("host" = [])),
    responses(
        (status = 200, description = "Sent: the number to show and the push's id", body = PushStarted),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a host not registered any more", body = ErrorBody),
        (status = 403, description = "Protect push is switched off, this login asks for no second factor now, or the user has no Protect device", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
        (status = 429, description = "Pushes are muted after a fraud report, or as many as allowed wait for an answer; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn host_push(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    HostJson(host, req): HostJson<HostLoginRequest>,
) -> HttpResult<Json<PushStarted>> {
    let from = req.from.as_deref();
    Ok(Json(
        host_login::push(&state, &host, &req.user, from, &client).await?,
    ))
}

/// Waits up to `wait` seconds for the phone's answer to this host's push.
#[utoipa::path(
    post,
    path = "/api/host/v1/login/push/{id}/wait",
    tag = "host",
    params(("id" = String, Path, description = "The push's id"), WaitParams),
    security(("host" = [])),
    responses(
        (status = 200, description = "Where the push stands, in words", body = HostPushWait),
        (status = 400, description = "`wait` is not a number", body = ErrorBody),
        (status = 401, description = "Not signed, a bad signature, a time off by more than 5 minutes, a nonce used before, or a host not registered any more", body = ErrorBody),
        (status = 404, description = "No such push of this host", body = ErrorBody),
        (status = 409, description = "The approval let a login in already", body = ErrorBody),
        (status = 429, description = "Too many waits at once; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn host_push_wait(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    Query(q): Query<WaitParams>,
    HostSigned(host): HostSigned,
) -> HttpResult<Json<HostPushWait>> {
    let wait = q.wait.unwrap_or(0);
    Ok(Json(
        host_login::push_wait(&state, &host, &id, wait, &client).await?,
    ))
}
