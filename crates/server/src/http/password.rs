//! The route of changing one's own password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::{
    EndedSessions, ErrorBody, ForgotPassword, PasswordChange, PasswordCheck, PasswordReset,
    PasswordVerdict,
};

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
        (status = 409, description = "The new password breaks the password policy (the message says how)", body = ErrorBody),
        (status = 422, description = "A missing field, or a new password longer than 1024 characters", body = ErrorBody),
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
        (status = 422, description = "Missing field, or longer than 1024 characters", body = ErrorBody),
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

/// "Forgot password?": emails a reset link (valid 15 minutes, once) to
/// this address if it is an account's. The answer is the same whether it
/// is or not; a few are sent per address and per client an hour.
#[utoipa::path(
    post,
    path = "/api/v1/password/forgot",
    tag = "auth",
    request_body = ForgotPassword,
    security(("csrf" = [])),
    responses(
        (status = 204, description = "Taken (an email went if the address is an account's)"),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not an email address", body = ErrorBody),
        (status = 429, description = "Too many asked for this address or from this client; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn forgot_password(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<ForgotPassword>,
) -> HttpResult<StatusCode> {
    crate::people::reset::forgot(&state, &req.email, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Uses a reset link: the new password, with a code from the authenticator
/// app or a recovery code when the account has a second factor. Every
/// session of the account ends; it signs in with the new password.
#[utoipa::path(
    post,
    path = "/api/v1/password/reset",
    tag = "auth",
    request_body = PasswordReset,
    security(("csrf" = [])),
    responses(
        (status = 204, description = "The password is reset"),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The code is wrong or used", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 404, description = "The link was used, replaced or has expired", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 409, description = "The new password breaks the password policy (the message says how)", body = ErrorBody),
        (status = 422, description = "Missing field, no code where one is needed, or a password longer than 1024 characters", body = ErrorBody),
        (status = 423, description = "The factor is suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Server busy with passwords; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<PasswordReset>,
) -> HttpResult<StatusCode> {
    let password = Secret::new(req.password);
    crate::people::reset::reset(&state, &req.token, password, req.code.as_deref(), &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
