//! Every way an API call can fail, as a type the views turn into words.

use portcullis_api::{codes, ErrorBody};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No HTTP answer at all: the server is down or the network is gone.
    Unreachable,
    /// The server answered with an error status.
    Server {
        status: u16,
        code: String,
        message: String,
        retry_after: Option<u64>,
    },
    /// An answer we could not read (not JSON, or not the expected shape).
    BadResponse { status: u16, detail: String },
}

impl ApiError {
    /// Builds the error for a non-2xx answer from its status and body text.
    pub fn from_status_and_body(
        status: u16,
        body: &str,
        retry_after_header: Option<&str>,
    ) -> ApiError {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(e) => ApiError::Server {
                status,
                code: e.code,
                message: e.message,
                retry_after: e
                    .retry_after
                    .or_else(|| retry_after_header.and_then(|h| h.trim().parse().ok())),
            },
            Err(_) => ApiError::BadResponse {
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

    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, ApiError::Server { code, .. } if code == codes::UNAUTHENTICATED)
    }

    /// Seconds to wait, for throttled answers.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Server {
                code, retry_after, ..
            } if code == codes::TOO_MANY_ATTEMPTS => Some(retry_after.unwrap_or(1)),
            _ => None,
        }
    }

    /// What the user reads.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Unreachable => {
                "The server cannot be reached. Check your connection and try again.".to_string()
            }
            ApiError::Server { .. } if self.retry_after().is_some() => {
                too_many_attempts(self.retry_after().unwrap_or(1))
            }
            ApiError::Server {
                status, message, ..
            } => {
                if message.trim().is_empty() {
                    format!("The server refused the request (HTTP {status}).")
                } else {
                    message.clone()
                }
            }
            ApiError::BadResponse { detail, .. } => {
                format!("The server sent an answer the portal cannot read ({detail}). Please try again.")
            }
        }
    }
}

pub fn too_many_attempts(secs: u64) -> String {
    format!("Too many attempts. Try again in {secs} s.")
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.user_message())
    }
}

impl std::error::Error for ApiError {}
