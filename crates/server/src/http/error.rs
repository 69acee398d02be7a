//! Every error answer is made here: each domain error maps to one status
//! and one [`ErrorCode`], with a sentence a person can read. Internal causes
//! are logged, never sent.

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{ErrorBody, ErrorCode};

use crate::admin::settings::SettingsError;
use crate::admin::AdminError;
use crate::auth::own_sessions::SessionsError;
use crate::auth::password_change::ChangeError;
use crate::auth::trusted_browser::TrustError;
use crate::auth::AuthError;
use crate::error::Internal;
use crate::mfa::MfaError;
use crate::people::reset::ResetError;
use crate::people::welcome::{self, WelcomeError};

#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: Cow<'static, str>,
    pub retry_after: Option<u64>,
}

pub type HttpResult<T> = Result<T, HttpError>;

impl HttpError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        HttpError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    fn retry(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    pub fn validation(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationFailed,
            message,
        )
    }

    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    pub fn csrf(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::CsrfRejected, message)
    }

    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    fn too_many_attempts(secs: u64) -> Self {
        let secs = secs.max(1);
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            format!(
                "Too many attempts. Try again in {secs} second{}.",
                if secs == 1 { "" } else { "s" }
            ),
        )
        .retry(secs)
    }

    fn suspended(what: &str) -> Self {
        Self::new(
            StatusCode::LOCKED,
            ErrorCode::Suspended,
            format!(
                "{what} is suspended after too many failed attempts in a row. \
                 Contact your administrator to unlock it."
            ),
        )
    }

    fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "You are not signed in, or your session has expired.",
        )
    }

    /// Logs the cause (which must not contain secrets) and answers a plain 500.
    pub fn internal(cause: &Internal) -> Self {
        tracing::error!(cause = %cause.cause(), "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on the server. Please try again.",
        )
    }

    /// The JSON error for a bare status produced outside our handlers
    /// (routing 404/405, body limits).
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found("There is no such API endpoint."),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                ErrorCode::MethodNotAllowed,
                "This endpoint does not accept that HTTP method.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                status,
                ErrorCode::PayloadTooLarge,
                "The request body is too large.",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                status,
                ErrorCode::UnsupportedMediaType,
                "Send the request body as JSON (Content-Type: application/json).",
            ),
            s if s.is_server_error() => Self::internal(&Internal::new(format!("bare status {s}"))),
            s => Self::new(
                s,
                ErrorCode::BadRequest,
                "The request could not be understood.",
            ),
        }
    }
}

impl From<Internal> for HttpError {
    fn from(e: Internal) -> Self {
        HttpError::internal(&e)
    }
}

impl From<AuthError> for HttpError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Invalid(m) => HttpError::validation(m),
            // Same status, body and wording for an unknown email and a
            // wrong password, so the answer does not reveal which accounts exist.
            AuthError::InvalidCredentials => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                "The email or password is incorrect.",
            ),
            AuthError::Throttled(secs) => HttpError::too_many_attempts(secs),
            AuthError::Suspended => HttpError::suspended("Signing in to this account"),
            AuthError::Busy(secs) => HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "The server is busy. Try again in a moment.",
            )
            .retry(secs),
            AuthError::Unauthenticated => HttpError::unauthenticated(),
            AuthError::NotAdmin => HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "This needs an administrator.",
            ),
            AuthError::MfaRequired => HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::MfaRequired,
                "Administration needs a session signed in with a second factor. Sign out, set up multi-factor authentication and sign in with it.",
            ),
            AuthError::ReauthenticationRequired => HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::ReauthenticationRequired,
                "Confirm it's you: enter a code from your authenticator app, use your security key, or approve a push on your Protect device, then try again.",
            ),
            AuthError::Internal(e) => HttpError::internal(&e),
        }
    }
}

