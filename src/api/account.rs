//! The signed-in user's own account, beyond the factors: the password,
//! recovery codes, active sessions, trusted browsers; and the login steps that may also
//! trust this browser. Only lazily loaded screens call these.

use portcullis_api::{
    EndedSessions, ForgotPassword, LoginResponse, NewRecoveryCodes, PasswordChange, PasswordCheck,
    PasswordReset, PasswordVerdict, RecoveryCodesStatus, SessionInfo, TrustedBrowser, WelcomeInfo,
    WelcomeRequest, WelcomeToken,
};
use serde::Serialize;

use super::client::{delete, get, post};
use super::ApiError;
use crate::paths::encode_component;

/// A one-time code of a login's second step, and whether to trust this
/// browser from now on (offered when the organisation allows it).
#[derive(Serialize)]
struct LoginCode<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    trust_browser: bool,
}

/// Second login step: a code from the authenticator app.
pub async fn login_totp(code: &str, trust_browser: bool) -> Result<LoginResponse, ApiError> {
    post(
        "/login/totp",
        &LoginCode {
            code,
            trust_browser,
        },
    )
    .await
}

/// Second login step: one of the recovery codes.
/// The second step with a helpdesk's temporary access code: the answer is
/// `enroll` (a new factor is set up next).
pub async fn login_temporary_access(code: &str) -> Result<LoginResponse, ApiError> {
    post(
        "/login/temporary-access",
        &portcullis_api::TemporaryAccessCode { code: code.into() },
    )
    .await
}

pub async fn login_recovery_code(
    code: &str,
    trust_browser: bool,
) -> Result<LoginResponse, ApiError> {
    post(
        "/login/recovery-code",
        &LoginCode {
            code,
            trust_browser,
        },
    )
    .await
}

/// What a one-time link opens (it stays unused).
pub async fn welcome_peek(token: &str) -> Result<WelcomeInfo, ApiError> {
    post(
        "/welcome/peek",
        &WelcomeToken {
            token: token.to_string(),
        },
    )
    .await
}

/// Uses a one-time link with a password; the login it starts goes on as
/// the answer says.
pub async fn welcome(token: &str, password: &str) -> Result<LoginResponse, ApiError> {
    post(
        "/welcome",
        &WelcomeRequest {
            token: token.to_string(),
            password: password.to_string(),
        },
    )
    .await
}

/// Asks for a reset link to `email` (the answer never says whether it is
/// an account's).
pub async fn forgot_password(email: &str) -> Result<(), ApiError> {
    post(
        "/password/forgot",
        &ForgotPassword {
            email: email.to_string(),
        },
    )
    .await
}

/// Uses a reset link: the new password, and a code of the second factor
/// when the account has one.
pub async fn reset_password(
    token: &str,
    password: &str,
    code: Option<String>,
) -> Result<(), ApiError> {
    post(
        "/password/reset",
        &PasswordReset {
            token: token.to_string(),
            password: password.to_string(),
            code,
        },
    )
    .await
}

/// What a new invitation password would be refused for.
pub async fn welcome_check(token: &str, password: &str) -> Result<PasswordVerdict, ApiError> {
    post(
        "/welcome/check",
        &WelcomeRequest {
            token: token.to_string(),
            password: password.to_string(),
        },
    )
    .await
}

/// What a new password of the signed-in user would be refused for.
pub async fn check_password(password: &str) -> Result<PasswordVerdict, ApiError> {
    post(
        "/password/check",
        &PasswordCheck {
            password: password.to_string(),
        },
    )
    .await
}

pub async fn recovery_codes() -> Result<RecoveryCodesStatus, ApiError> {
    get("/recovery-codes").await
}

/// A new set, replacing every older code; shown once.
pub async fn new_recovery_codes() -> Result<NewRecoveryCodes, ApiError> {
    post("/recovery-codes", &()).await
}

/// The user's sessions, newest first.
pub async fn sessions() -> Result<Vec<SessionInfo>, ApiError> {
    get("/sessions").await
}

pub async fn end_session(id: &str) -> Result<(), ApiError> {
    delete(&format!("/sessions/{}", encode_component(id))).await
}

pub async fn end_other_sessions() -> Result<EndedSessions, ApiError> {
    post("/sessions/end-others", &()).await
}

pub async fn trusted_browsers() -> Result<Vec<TrustedBrowser>, ApiError> {
    get("/trusted-browsers").await
}

pub async fn forget_browser(id: &str) -> Result<(), ApiError> {
    delete(&format!("/trusted-browsers/{}", encode_component(id))).await
}

pub async fn forget_all_browsers() -> Result<(), ApiError> {
    delete("/trusted-browsers").await
}

/// Changes the password; answers how many other sessions ended.
pub async fn change_password(current: &str, new: &str) -> Result<EndedSessions, ApiError> {
    post(
        "/password",
        &PasswordChange {
            current_password: current.to_string(),
            new_password: new.to_string(),
        },
    )
    .await
}
