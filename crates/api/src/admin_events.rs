//! The admin event log: who did what to whom, newest first.

use serde::{Deserialize, Serialize};

/// Whether an event records something that worked or a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    Success,
    Failure,
}

/// One event as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminEvent {
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    /// What happened, e.g. `login_succeeded`, `mfa_failed`, `admin_reset_mfa`.
    pub kind: String,
    pub outcome: EventOutcome,
    /// The user it is about, if any (and if they still exist).
    pub subject_id: Option<String>,
    pub subject_email: Option<String>,
    /// `user`, `admin`, `system` or `anonymous`.
    pub actor_kind: String,
    pub actor_email: Option<String>,
    pub client_ip: String,
    /// In words.
    pub detail: String,
    /// What the login it is about was for (`User Portal`, `Admin Portal`;
    /// apps and hosts later), when it is about one.
    #[serde(default)]
    pub resource: Option<String>,
}

/// A page of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub events: Vec<AdminEvent>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<String>,
}

/// The wire name of every kind of event the log records, in the order the
/// log's filter offers them (the server's `EventKind::ALL`; a test on each
/// side keeps them equal).
pub const EVENT_KINDS: [&str; 53] = [
    "login_succeeded",
    "login_password_ok",
    "login_failed",
    "login_locked",
    "login_suspended",
    "mfa_failed",
    "mfa_verified",
    "mfa_enrolled",
    "mfa_reset_by_user",
    "mfa_factor_renamed",
    "recovery_codes_generated",
    "recovery_code_used",
    "browser_trusted",
    "browser_trust_revoked",
    "sessions_ended_by_user",
    "password_changed",
    "password_change_refused",
    "admin_require_mfa",
    "admin_unrequire_mfa",
    "admin_reset_mfa",
    "admin_unlock",
    "admin_remove_factor",
    "admin_end_sessions",
    "admin_mfa_reminder",
    "admin_setting_changed",
    "reminder_queued",
    "push_sent",
    "push_approved",
    "push_denied",
    "push_expired",
    "push_mfa_attempt_failed",
    "push_device_enrolled",
    "push_device_removed",
    "push_fraud_reported",
    "user_invited",
    "setup_link_issued",
    "link_used",
    "admin_suspend",
    "admin_reactivate",
    "password_reset_sent",
    "password_reset",
    "admin_user_changed",
    "admin_delete_user",
    "admin_group_changed",
    "temporary_access_issued",
    "temporary_access_used",
    "admin_scim_token",
    "admin_app_changed",
    "sso_sign_in",
    "sso_refused",
    "admin_system_changed",
    "system_login",
    "system_refused",
];
