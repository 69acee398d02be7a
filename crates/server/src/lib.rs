//! Portcullis API server: the library behind the `portcullis-server` binary,
//! so integration tests can build the same app with their own clock.

pub mod api;
pub mod app;
pub mod cli;
pub mod client;
pub mod clock;
pub mod csrf;
pub mod db;
pub mod demo;
pub mod email;
pub mod error;
pub mod events;
pub mod headers;
pub mod mailer;
pub mod mfa;
pub mod password;
pub mod reminders;
pub mod session;
pub mod spa;
pub mod state;
pub mod test_clock;
pub mod throttle;
pub mod totp;
pub mod users;
