//! One module per page.

pub mod enroll;
pub mod home;
pub mod login;
pub mod login_mfa;
pub mod not_found;
pub mod security;
