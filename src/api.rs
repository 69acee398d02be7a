//! The one typed client of the Portcullis API.

mod client;
mod error;

pub use client::{
    login, login_totp, logout, me, mfa, skip_enrolment, totp_confirm, totp_enrol, totp_reset,
};
pub use error::ApiError;
