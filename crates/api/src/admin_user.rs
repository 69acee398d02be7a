//! One user as the admin details page shows them: the requirement, every
//! factor, the sessions and the recent events.

use serde::{Deserialize, Serialize};

use crate::{AdminEvent, AdminUser, FactorKind};

/// One confirmed second factor of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminFactor {
    /// Names the factor in `DELETE /admin/users/{id}/factors/{factor}`:
    /// the kind for a factor a user has at most one of (`totp`), the
    /// credential's id for the kinds a user may have several of.
    pub id: String,
    pub kind: FactorKind,
    /// In words, e.g. "Authenticator app" or the name a user gave a key.
    pub label: String,
    /// When it was set up (Unix seconds).
    pub added_at: i64,
    /// When it was last used (Unix seconds): at a login, to confirm a
    /// sensitive change, or (for an authenticator app) the code that set it
    /// up. Absent: never (e.g. set up before use was recorded).
    pub last_used_at: Option<i64>,
}

/// One session of a user (signed in, or a login still in progress).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSession {
    /// Whether the login finished (a password-only stage is `false`).
    pub signed_in: bool,
    /// How it was proven, e.g. `["pwd", "otp"]`.
    pub methods: Vec<String>,
    pub started_at: i64,
    /// The last request (recorded to the minute).
    pub last_seen_at: i64,
    /// Its absolute end; unused for the idle timeout, it ends sooner.
    pub expires_at: i64,
    pub client_ip: String,
    pub user_agent: String,
}

/// `GET /api/v1/admin/users/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserDetail {
    pub user: AdminUser,
    pub factors: Vec<AdminFactor>,
    /// When an email asking the user to set up MFA was last queued for the
    /// current requirement (Unix seconds): the "MFA required" email (also
    /// what Remind sends), the 24-hour reminder, or the one after a reset.
    /// Absent when MFA is not required of the user or no such email went.
    pub reminder_sent_at: Option<i64>,
    /// Live sessions, newest first.
    pub sessions: Vec<AdminSession>,
    /// The user's latest events (about them or by them), newest first.
    pub events: Vec<AdminEvent>,
    /// The user's Protect push device; absent: none enrolled.
    #[serde(default)]
    pub protect_device: Option<crate::protect::ProtectDevice>,
    /// The groups the user is in, by name.
    #[serde(default)]
    pub groups: Vec<crate::Group>,
    /// Until when the user's helpdesk temporary access code works (Unix
    /// seconds); absent: they have none.
    #[serde(default)]
    pub temporary_access_until: Option<i64>,
}
