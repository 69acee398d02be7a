//! Routes of the second login step, MFA enrollment, and the user's own
//! authenticator app.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use portcullis_api::{CodeRequest, ErrorBody, LoginResponse, MfaOverview, TotpEnrollment};

use super::device_cookie::with_login;
use super::error::HttpResult;
use super::extract::{AnySession, ApiJson, ClientInfo, SignedIn};
use crate::app::AppState;
use crate::login::second_factor;
use crate::mfa::{self, totp_factor};

/// The user's MFA status and factors (also during login).
#[utoipa::path(
    get,
    path = "/api/v1/mfa",
    tag = "mfa",
    security(("session" = [])),
    responses(
        (status = 200, description = "Status and factors", body = MfaOverview),
        (status = 401, description = "No session", body = ErrorBody),
    )
)]
pub async fn get_mfa(
    State(state): State<AppState>,
    AnySession(authed): AnySession,
) -> HttpResult<Json<MfaOverview>> {
    Ok(Json(mfa::overview::overview(&state, &authed).await?))
}

/// Proves a second factor again, for a change that needs a recent one.
#[utoipa::path(
    post,
    path = "/api/v1/mfa/verify",
    tag = "mfa",
    request_body = CodeRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Proven; sensitive changes are allowed for the next minutes"),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong or already used code, or not signed in", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
        (status = 409, description = "No authenticator app is set up", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not a code", body = ErrorBody),
        (status = 423, description = "Suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    ApiJson(req): ApiJson<CodeRequest>,
) -> HttpResult<StatusCode> {
    totp_factor::verify_again(&state, &authed, &req.code, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts authenticator-app enrollment: a new key and its `otpauth://` URI.
/// Calling it again replaces a pending (unconfirmed) key. Signed in, a
/// user who has a second factor needs one passed in the last 10 minutes.
/// A login let in by a helpdesk's temporary access code sets up a new app
/// beside the user's lost one, which it replaces once confirmed.
#[utoipa::path(
    post,
    path = "/api/v1/totp/enroll",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Key and URI for the QR code", body = TotpEnrollment),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "The organisation does not allow authenticator apps (`factor_not_allowed`); signed in with a second factor set up, but none passed in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify or /api/v1/mfa/verify/webauthn/start, then try again); a login in progress whose step this is not; or CSRF", body = ErrorBody),
        (status = 409, description = "An authenticator app is already set up", body = ErrorBody),
    )
)]
pub async fn enroll(
    State(state): State<AppState>,
    AnySession(authed): AnySession,
) -> HttpResult<Json<TotpEnrollment>> {
    Ok(Json(totp_factor::begin(&state, &authed).await?))
}

/// Confirms the new authenticator app with its first code; finishes the
/// login when enrollment was its last step.
#[utoipa::path(
    post,
    path = "/api/v1/totp/confirm",
    tag = "mfa",
    request_body = CodeRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Factor active; signed in", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong or already used code, or no session", body = ErrorBody),
        (status = 403, description = "The organisation no longer allows authenticator apps (`factor_not_allowed`); or CSRF", body = ErrorBody),
        (status = 409, description = "No enrollment in progress", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not a code", body = ErrorBody),
        (status = 423, description = "Suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<CodeRequest>,
) -> HttpResult<Response> {
    let done = second_factor::confirm_totp(&state, &authed, &req.code, &client).await?;
    Ok(with_login(&state, done.session, Json(done.answer)))
}

/// Reset Authenticator App: proves the current app with a code, removes it,
/// ends the other sessions, and leaves the user ready to enroll another one.
/// In unified mode the Protect device is removed with it (one QR code sets
/// both up again).
#[utoipa::path(
    post,
    path = "/api/v1/totp/reset",
    tag = "mfa",
    request_body = CodeRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Removed (in unified mode with the Protect device); enroll a new app next", body = MfaOverview),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong or already used code, or not signed in", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
        (status = 409, description = "No authenticator app to reset", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not a code", body = ErrorBody),
        (status = 423, description = "Suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn reset(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    ApiJson(req): ApiJson<CodeRequest>,
) -> HttpResult<Json<MfaOverview>> {
    Ok(Json(
        totp_factor::reset(&state, &authed, &req.code, &client).await?,
    ))
}
