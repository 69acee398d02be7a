//! `protect` against a real `portcullis-server` process: a fresh SQLite
//! database with the demo users, the portal driven over HTTP as a browser
//! would, and the `protect` binary run as a person would run it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod cli;
mod enroll;
mod fake_clock;
mod pam_login;
mod portal;
mod push;
mod radius_login;
mod removed;
mod server;
mod ssh_login;
mod two_instances;
mod unified;
mod watch;
