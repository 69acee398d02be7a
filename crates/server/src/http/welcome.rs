//! The welcome a one-time link opens (`/welcome#…`): what the link is for,
//! then using it with a password, which starts a login like the password
//! form does (the session cookie, then the step the flow asks for).

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use portcullis_api::{
    ErrorBody, LoginResponse, PasswordVerdict, WelcomeInfo, WelcomeRequest, WelcomeToken,
};

use super::cookie::with_session;
use super::error::HttpResult;
use super::extract::{ApiJson, ClientInfo, SessionCookie};
use crate::app::AppState;
use crate::auth::session;
use crate::people::welcome;
use crate::secret::Secret;

/// What a link is for and whose account it opens, without using it up.
#[utoipa::path(
    post,
    path = "/api/v1/welcome/peek",
    tag = "auth",
    request_body = WelcomeToken,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "The link is valid", body = WelcomeInfo),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 404, description = "The link was used, replaced or has expired", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field", body = ErrorBody),
    )
)]
pub async fn peek(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<WelcomeToken>,
) -> HttpResult<Json<WelcomeInfo>> {
    Ok(Json(welcome::peek(&state, &req.token).await?))
}

/// What an invitation's new password would be refused for, in words (the
/// rules `POST /api/v1/welcome` applies), without using the link.
#[utoipa::path(
    post,
    path = "/api/v1/welcome/check",
    tag = "auth",
    request_body = WelcomeRequest,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "The verdict", body = PasswordVerdict),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 404, description = "The link was used, replaced or has expired", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or a password longer than 1024 characters", body = ErrorBody),
    )
)]
pub async fn check(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<WelcomeRequest>,
) -> HttpResult<Json<PasswordVerdict>> {
    Ok(Json(
        welcome::verdict(&state, &req.token, &req.password).await?,
    ))
}

/// Use a link: an invitation with the password the user chooses, a setup
/// link with the account's password. The answer names the next step of
/// the login it starts (a session cookie is set unless `locked`): MFA
/// setup where it is required, always for an administrator.
#[utoipa::path(
    post,
    path = "/api/v1/welcome",
    tag = "auth",
    request_body = WelcomeRequest,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "Link used; `next` says what follows", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "A setup link with a wrong password (the link stays valid)", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 404, description = "The link was used, replaced or has expired", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 409, description = "An invitation's new password breaks the password policy (the message says how)", body = ErrorBody),
        (status = 422, description = "Missing field, or a password longer than 1024 characters", body = ErrorBody),
        (status = 423, description = "Password suspended after 100 failures in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Server busy checking passwords; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SessionCookie(old): SessionCookie,
    ApiJson(req): ApiJson<WelcomeRequest>,
) -> HttpResult<Response> {
    let password = Secret::new(req.password);
    let (id, answer) = welcome::accept(&state, &req.token, password, &client).await?;
    // Whatever session the browser brought ends: a new id for a new login.
    if let (Some(old), Some(_)) = (old.as_deref(), &id) {
        session::end(&state.db, old).await?;
    }
    Ok(with_session(&state, id, Json(answer)))
}
