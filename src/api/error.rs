//! Every way an API call can fail, as a type the views turn into words.

use portcullis_api::{ErrorBody, ErrorCode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No HTTP answer at all: the server is down or the network is gone.
    Unreachable,
    /// The server answered with an error status.
    Server {
        status: u16,
        code: ErrorCode,
        message: String,
        retry_after: Option<u64>,
    },
    /// An answer we could not read (not JSON, or not the expected shape).
    BadResponse { status: u16, detail: String },
}

/// What an error code means to the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    /// The session is gone (or never existed): the user must log in.
    SessionEnded,
    /// Too many failures: wait, then try again.
    Throttled,
    /// The server is overloaded: wait, then try again.
    Busy,
    /// The portal's own sentence: the server's message cannot tell the user
    /// what to do next in this app.
    Own(&'static str),
    /// The server's message is the best words (it names the field, the
    /// reason, or the next step of a login).
    ServerMessage,
}

/// The one place that decides what each code means. Exhaustive on purpose:
/// a code added to the API does not compile here until the portal knows
/// what to say about it.
fn meaning(code: ErrorCode) -> Meaning {
    match code {
        ErrorCode::Unauthenticated => Meaning::SessionEnded,
        ErrorCode::TooManyAttempts => Meaning::Throttled,
        ErrorCode::Unavailable => Meaning::Busy,
        ErrorCode::Suspended => Meaning::Own(
            "This account is suspended after too many failed attempts. \
             An administrator must unlock it.",
        ),
        ErrorCode::MfaRequired => Meaning::Own(
            "Administration needs a login confirmed with your authenticator app. \
             Log out, then log in again with a code.",
        ),
        ErrorCode::ReauthenticationRequired => Meaning::Own(
            "For this change, first confirm it’s you: with a current code from your \
             authenticator app, your security key, or a push to your Protect phone.",
        ),
        ErrorCode::Outranked => Meaning::Own(
            "You cannot change this for your own account or for an account with a \
             higher role.",
        ),
        ErrorCode::FactorNotSetUp => {
            Meaning::Own("No authenticator app is set up for this account.")
        }
        ErrorCode::FactorNotAllowed => Meaning::Own(
            "Your organisation does not allow this kind of second factor. \
             Ask your administrator which one to set up.",
        ),
        ErrorCode::InvalidCredentials
        | ErrorCode::Forbidden
        | ErrorCode::CsrfRejected
        | ErrorCode::BadRequest
        | ErrorCode::ValidationFailed
        | ErrorCode::PayloadTooLarge
        | ErrorCode::UnsupportedMediaType
        | ErrorCode::NotFound
        | ErrorCode::MethodNotAllowed
        | ErrorCode::InternalError
        | ErrorCode::WrongCode
        | ErrorCode::CodeAlreadyUsed
        | ErrorCode::AlreadySetUp
        | ErrorCode::NoPendingEnrollment
        | ErrorCode::NotAllowedNow
        | ErrorCode::MfaEnrollmentExpired
        | ErrorCode::Conflict
        | ErrorCode::PushMuted
        // A newer server's code: its message is all the portal has.
        | ErrorCode::Unknown => Meaning::ServerMessage,
    }
}

/// In the browser through `JSON.parse` (keeps serde_json out of the first
/// download, see `js_json`); natively (the logic tests) through serde.
#[cfg(target_arch = "wasm32")]
fn read_error_body(body: &str) -> Option<ErrorBody> {
    super::js_json::error_body(body)
}
#[cfg(not(target_arch = "wasm32"))]
fn read_error_body(body: &str) -> Option<ErrorBody> {
    serde_json::from_str(body).ok()
}

impl ApiError {
    /// Builds the error for a non-2xx answer from its status and body text.
    pub fn from_status_and_body(
        status: u16,
        body: &str,
        retry_after_header: Option<&str>,
    ) -> ApiError {
        match read_error_body(body) {
            Some(e) => ApiError::Server {
                status,
                code: e.code,
                message: e.message,
                retry_after: e
                    .retry_after
                    .or_else(|| retry_after_header.and_then(|h| h.trim().parse().ok())),
            },
            None => ApiError::BadResponse {
                status,
                detail: format!("HTTP {status} without an error description"),
            },
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unreachable => None,
            ApiError::Server { status, .. } | ApiError::BadResponse { status, .. } => Some(*status),
        }
    }

    /// The machine-readable code, for answers that carry one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Server { code, .. } => Some(*code),
            ApiError::Unreachable | ApiError::BadResponse { .. } => None,
        }
    }

    /// Whether the session has ended, so the page must send the user to log in.
    pub fn is_unauthenticated(&self) -> bool {
        self.code().map(meaning) == Some(Meaning::SessionEnded)
    }

    /// Seconds to wait before trying again (throttled or busy answers).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Server {
                code, retry_after, ..
            } if matches!(meaning(*code), Meaning::Throttled | Meaning::Busy) => {
                Some(retry_after.unwrap_or(1))
            }
            _ => None,
        }
    }

    /// What the user reads.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Unreachable => {
                "The server cannot be reached. Check your connection and try again.".to_string()
            }
            ApiError::Server {
                status,
                code,
                message,
                retry_after,
            } => {
                let wait = retry_after.unwrap_or(1);
                match meaning(*code) {
                    Meaning::Throttled => format!("Too many attempts. Try again in {wait} s."),
                    Meaning::Busy => format!("The server is busy. Try again in {wait} s."),
                    Meaning::Own(sentence) => sentence.to_string(),
                    Meaning::SessionEnded | Meaning::ServerMessage => {
                        if message.trim().is_empty() {
                            format!("The server refused the request (HTTP {status}).")
                        } else {
                            message.clone()
                        }
                    }
                }
            }
            ApiError::BadResponse { detail, .. } => {
                format!("The server sent an answer the portal cannot read ({detail}). Please try again.")
            }
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.user_message())
    }
}

impl std::error::Error for ApiError {}
