//! The server's HTTP tests: one test binary (one link step instead of one
//! per file, which matters on two cores), shared fixtures, a typed client.
//! Each module covers one area.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod authenticator;
mod client;
mod device;
mod factor_checklist;
mod fixtures;
mod forward_auth;

mod admin;
mod admin_bulk;
mod admin_detail;
mod admin_events;
mod admin_list;
mod admin_settings;
mod audit;
mod bad_input;
mod challenge;
mod cli;
mod clock_skew;
mod csrf;
mod device_signatures;
mod factor_emails;
mod fresh_proof;
mod groups;
mod half_sessions;
mod headers;
mod invitations;
mod lockout;
mod login;
mod login_finish;
mod logs;
mod mfa;
mod multi;
mod openapi;
mod ops;
mod own_sessions;
mod passkeys;
mod password_change;
mod password_reset;
mod people_admin;
mod protect_settings;
mod push;
mod push_at_enrollment;
mod push_fraud;
mod push_limits;
mod push_links;
mod push_rules;
mod push_verify;
mod recovery_codes;
mod resources;
mod scim;
mod security;
mod sessions;
mod smtp;
mod sso;
mod suspend;
mod temporary_access;
mod throttle;
mod trusted_browsers;
mod unified;
mod user_import;
mod vocabulary;
mod wake;
mod webauthn;
