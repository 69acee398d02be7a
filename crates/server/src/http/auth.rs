//! Routes of the password step, logout and the current user.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{ErrorBody, Me};

use super::cookie;
use super::error::HttpResult;
use super::extract::{SessionCookie, SignedIn};
use crate::app::AppState;
use crate::auth;

/// Log out: ends the session (at any stage) on the server and clears the cookie.
#[utoipa::path(
    post,
    path = "/api/v1/logout",
    tag = "auth",
    security(("csrf" = [])),
    responses(
        (status = 204, description = "Signed out (also when there was no session)"),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    SessionCookie(cookie): SessionCookie,
) -> HttpResult<Response> {
    crate::login::password::logout(&state, cookie.as_deref()).await?;
    let clear = [(header::SET_COOKIE, cookie::clear(&state.settings))];
    Ok((StatusCode::NO_CONTENT, clear).into_response())
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    security(("session" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "No session, or it expired", body = ErrorBody),
    )
)]
pub async fn me(SignedIn(authed): SignedIn) -> Json<Me> {
    Json(auth::me(&authed))
}
