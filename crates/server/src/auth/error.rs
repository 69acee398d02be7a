//! Why signing in or reaching an endpoint failed, as every area above
//! `auth` passes it on.

use super::throttle::Refused;
use crate::error::Internal;

/// Why signing in or reaching an endpoint failed.
#[derive(Debug)]
pub enum AuthError {
    /// A field is missing or malformed; the text says which and how.
    Invalid(String),
    /// Wrong email or password (one answer for both).
    InvalidCredentials,
    /// Too many attempts: wait this many seconds.
    Throttled(u64),
    /// A hundred failures in a row: an administrator must unlock.
    Suspended,
    /// The server is busy hashing passwords: come back in this many seconds.
    Busy(u64),
    /// No live session.
    Unauthenticated,
    /// Signed in, but this needs an administrator.
    NotAdmin,
    /// Administration needs a session proven with a second factor.
    MfaRequired,
    /// This change needs a second factor passed in the last minutes.
    ReauthenticationRequired,
    Internal(Internal),
}

impl From<Internal> for AuthError {
    fn from(e: Internal) -> Self {
        AuthError::Internal(e)
    }
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Internal(e.into())
    }
}

impl From<Refused> for AuthError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Wait(secs) => AuthError::Throttled(secs),
            Refused::Suspended => AuthError::Suspended,
            Refused::Internal(e) => AuthError::Internal(e),
        }
    }
}
