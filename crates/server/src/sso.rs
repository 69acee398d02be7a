//! Single sign-on: Portcullis as the OpenID Connect provider of the
//! organisation's apps. An app sends the browser to `authorize`; the
//! browser runs the portal's own login for that app (or reuses a session
//! that meets the app's policy, or steps it up), agrees to share what the
//! app asks, and goes back with a code; the app exchanges it at `token`
//! for an ID token (signed, RS256 or ES256), an access token and a refresh
//! token that rotates. All of it lives in the database, so any instance
//! answers any step.

pub mod apps;
pub mod authorize;
pub mod claims;
pub mod forward_auth;
pub mod jws;
pub mod keys;
pub mod logout;
pub mod mine;
pub mod policy;
pub mod scopes;
pub mod sign_in;
pub mod sites;
pub mod token;
pub mod uris;

use crate::error::Internal;

/// How long an authorization request waits for the login.
pub const REQUEST_SECS: i64 = 30 * 60;
/// How long a code may be exchanged.
pub const CODE_SECS: i64 = 60;
/// How long an access token (and an ID token) lasts.
pub const ACCESS_SECS: i64 = 60 * 60;
/// How long a token family lives without a refresh.
pub const REFRESH_SECS: i64 = 30 * 24 * 60 * 60;
/// How long a retired signing key stays published (longer than any ID
/// token it signed, and than the logouts that present one).
pub const RETIRED_KEY_SECS: i64 = 7 * 24 * 60 * 60;

/// A refusal of the protocol endpoints: an OAuth error code with words,
/// or a fault.
#[derive(Debug)]
pub enum SsoError {
    /// `error` and `error_description`; `status` is the HTTP status
    /// (400, or 401 for a client that failed to authenticate).
    Protocol {
        error: &'static str,
        description: String,
        status: u16,
    },
    Internal(Internal),
}

impl SsoError {
    pub fn invalid_request(words: impl Into<String>) -> Self {
        SsoError::Protocol {
            error: "invalid_request",
            description: words.into(),
            status: 400,
        }
    }

    pub fn invalid_grant(words: impl Into<String>) -> Self {
        SsoError::Protocol {
            error: "invalid_grant",
            description: words.into(),
            status: 400,
        }
    }

    pub fn invalid_client(words: impl Into<String>) -> Self {
        SsoError::Protocol {
            error: "invalid_client",
            description: words.into(),
            status: 401,
        }
    }

    pub fn invalid_token(words: impl Into<String>) -> Self {
        SsoError::Protocol {
            error: "invalid_token",
            description: words.into(),
            status: 401,
        }
    }
}

impl From<Internal> for SsoError {
    fn from(e: Internal) -> Self {
        SsoError::Internal(e)
    }
}

impl From<sqlx::Error> for SsoError {
    fn from(e: sqlx::Error) -> Self {
        SsoError::Internal(e.into())
    }
}

impl From<jws::JwsError> for Internal {
    fn from(e: jws::JwsError) -> Self {
        Internal::new(format!("signing: {}", e.0))
    }
}
