//! Second factors: each proves that a user passed it, enrolls, resets and
//! removes; none of them starts a session (that is `login/`). Rules only.
//!
//! Where a new factor goes: `docs/architecture.md` lists it.

pub mod again;
pub mod error;
pub mod overview;
pub mod push;
pub mod recovery_codes;
pub mod removal;
pub mod temporary_access;
pub mod totp;
pub mod totp_factor;
pub mod webauthn;
pub mod webauthn_factor;

pub use error::MfaError;
