//! The route of changing one's own password.

use axum::extract::State;
use axum::Json;
use portcullis_api::{EndedSessions, ErrorBody, PasswordChange, PasswordCheck, PasswordVerdict};

use super::error::HttpResult;
use super::extract::{ApiJson, ClientInfo, SignedIn};
use crate::app::AppState;
use crate::auth::password_change;
use crate::secret::Secret;

/// Changes the signed-in user's password: the current one, and a second
/// factor passed in the last 10 minutes unless the user has none set up.
/// Every other session of the user ends; the user is emailed.
#[utoipa::path(
    post,
    path = "/api/v1/password",
    tag = "auth",
    request_body = PasswordChange,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Changed; how many other signed-in sessions ended", body = EndedSessions),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The current password is wrong (`invalid_credentials`), or not signed in", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify or /api/v1/mfa/verify/webauthn/start, then try again); or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing field, or the new password breaks a rule (the message says which)", body = ErrorBody),
        (status = 429, description = "Too many wrong current passwords; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Server busy with passwords; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    ApiJson(req): ApiJson<PasswordChange>,
) -> HttpResult<Json<EndedSessions>> {
    let current = Secret::new(req.current_password);
    let new = Secret::new(req.new_password);
    Ok(Json(
        password_change::change(&state, &authed, current, new, &client).await?,
    ))
}

/// What a new password of the signed-in user would be refused for, in
/// words, by the rules the change applies (15 characters without a second
/// factor, 8 with one; not a common or breached password; not the
/// account's email or name). Nothing changes.
#[utoipa::path(
    post,
    path = "/api/v1/password/check",
    tag = "auth",
    request_body = PasswordCheck,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The verdict", body = PasswordVerdict),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field", body = ErrorBody),
    )
)]
pub async fn check_password(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    ApiJson(req): ApiJson<PasswordCheck>,
) -> HttpResult<Json<PasswordVerdict>> {
    Ok(Json(
        password_change::verdict(&state, &authed, &req.password).await?,
    ))
}
