//! Portcullis API server: the library behind the `portcullis-server` binary,
//! so integration tests can build the same app with their own clock.
//!
//! Layers, outside in (docs/architecture.md draws them):
//! - `http`: axum only — routes, extractors, middleware, error mapping.
//! - domain areas, each using only those below it: `admin`; `login` (a
//!   login from first request to session, for a resource); `mfa` (factors,
//!   which only prove); `auth` (the caller, sessions, throttles); `rules`
//!   (the MFA requirement, the settings read model, which factors a login
//!   may prove); and `audit`, `notify`, `challenge` — rules, no axum, no
//!   SQL. `scripts/check-imports` keeps them free of import circles.
//! - `store`: all SQL, in functions that take an executor or transaction.
//!
//! Plus `app` (the state every layer shares), `config`, `clock`, `secret`,
//! `files`, `jobs` (periodic tasks), `metrics` (Prometheus counters),
//! `ops` (health, readiness, the metrics' gauges), `wake` (cross-instance
//! wake-ups), `demo` and `cli`.

pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod challenge;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub(crate) mod files;
pub mod http;
pub mod jobs;
pub mod login;
pub mod metrics;
pub mod mfa;
pub mod notify;
pub mod ops;
pub mod people;
pub mod radius;
pub mod rules;
pub mod scim;
pub mod secret;
pub mod sso;
pub mod store;
pub mod systems;
pub mod wake;
