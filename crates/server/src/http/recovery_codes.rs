//! Routes of recovery codes: what is left, a new set, and a code as the
//! second step of a login.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use portcullis_api::{
    ErrorBody, LoginResponse, NewRecoveryCodes, RecoveryCodeRequest, RecoveryCodesStatus,
};

use super::error::HttpResult;
use super::extract::{AnySession, ApiJson, ClientInfo, SignedIn};
use super::trusted_browsers::finish_login;
use crate::app::AppState;
use crate::mfa::recovery_codes;

/// How many recovery codes the signed-in user has left, and since when.
#[utoipa::path(
    get,
    path = "/api/v1/recovery-codes",
    tag = "mfa",
    security(("session" = [])),
    responses(
        (status = 200, description = "What is left of the set (never the codes)", body = RecoveryCodesStatus),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<RecoveryCodesStatus>> {
    Ok(Json(recovery_codes::status(&state, &authed).await?))
}

/// Ten new recovery codes, replacing every older one; shown this once.
/// Needs a second factor passed in the last 10 minutes.
#[utoipa::path(
    post,
    path = "/api/v1/recovery-codes",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The new codes; the old ones no longer work", body = NewRecoveryCodes),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify, then try again); no factor set up for codes to stand in for (`not_allowed_now`); or CSRF", body = ErrorBody),
    )
)]
pub async fn generate(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<NewRecoveryCodes>> {
    Ok(Json(
        recovery_codes::generate(&state, &authed, &client).await?,
    ))
}

/// Second step of login: one of the user's recovery codes, instead of a
/// factor. Each code works once. With `trust_browser`, the browser may
/// also be trusted, as at `/api/v1/login/totp`.
#[utoipa::path(
    post,
    path = "/api/v1/login/recovery-code",
    tag = "login",
    request_body = RecoveryCodeRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Signed in (new session id)", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong or already used code, or no session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now (already signed in, no second factor asked, or no codes left); or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not a recovery code", body = ErrorBody),
        (status = 423, description = "Suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes (recovery and authenticator codes count together); see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<RecoveryCodeRequest>,
) -> HttpResult<Response> {
    let done = recovery_codes::prove_at_login(&state, &authed, &req.code, &client).await?;
    finish_login(&state, &authed, &client, req.trust_browser, done).await
}
