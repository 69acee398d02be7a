//! `protect`: the command-line stand-in for the Portcullis Protect phone app.
//!
//! A real client of the portal's device API (`/api/device/v1/…`): it holds
//! its own Ed25519 key, enrolls with a one-time link (or a screenshot of its
//! QR code), signs every later request, and approves or denies push requests
//! by typing the number the browser shows. The binary (`src/main.rs`) only
//! parses the command line; everything it does lives here so that it can be
//! tested without a terminal. The JSON bodies are the shared ones of
//! `portcullis_api::protect`, which the server uses too.

pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod error;
pub mod link;
pub mod qr;
pub mod signing;
pub mod state;
pub mod totp;

pub use error::Error;
