//! The second step of login, MFA enrolment, and the user's own TOTP factor.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{
    codes, CodeRequest, ErrorBody, LoginResponse, MfaOverview, MfaStatus, TotpEnrolment, TotpState,
};

use crate::client::ClientInfo;
use crate::email::{self, Kind};
use crate::error::{ApiJson, AppError, AppResult};
use crate::session::{self, AnySession, FullSession, Session, Stage};
use crate::state::AppState;
use crate::throttle::{self, Counter};
use crate::totp::{self, Check};
use crate::users::{self, User};
use crate::{events, mfa};

async fn user_of(state: &AppState, s: &Session) -> AppResult<User> {
    users::find_by_id(&state.db, &s.user_id)
        .await?
        .ok_or_else(AppError::unauthenticated)
}

fn not_allowed(message: &'static str) -> AppError {
    AppError::new(StatusCode::FORBIDDEN, codes::NOT_ALLOWED_NOW, message)
}

/// Checks a code typed by `user` against `secret`: throttled per account,
/// and each time step good for one use only.
async fn verify_code(
    state: &AppState,
    user: &User,
    secret: &str,
    raw: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let code = totp::normalize_code(raw).map_err(AppError::validation)?;
    let now = state.now();
    let counters = [Counter::new(&["code", &user.id], throttle::CODE_ACCOUNT)];
    if let Err(wait) = throttle::begin_attempt(&state.db, &counters, now).await? {
        return Err(AppError::too_many_attempts(wait));
    }
    let last_step: i64 = sqlx::query_scalar("SELECT totp_last_step FROM users WHERE id = ?")
        .bind(&user.id)
        .fetch_one(&state.db)
        .await?;
    let outcome = match totp::check(secret, &code, now, last_step) {
        Check::Accepted(step) if totp::claim_step(&state.db, &user.id, step).await? => {
            Check::Accepted(step)
        }
        // another request used this step a moment ago
        Check::Accepted(_) => Check::Reused,
        other => other,
    };
    match outcome {
        Check::Accepted(_) => {
            throttle::succeeded(&state.db, &counters, &[]).await?;
            Ok(())
        }
        Check::Reused => {
            // A right code, only too soon again (e.g. the first code of a
            // new app in the step its reset used): not a guess, so it does
            // not count towards the block.
            throttle::succeeded(&state.db, &[], &counters).await?;
            events::record(
                &state.db,
                now,
                "mfa_failed",
                Some(&user.id),
                &client.ip,
                "totp: code already used",
            )
            .await?;
            Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                codes::CODE_ALREADY_USED,
                "This code has already been used. Wait for the next code from your app.",
            ))
        }
        Check::Wrong => {
            // already counted by begin_attempt
            events::record(
                &state.db,
                now,
                "mfa_failed",
                Some(&user.id),
                &client.ip,
                "totp: wrong code",
            )
            .await?;
            Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                codes::WRONG_CODE,
                "That code is not correct. Enter the current code from your authenticator app.",
            ))
        }
    }
}

/// Moves a password-only session to fully signed in, with a new id.
async fn finish_login(
    state: &AppState,
    s: &Session,
    user: &User,
    client: &ClientInfo,
) -> AppResult<Response> {
    let id = session::upgrade(state, s, Stage::Full, &client.ip, &client.user_agent).await?;
    Ok((
        [(
            header::SET_COOKIE,
            session::set_cookie(&state.settings, &id),
        )],
        Json(LoginResponse::Done { user: user.me() }),
    )
        .into_response())
}

