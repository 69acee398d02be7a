//! Password login, logout and the current user.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{ErrorBody, LoginRequest, LoginResponse, Me};

use crate::client::ClientInfo;
use crate::error::{ApiJson, AppError, AppResult};
use crate::session::{self, FullSession, Stage};
use crate::state::AppState;
use crate::throttle::{self, Counter};
use crate::{events, password, users};

/// Log in with email and password.
///
/// The answer names the next step of the login state machine. Unknown email
/// and wrong password get the same answer.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Password accepted; `next` says what follows", body = LoginResponse),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 422, description = "Missing or malformed field", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    users::check_email(&req.email).map_err(AppError::validation)?;
    if req.password.is_empty() {
        return Err(AppError::validation("Enter your password."));
    }
    if req.password.len() > password::MAX_LEN {
        return Err(AppError::validation("The password is too long."));
    }
    let email = users::normalize_email(&req.email);
    let now = state.now();
    let counters = [
        Counter::new(
            &["pw-acct-client", &email, &client.ip],
            throttle::PASSWORD_ACCOUNT_CLIENT,
        ),
        Counter::new(&["pw-client", &client.ip], throttle::PASSWORD_CLIENT),
        Counter::new(&["pw-acct", &email], throttle::PASSWORD_ACCOUNT),
    ];
    if let Some(wait) = throttle::blocked_for(&state.db, &counters, now).await? {
        return Err(AppError::too_many_attempts(wait));
    }

    let user = users::find_by_email(&state.db, &email).await?;
    // Always run Argon2, against a dummy hash when the email is unknown, so
    // both cases take the same time.
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &phc))
        .await
        .map_err(AppError::internal)?;

    let user = match (user, ok) {
        (Some(u), true) => u,
        (user, _) => {
            throttle::record_failure(&state.db, &counters, now).await?;
            let uid = user.as_ref().map(|u| u.id.as_str());
            events::record(
                &state.db,
                now,
                "login_failed",
                uid,
                &client.ip,
                "wrong email or password",
            )
            .await?;
            return Err(AppError::invalid_credentials());
        }
    };
    // The per-client counter stays: an attacker must not reset it by
    // logging in to an account of their own between guesses.
    throttle::clear(&state.db, &[counters[0].clone(), counters[2].clone()]).await?;

    // Whatever session the browser brought is dropped: a new id at login.
    if let Some(old) = session::cookie_value(&headers, &state.settings) {
        session::delete(&state, &old).await?;
    }
    let id = session::create(
        &state,
        &user.id,
        Stage::Full,
        &client.ip,
        &client.user_agent,
    )
    .await?;
    events::record(
        &state.db,
        now,
        "login_succeeded",
        Some(&user.id),
        &client.ip,
        "password",
    )
    .await?;
    let body = LoginResponse::Done { user: user.me() };
    Ok((
        [(
            header::SET_COOKIE,
            session::set_cookie(&state.settings, &id),
        )],
        Json(body),
    )
        .into_response())
}

/// Log out: ends the session on the server and clears the cookie.
#[utoipa::path(
    post,
    path = "/api/v1/logout",
    tag = "auth",
    responses((status = 204, description = "Signed out (also when there was no session)"))
)]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(id) = session::cookie_value(&headers, &state.settings) {
        session::delete(&state, &id).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session::clear_cookie(&state.settings))],
    )
        .into_response())
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "No session, or it expired", body = ErrorBody),
    )
)]
pub async fn me(State(state): State<AppState>, FullSession(s): FullSession) -> AppResult<Json<Me>> {
    let user = users::find_by_id(&state.db, &s.user_id)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    Ok(Json(user.me()))
}
