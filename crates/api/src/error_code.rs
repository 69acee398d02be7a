//! The machine-readable part of every error answer. The server maps each of
//! its domain errors to exactly one of these; clients match on them
//! exhaustively instead of comparing strings. A code added by a newer server
//! reads as [`ErrorCode::Unknown`], so an older client still shows the
//! message instead of failing to parse the answer.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 401: the email or the password is wrong (one answer for both).
    InvalidCredentials,
    /// 429: too many failed attempts; `retry_after` says how long to wait.
    TooManyAttempts,
    /// 423: a hundred failures in a row; an administrator must unlock it.
    Suspended,
    /// 401: no session, or it ended.
    Unauthenticated,
    /// 403: the signed-in user may not do this.
    Forbidden,
    /// 403: administration needs a session proven with a second factor.
    MfaRequired,
    /// 403: this change needs a second factor passed in the last minutes.
    ReauthenticationRequired,
    /// 403: an administrator cannot act on a higher role, nor on themselves.
    Outranked,
    /// 403: the request lacks the CSRF header or came from another origin.
    CsrfRejected,
    /// 400: the request cannot be understood (not JSON, bad syntax).
    BadRequest,
    /// 422: a field is missing or out of its allowed range.
    ValidationFailed,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 404: no such resource or endpoint.
    NotFound,
    /// 405: the endpoint does not take this method.
    MethodNotAllowed,
    /// 500: a fault on the server (details are in its log, never here).
    InternalError,
    /// 503: the server is busy; `retry_after` says when to come back.
    Unavailable,
    /// 401: the one-time code is wrong.
    WrongCode,
    /// 401: the code was right but has been used already.
    CodeAlreadyUsed,
    /// 409: an authenticator app is set up already.
    AlreadySetUp,
    /// 409: no enrollment is in progress (or it was restarted).
    NoPendingEnrollment,
    /// 409: the factor to reset or use is not set up.
    FactorNotSetUp,
    /// 403: this step of the login does not apply now.
    NotAllowedNow,
    /// The enrollment period is over (said inside a login answer).
    MfaEnrollmentExpired,
    /// 403: the organisation does not let users set up this kind of factor.
    FactorNotAllowed,
    /// 409: the change would break a rule of what it changes (every kind
    /// of factor switched off, a required user's last factor removed) or
    /// does not fit the present state; the message says why and what to
    /// do instead.
    Conflict,
    /// 403: pushes to the user's Protect device are paused after one was
    /// reported as not theirs; the message says until when, and to use
    /// another factor meanwhile.
    PushMuted,
    /// A code this client does not know yet.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every known code, for exhaustive tests on both ends.
    pub const ALL: [ErrorCode; 27] = [
        ErrorCode::InvalidCredentials,
        ErrorCode::TooManyAttempts,
        ErrorCode::Suspended,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::MfaRequired,
        ErrorCode::ReauthenticationRequired,
        ErrorCode::Outranked,
        ErrorCode::CsrfRejected,
        ErrorCode::BadRequest,
        ErrorCode::ValidationFailed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InternalError,
        ErrorCode::Unavailable,
        ErrorCode::WrongCode,
        ErrorCode::CodeAlreadyUsed,
        ErrorCode::AlreadySetUp,
        ErrorCode::NoPendingEnrollment,
        ErrorCode::FactorNotSetUp,
        ErrorCode::NotAllowedNow,
        ErrorCode::MfaEnrollmentExpired,
        ErrorCode::FactorNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PushMuted,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_strings_and_unknown_ones_are_tolerated() {
        let json = serde_json::to_string(&ErrorCode::ReauthenticationRequired).unwrap_or_default();
        assert_eq!(json, r#""reauthentication_required""#);
        for c in ErrorCode::ALL {
            let text = serde_json::to_string(&c).unwrap_or_default();
            let back: Result<ErrorCode, _> = serde_json::from_str(&text);
            assert_eq!(back.ok(), Some(c), "{text}");
        }
        let later: Result<ErrorCode, _> = serde_json::from_str(r#""a_code_from_the_future""#);
        assert_eq!(later.ok(), Some(ErrorCode::Unknown));
    }
}