/// Second step of login: a code from the authenticator app.
#[utoipa::path(
    post,
    path = "/api/v1/login/totp",
    tag = "login",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "Signed in (new session id)", body = LoginResponse),
        (status = 401, description = "Wrong or already used code, or no login in progress", body = ErrorBody),
        (status = 422, description = "Not six digits", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody),
    )
)]
pub async fn login_totp(
    State(state): State<AppState>,
    client: ClientInfo,
    AnySession(s): AnySession,
    ApiJson(req): ApiJson<CodeRequest>,
) -> AppResult<Response> {
    if s.stage != Stage::Password {
        return Err(not_allowed("You are already signed in."));
    }
    let user = user_of(&state, &s).await?;
    let factor = totp::get(&state.db, &user.id).await?;
    let Some(secret) = factor
        .filter(|f| f.confirmed_at.is_some())
        .map(|f| f.secret)
    else {
        return Err(not_allowed(
            "No authenticator app is set up for this account.",
        ));
    };
    verify_code(&state, &user, &secret, &req.code, &client).await?;
    events::record(
        &state.db,
        state.now(),
        "login_succeeded",
        Some(&user.id),
        &client.ip,
        "password + totp",
    )
    .await?;
    finish_login(&state, &s, &user, &client).await
}

/// "Remind me later": finish login without MFA while the enrolment period lasts.
#[utoipa::path(
    post,
    path = "/api/v1/login/skip-enrolment",
    tag = "login",
    responses(
        (status = 200, description = "Signed in (new session id)", body = LoginResponse),
        (status = 403, description = "Setup cannot be postponed now", body = ErrorBody),
    )
)]
pub async fn skip_enrolment(
    State(state): State<AppState>,
    client: ClientInfo,
    AnySession(s): AnySession,
) -> AppResult<Response> {
    if s.stage != Stage::Password {
        return Err(not_allowed("You are already signed in."));
    }
    let user = user_of(&state, &s).await?;
    let status = mfa::status(users::requirement(&state.db, &user).await?, state.now());
    if !matches!(status, MfaStatus::EnrolmentPeriod { .. }) {
        return Err(not_allowed(
            "Multi-factor authentication must be set up now; it cannot be postponed.",
        ));
    }
    events::record(
        &state.db,
        state.now(),
        "login_succeeded",
        Some(&user.id),
        &client.ip,
        "password; MFA setup postponed",
    )
    .await?;
    finish_login(&state, &s, &user, &client).await
}

async fn overview(state: &AppState, user: &User) -> AppResult<MfaOverview> {
    let requirement = users::requirement(&state.db, user).await?;
    let totp = match totp::get(&state.db, &user.id).await? {
        None => TotpState::NotSetUp,
        Some(f) => match f.confirmed_at {
            Some(since) => TotpState::Active { since },
            None => TotpState::Pending,
        },
    };
    Ok(MfaOverview {
        status: mfa::status(requirement, state.now()),
        deadline: user.mfa_deadline.filter(|_| user.mfa_required),
        totp,
    })
}

/// The user's MFA status and factors (also during login).
#[utoipa::path(
    get,
    path = "/api/v1/mfa",
    tag = "mfa",
    responses(
        (status = 200, description = "Status and factors", body = MfaOverview),
        (status = 401, description = "No session", body = ErrorBody),
    )
)]
pub async fn get_mfa(
    State(state): State<AppState>,
    AnySession(s): AnySession,
) -> AppResult<Json<MfaOverview>> {
    let user = user_of(&state, &s).await?;
    Ok(Json(overview(&state, &user).await?))
}

/// Starts authenticator-app enrolment: a new secret and its `otpauth://` URI.
/// Calling it again replaces a pending (unconfirmed) secret.
#[utoipa::path(
    post,
    path = "/api/v1/totp/enrol",
    tag = "mfa",
    responses(
        (status = 200, description = "Secret and URI for the QR code", body = TotpEnrolment),
        (status = 409, description = "An authenticator app is already set up", body = ErrorBody),
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    AnySession(s): AnySession,
) -> AppResult<Json<TotpEnrolment>> {
    let user = user_of(&state, &s).await?;
    let already = || {
        AppError::new(
            StatusCode::CONFLICT,
            codes::ALREADY_SET_UP,
            "An authenticator app is already set up. Reset it on the Security page to use another one.",
        )
    };
    if s.stage == Stage::Password {
        // Half-signed-in: only the enrolment that login asked for.
        let status = mfa::status(users::requirement(&state.db, &user).await?, state.now());
        if !matches!(
            status,
            MfaStatus::EnrolmentPeriod { .. } | MfaStatus::RequiredNoPeriod
        ) {
            return Err(already());
        }
    }
    let secret = totp::begin(&state.db, &user.id, state.now())
        .await?
        .ok_or_else(already)?;
    Ok(Json(TotpEnrolment {
        uri: totp::uri(&secret, &user.email),
        secret,
        issuer: totp::ISSUER.to_string(),
        account: user.email.clone(),
    }))
}

