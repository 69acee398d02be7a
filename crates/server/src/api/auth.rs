//! Password login, logout and the current user.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{ErrorBody, FactorKind, LoginRequest, LoginResponse, Me, MfaStatus};

use crate::client::ClientInfo;
use crate::error::{ApiJson, AppError, AppResult};
use crate::session::{self, FullSession, Stage};
use crate::state::AppState;
use crate::throttle::{self, Counter};
use crate::{events, mfa, password, users};

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
    if let Err(wait) = throttle::begin_attempt(&state.db, &counters, now).await? {
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
    // Each Argon2 run holds 19 MiB: bound how many run at once.
    let _slot = state
        .hash_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(AppError::internal)?;
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &phc))
        .await
        .map_err(AppError::internal)?;

    let user = match (user, ok) {
        (Some(u), true) => u,
        (user, _) => {
            // already counted by begin_attempt
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
    let [account_client, client_only, account] = counters;
    throttle::succeeded(&state.db, &[account_client, account], &[client_only]).await?;

    // Whatever session the browser brought is dropped: a new id at login.
    if let Some(old) = session::cookie_value(&headers, &state.settings) {
        session::delete(&state, &old).await?;
    }
    let requirement = users::requirement(&state.db, &user).await?;
    let (stage, body) = match mfa::status(requirement, now) {
        MfaStatus::None => (Stage::Full, LoginResponse::Done { user: user.me() }),
        MfaStatus::Active | MfaStatus::SetUpNotRequired => (
            Stage::Password,
            LoginResponse::Mfa {
                factors: vec![FactorKind::Totp],
            },
        ),
        MfaStatus::EnrolmentPeriod { days_left } => (
            Stage::Password,
            LoginResponse::Enroll {
                mandatory: false,
                days_left: Some(days_left),
            },
        ),
        MfaStatus::RequiredNoPeriod => (
            Stage::Password,
            LoginResponse::Enroll {
                mandatory: true,
                days_left: None,
            },
        ),
        MfaStatus::EnrolmentExpired => {
            events::record(
                &state.db,
                now,
                "login_locked",
                Some(&user.id),
                &client.ip,
                "enrolment period over",
            )
            .await?;
            let body = LoginResponse::Locked {
                message: LOCKED_MESSAGE.to_string(),
            };
            return Ok(Json(body).into_response());
        }
    };
    let id = session::create(&state, &user.id, stage, &client.ip, &client.user_agent).await?;
    let kind = if stage == Stage::Full {
        "login_succeeded"
    } else {
        "login_password_ok"
    };
    events::record(&state.db, now, kind, Some(&user.id), &client.ip, "password").await?;
    Ok((
        [(
            header::SET_COOKIE,
            session::set_cookie(&state.settings, &id),
        )],
        Json(body),
    )
        .into_response())
}

/// Shown when the enrolment period is over.
pub const LOCKED_MESSAGE: &str =
    "Your time to set up multi-factor authentication has run out, so you cannot log in. \
     Contact your administrator to unlock your account.";

/// Log out: ends the session (at any stage) on the server and clears the cookie.
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