impl From<MfaError> for HttpError {
    fn from(e: MfaError) -> Self {
        match e {
            MfaError::Invalid(m) => HttpError::validation(m),
            MfaError::WrongCode => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::WrongCode,
                crate::mfa::error::WRONG_CODE,
            ),
            // The portal shows the server's sentence for `wrong_code`.
            MfaError::WrongCodeClockSkew(m) => {
                HttpError::new(StatusCode::UNAUTHORIZED, ErrorCode::WrongCode, m)
            }
            MfaError::WrongRecoveryCode => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::WrongCode,
                crate::mfa::error::WRONG_RECOVERY_CODE,
            ),
            MfaError::RecoveryCodeAlreadyUsed => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::CodeAlreadyUsed,
                crate::mfa::error::RECOVERY_CODE_USED,
            ),
            MfaError::CodeAlreadyUsed => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::CodeAlreadyUsed,
                crate::mfa::error::CODE_USED,
            ),
            MfaError::Throttled(secs) => HttpError::too_many_attempts(secs),
            MfaError::Suspended => HttpError::suspended("Your authenticator app"),
            MfaError::RecoveryCodesSuspended => HttpError::suspended("Using recovery codes"),
            MfaError::TemporaryAccessSuspended => {
                HttpError::suspended("Using temporary access codes")
            }
            MfaError::WrongTemporaryAccessCode => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::WrongCode,
                "That code does not work: it is wrong, was used already, or has expired. Check it \
                 with your helpdesk, who can make a new one.",
            ),
            MfaError::LoginEnded => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                crate::login::finish::LOGIN_ENDED,
            ),
            MfaError::AlreadySetUp => HttpError::new(
                StatusCode::CONFLICT,
                ErrorCode::AlreadySetUp,
                "An authenticator app is already set up. Reset it on the Security page to use another one.",
            ),
            MfaError::NoPendingEnrollment(m) => {
                HttpError::new(StatusCode::CONFLICT, ErrorCode::NoPendingEnrollment, m)
            }
            MfaError::NotSetUp => HttpError::new(
                StatusCode::CONFLICT,
                ErrorCode::FactorNotSetUp,
                "No authenticator app is set up for this account.",
            ),
            MfaError::NotAllowedNow(m) => {
                HttpError::new(StatusCode::FORBIDDEN, ErrorCode::NotAllowedNow, m)
            }
            MfaError::FactorNotAllowed(m) => {
                HttpError::new(StatusCode::FORBIDDEN, ErrorCode::FactorNotAllowed, m)
            }
            // The portal shows the server's sentence for these codes.
            MfaError::KeyRefused(m) => {
                HttpError::new(StatusCode::UNAUTHORIZED, ErrorCode::WrongCode, m)
            }
            MfaError::CeremonyExpired => HttpError::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "This security-key request has expired, was used already, or belongs to another sign-in. Start again.",
            ),
            MfaError::CeremoniesOpen(secs) => {
                let secs = u64::try_from(secs).unwrap_or(1).max(1);
                HttpError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyAttempts,
                    format!(
                        "This session has {} security-key requests open already, the most it \
                         may have. Each ends 5 minutes after it started: try again in {secs} \
                         second{}.",
                        crate::challenge::PER_SESSION,
                        if secs == 1 { "" } else { "s" }
                    ),
                )
                .retry(secs)
            }
            MfaError::KeyAlreadyRegistered => HttpError::new(
                StatusCode::CONFLICT,
                ErrorCode::AlreadySetUp,
                "This security key is already registered. Use another key, or keep this one.",
            ),
            MfaError::KeyNotFound => {
                HttpError::not_found("You have no security key or passkey with this id.")
            }
            MfaError::LastFactor(m) => HttpError::new(StatusCode::CONFLICT, ErrorCode::Conflict, m),
            MfaError::DeviceRefused(m) => {
                HttpError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, m)
            }
            MfaError::PushNotFound => HttpError::not_found("There is no such push request."),
            MfaError::PushAnswered(m) => {
                HttpError::new(StatusCode::CONFLICT, ErrorCode::Conflict, m)
            }
            MfaError::PushBusy { secs, limit } => {
                let secs = u64::try_from(secs).unwrap_or(1).max(1);
                let words =
                    crate::mfa::push::policy::busy_words(limit, i64::try_from(secs).unwrap_or(1));
                HttpError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts, words)
                    .retry(secs)
            }
            MfaError::PushMuted(m) => HttpError::new(StatusCode::FORBIDDEN, ErrorCode::PushMuted, m),
            MfaError::DeviceNotFound => {
                HttpError::not_found("No Protect device is enrolled for this account.")
            }
            MfaError::SessionLimit { message, secs } => {
                HttpError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts, message)
                    .retry(secs)
            }
            MfaError::Auth(e) => e.into(),
            MfaError::Internal(e) => HttpError::internal(&e),
        }
    }
}