/// Finishes enrolment with the first code; the factor is active from now.
/// During login this also signs the user in (new session id).
#[utoipa::path(
    post,
    path = "/api/v1/totp/confirm",
    tag = "mfa",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "Factor active; signed in", body = LoginResponse),
        (status = 401, description = "Wrong or already used code", body = ErrorBody),
        (status = 409, description = "No enrolment in progress", body = ErrorBody),
        (status = 429, description = "Too many wrong codes", body = ErrorBody),
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    client: ClientInfo,
    AnySession(s): AnySession,
    ApiJson(req): ApiJson<CodeRequest>,
) -> AppResult<Response> {
    let user = user_of(&state, &s).await?;
    let pending = totp::get(&state.db, &user.id)
        .await?
        .filter(|f| f.confirmed_at.is_none());
    let Some(factor) = pending else {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            codes::NO_PENDING_ENROLMENT,
            "There is no authenticator-app setup in progress. Start again.",
        ));
    };
    verify_code(&state, &user, &factor.secret, &req.code, &client).await?;
    let now = state.now();
    if !totp::confirm(&state.db, &user.id, &factor.secret, now).await? {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            codes::NO_PENDING_ENROLMENT,
            "The setup was restarted meanwhile (another tab?). Scan the newest QR code and try again.",
        ));
    }
    email::queue(&state.db, now, Kind::MfaSetupComplete, &user, None).await?;
    events::record(
        &state.db,
        now,
        "mfa_enrolled",
        Some(&user.id),
        &client.ip,
        "totp",
    )
    .await?;
    if s.stage == Stage::Password {
        events::record(
            &state.db,
            now,
            "login_succeeded",
            Some(&user.id),
            &client.ip,
            "password + totp enrolment",
        )
        .await?;
        finish_login(&state, &s, &user, &client).await
    } else {
        Ok(Json(LoginResponse::Done { user: user.me() }).into_response())
    }
}

/// Reset Authenticator App: proves the current app with a code, removes it,
/// and leaves the user ready to enrol another one.
#[utoipa::path(
    post,
    path = "/api/v1/totp/reset",
    tag = "mfa",
    request_body = CodeRequest,
    responses(
        (status = 200, description = "Removed; enrol a new app next", body = MfaOverview),
        (status = 401, description = "Wrong or already used code", body = ErrorBody),
        (status = 409, description = "No authenticator app to reset", body = ErrorBody),
        (status = 429, description = "Too many wrong codes", body = ErrorBody),
    )
)]
pub async fn reset(
    State(state): State<AppState>,
    client: ClientInfo,
    FullSession(s): FullSession,
    ApiJson(req): ApiJson<CodeRequest>,
) -> AppResult<Json<MfaOverview>> {
    let user = user_of(&state, &s).await?;
    let active = totp::get(&state.db, &user.id)
        .await?
        .filter(|f| f.confirmed_at.is_some());
    let Some(factor) = active else {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            codes::NO_PENDING_ENROLMENT,
            "No authenticator app is set up, so there is nothing to reset.",
        ));
    };
    verify_code(&state, &user, &factor.secret, &req.code, &client).await?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    totp::delete(&mut *tx, &user.id).await?;
    if user.mfa_required {
        // Still required: the user must set up the new app now, or at the
        // next login — never locked out by an old, expired period.
        users::set_requirement(&mut *tx, &user.id, None, now).await?;
    }
    email::queue(&mut *tx, now, Kind::AuthenticatorRemoved, &user, None).await?;
    tx.commit().await?;
    events::record(
        &state.db,
        now,
        "mfa_reset_by_user",
        Some(&user.id),
        &client.ip,
        "totp",
    )
    .await?;
    let user = user_of(&state, &s).await?;
    Ok(Json(overview(&state, &user).await?))
}
