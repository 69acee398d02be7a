//! Routes of the password step, logout and the current user.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{ErrorBody, LoginRequest, LoginResponse, Me};

use super::cookie;
use super::device_cookie::{self, DeviceCookie};
use super::error::HttpResult;
use super::extract::{ApiJson, ClientInfo, SessionCookie, SignedIn};
use super::trust_cookie;
use super::trusted_browsers::TrustCookie;
use crate::app::AppState;
use crate::auth;
use crate::auth::session::SessionId;
use crate::secret::Secret;

/// The answer with a `Set-Cookie` for a new session, if one was started.
pub(super) fn with_session(
    state: &AppState,
    id: Option<SessionId>,
    body: impl IntoResponse,
) -> Response {
    match id {
        Some(id) => (
            [(
                header::SET_COOKIE,
                cookie::set(&state.settings, id.expose()),
            )],
            body,
        )
            .into_response(),
        None => body.into_response(),
    }
}

/// Log in with email and password.
///
/// The answer names the next step of the login. An unknown email and a
/// wrong password get the same answer. When a second factor would follow
/// and the browser's trust cookie (`portcullis_trust`) is valid for this
/// user, the login is done without it; a trust cookie found expired or
/// revoked is cleared. A browser that passes the password gets a device
/// cookie (`portcullis_device`): with it, its later attempts for this
/// account are counted on their own, so failures from elsewhere never
/// suspend this browser's logins.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    tag = "auth",
    request_body = LoginRequest,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "Password accepted; `next` says what follows (a session cookie is set unless `locked`; a device cookie unless the browser holds one of this account), `done` also when a trusted browser spares the second factor", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field (the email or password breaks its rule)", body = ErrorBody),
        (status = 423, description = "Suspended after 100 failures in a row (never for a browser with this account's device cookie)", body = ErrorBody),
        (status = 429, description = "Too many attempts (failed, or completed logins of this account); see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Server busy checking passwords; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SessionCookie(old): SessionCookie,
    TrustCookie(trust): TrustCookie,
    DeviceCookie(device): DeviceCookie,
    ApiJson(req): ApiJson<LoginRequest>,
) -> HttpResult<Response> {
    let password = Secret::new(req.password);
    let cookies = auth::LoginCookies {
        session: old.as_deref(),
        trust: trust.as_deref(),
        device: device.as_deref(),
    };
    let out = auth::login(&state, &req.email, password, &client, cookies).await?;
    let mut answer = with_session(&state, out.session, Json(out.answer));
    if out.forget_trust {
        let clear = trust_cookie::clear(&state.settings);
        answer.headers_mut().append(header::SET_COOKIE, clear);
    }
    device_cookie::add(&state.settings, &mut answer, out.device);
    Ok(answer)
}

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
    auth::logout(&state, cookie.as_deref()).await?;
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