impl From<ChangeError> for HttpError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::WrongCurrent => HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                "The current password is wrong.",
            ),
            ChangeError::Invalid(m) => HttpError::validation(m),
            // Valid by the API's document, refused by the policy: 409.
            ChangeError::Weak(m) => HttpError::new(StatusCode::CONFLICT, ErrorCode::Conflict, m),
            ChangeError::Throttled(secs) => HttpError::too_many_attempts(secs),
            ChangeError::Busy(secs) => HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "The server is busy. Try again in a moment.",
            )
            .retry(secs),
            ChangeError::Auth(e) => e.into(),
            ChangeError::Internal(e) => HttpError::internal(&e),
        }
    }
}

impl From<SessionsError> for HttpError {
    fn from(e: SessionsError) -> Self {
        match e {
            SessionsError::NotFound => HttpError::not_found(
                "You have no session with this id: it may have ended already. Reload the list.",
            ),
            SessionsError::Current => HttpError::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "This is the session you are using: log out instead.",
            ),
            SessionsError::Auth(e) => e.into(),
            SessionsError::Internal(e) => HttpError::internal(&e),
        }
    }
}

impl From<WelcomeError> for HttpError {
    fn from(e: WelcomeError) -> Self {
        match e {
            WelcomeError::LinkInvalid => HttpError::not_found(welcome::LINK_INVALID),
            // Valid by the API's document, refused by the policy: 409.
            WelcomeError::Weak(m) => HttpError::new(StatusCode::CONFLICT, ErrorCode::Conflict, m),
            WelcomeError::Auth(e) => e.into(),
        }
    }
}

impl From<ResetError> for HttpError {
    fn from(e: ResetError) -> Self {
        match e {
            ResetError::Welcome(e) => e.into(),
            ResetError::Code(e) => e.into(),
        }
    }
}

impl From<AdminError> for HttpError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(m) => HttpError::validation(m),
            AdminError::NotFound => HttpError::not_found("There is no user with this id."),
            AdminError::Missing(m) => HttpError::not_found(m),
            AdminError::Outranked(m) => {
                HttpError::new(StatusCode::FORBIDDEN, ErrorCode::Outranked, m)
            }
            // Clients show the sentence, which says what to do instead.
            AdminError::Conflict(m) => HttpError::new(StatusCode::CONFLICT, ErrorCode::Conflict, m),
            AdminError::Auth(e) => e.into(),
            AdminError::Internal(e) => HttpError::internal(&e),
        }
    }
}

impl From<SettingsError> for HttpError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Invalid(m) => HttpError::validation(m),
            SettingsError::NotBillingAdmin => HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "Only a billing administrator can change which factors users may set up.",
            ),
            SettingsError::ProtectModeNotBillingAdmin => HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "Only a billing administrator can merge or separate Protect and the authenticator app.",
            ),
            // 409, not 422: the body is valid by the API's document, which
            // cannot say "not every kind false".
            SettingsError::NoFactorAllowed => HttpError::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "At least one kind of factor must stay allowed, or users could not set up MFA.",
            ),
            SettingsError::Auth(e) => e.into(),
            SettingsError::Internal(e) => HttpError::internal(&e),
        }
    }
}

impl From<TrustError> for HttpError {
    fn from(e: TrustError) -> Self {
        match e {
            TrustError::NotFound => {
                HttpError::not_found("You have no trusted browser with this id.")
            }
            TrustError::Internal(e) => HttpError::internal(&e),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        // Every throttle refusal passes here, whichever area refused.
        match self.code {
            ErrorCode::TooManyAttempts => crate::metrics::throttled(crate::metrics::Refusal::Wait),
            ErrorCode::Suspended => crate::metrics::throttled(crate::metrics::Refusal::Suspended),
            _ => {}
        }
        let body = ErrorBody {
            code: self.code,
            message: self.message.into_owned(),
            retry_after: self.retry_after,
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_ended_while_checked_is_said_in_words() {
        let e = HttpError::from(MfaError::LoginEnded);
        assert_eq!(
            (e.status, e.code),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
        );
        assert!(e.message.contains("start again"), "{}", e.message);
        let e = HttpError::from(MfaError::RecoveryCodesSuspended);
        assert_eq!(e.status, StatusCode::LOCKED);
        assert!(e.message.contains("recovery codes"), "{}", e.message);
    }
}
