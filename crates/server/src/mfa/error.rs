//! Why an MFA step failed, in the variants the HTTP layer maps to answers.

use crate::auth::error::AuthError;
use crate::auth::throttle::Refused;
use crate::error::Internal;

/// The words of the refusals most often seen (the HTTP answer and the
/// RADIUS reply share them).
pub const WRONG_CODE: &str =
    "That code is not correct. Enter the current code from your authenticator app.";
pub const WRONG_RECOVERY_CODE: &str =
    "That recovery code is not correct. Check it against your saved list of codes.";
pub const RECOVERY_CODE_USED: &str = "This recovery code has been used already; each code works \
     once. Use another one from your list.";
pub const CODE_USED: &str =
    "This code has already been used. Wait for the next code from your app.";

/// Why an MFA step failed.
#[derive(Debug)]
pub enum MfaError {
    /// Malformed input; the text says how.
    Invalid(&'static str),
    WrongCode,
    /// A wrong authenticator code that matches a time step a few minutes
    /// away: the text says how far the phone's clock is off and how to fix it.
    WrongCodeClockSkew(String),
    CodeAlreadyUsed,
    /// The recovery code is not one of the user's.
    WrongRecoveryCode,
    /// The recovery code was right, but has been used.
    RecoveryCodeAlreadyUsed,
    /// The temporary access code is not the user's, was used, or expired.
    WrongTemporaryAccessCode,
    /// A hundred wrong temporary access codes in a row.
    TemporaryAccessSuspended,
    /// Too many wrong codes: wait this many seconds.
    Throttled(u64),
    /// A hundred wrong codes in a row: an administrator must unlock.
    Suspended,
    AlreadySetUp,
    /// No enrollment in progress (or it was restarted); the text says which.
    NoPendingEnrollment(&'static str),
    /// The factor is not set up.
    NotSetUp,
    /// This step does not apply now; the text says why.
    NotAllowedNow(&'static str),
    /// The organisation does not let users set up this kind of factor; the
    /// text names it.
    FactorNotAllowed(&'static str),
    /// A security key's answer was refused; the text says why.
    KeyRefused(&'static str),
    /// The ceremony is unknown, used, expired, or another session's.
    CeremonyExpired,
    /// The session holds as many open key ceremonies as it may; the first
    /// ends in this many seconds.
    CeremoniesOpen(i64),
    /// This security key is registered already.
    KeyAlreadyRegistered,
    /// The user has no such security key.
    KeyNotFound,
    /// Removing it would leave a user who must have MFA without a factor;
    /// the text says so and what to do.
    LastFactor(String),
    /// A device's request or enrollment was refused (401); the text says
    /// why (not enrolled any more, a bad signature, a used link…).
    DeviceRefused(&'static str),
    /// No such push request for this device or login.
    PushNotFound,
    /// The push was answered, cancelled or has expired; the text says which.
    PushAnswered(&'static str),
    /// As many pushes for this user and resource as the organisation
    /// allows (`limit`) are waiting: the first frees in `secs` seconds.
    PushBusy {
        secs: i64,
        limit: u32,
    },
    /// The user's pushes are muted after a fraud report; the text says
    /// until when and what to do meanwhile.
    PushMuted(String),
    /// The user has no Protect device.
    DeviceNotFound,
    /// A hundred wrong recovery codes in a row: an administrator must unlock.
    RecoveryCodesSuspended,
    /// The login in progress was ended, or the factor that proved it
    /// removed, while its last step was being checked: start again.
    LoginEnded,
    /// A per-session (or per-process) limit of Protect push was reached:
    /// the message says which; try again in `secs` seconds.
    SessionLimit {
        message: String,
        secs: u64,
    },
    /// The session does not allow this (e.g. no recent second factor).
    Auth(AuthError),
    Internal(Internal),
}

impl From<AuthError> for MfaError {
    fn from(e: AuthError) -> Self {
        MfaError::Auth(e)
    }
}

impl From<Internal> for MfaError {
    fn from(e: Internal) -> Self {
        MfaError::Internal(e)
    }
}

impl From<sqlx::Error> for MfaError {
    fn from(e: sqlx::Error) -> Self {
        MfaError::Internal(e.into())
    }
}

impl From<Refused> for MfaError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Wait(secs) => MfaError::Throttled(secs),
            Refused::Suspended => MfaError::Suspended,
            Refused::Internal(e) => MfaError::Internal(e),
        }
    }
}
