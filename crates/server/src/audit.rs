//! The audit log: a typed record of who did what to whom. Each event is
//! written with the same executor — the same transaction — as the change it
//! records, so the log never claims a change that was rolled back nor misses
//! one that happened. Details are words for the admin event log and never
//! hold a secret.
//!
//! Every event is also one structured log line (target `audit`) for a SIEM,
//! and login outcomes feed the `/metrics` counters: this is the one place
//! every outcome passes. Both happen when the event is written, before its
//! transaction commits; a change rolled back after that (a database fault)
//! leaves a log line and a count without a stored event.

use crate::auth::client::Client;
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::rules::resource::Resource;
use crate::store::{self, Exec};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Signed in, all steps passed.
    LoginSucceeded,
    /// The password was right; a second factor or enrollment follows.
    LoginPasswordOk,
    /// Wrong email or password.
    LoginFailed,
    /// The enrollment period is over: refused.
    LoginLocked,
    /// Refused: failures in a row reached the cap.
    LoginSuspended,
    /// A second factor was refused.
    MfaFailed,
    /// A second factor was passed again for a sensitive action.
    MfaVerified,
    /// A factor was set up.
    MfaEnrolled,
    /// The user removed their own factor.
    MfaResetByUser,
    /// A user renamed one of their factors (a security key).
    MfaFactorRenamed,
    /// A user generated a new set of recovery codes (the old ones died).
    RecoveryCodesGenerated,
    /// A recovery code stood in for a second factor.
    RecoveryCodeUsed,
    /// A user trusted a browser: it is not asked the second factor for a while.
    BrowserTrusted,
    /// A user revoked one or all of their trusted browsers.
    BrowserTrustRevoked,
    /// A user ended some of their own other sessions.
    SessionsEndedByUser,
    /// The user changed their password.
    PasswordChanged,
    /// A password change was refused (a wrong current password).
    PasswordChangeRefused,
    /// An administrator required MFA.
    AdminRequireMfa,
    /// An administrator stopped requiring MFA.
    AdminUnrequireMfa,
    /// An administrator reset someone's MFA.
    AdminResetMfa,
    /// An administrator lifted a suspension.
    AdminUnlock,
    /// An administrator removed one of someone's factors.
    AdminRemoveFactor,
    /// An administrator ended someone's sessions.
    AdminEndSessions,
    /// An administrator sent the "MFA required" email again.
    AdminMfaReminder,
    /// An administrator changed one of the organisation's MFA settings.
    AdminSettingChanged,
    /// A periodic task queued the 24-hour reminder.
    ReminderQueued,
    /// A push request went to the user's Protect device.
    PushSent,
    /// The device approved a push (the number matched).
    PushApproved,
    /// The device denied a push, or answered it with the wrong number.
    PushDenied,
    /// A push went unanswered until it expired.
    PushExpired,
    /// A push was refused: one for the same user and resource is still
    /// outstanding (the push-bombing defence).
    PushMfaAttemptFailed,
    /// A Protect device was enrolled (replacing any earlier one).
    PushDeviceEnrolled,
    /// The user removed their Protect device.
    PushDeviceRemoved,
    /// The user reported a push on their device as not theirs ("This
    /// wasn't me"): denied, and their pushes muted for a while.
    PushFraudReported,
    /// A user was added and invited by email (or by the command line).
    UserInvited,
    /// A setup link was made for an account with no factor.
    SetupLinkIssued,
    /// An invitation or setup link was used.
    LinkUsed,
    /// An administrator suspended an account.
    AdminSuspend,
    /// An administrator reactivated a suspended account.
    AdminReactivate,
    /// A password reset link was emailed (asked for, or sent by an administrator).
    PasswordResetSent,
    /// A password was reset with an emailed link.
    PasswordReset,
    /// An administrator changed a user's name, email or role.
    AdminUserChanged,
    /// An administrator deleted a user.
    AdminDeleteUser,
    /// An administrator created, renamed or deleted a group, or changed who is in it.
    AdminGroupChanged,
    /// An administrator made a temporary access code for a user.
    TemporaryAccessIssued,
    /// A temporary access code stood in for a lost factor at a login.
    TemporaryAccessUsed,
    /// An administrator made or revoked a directory sync (SCIM) token.
    AdminScimToken,
    /// An administrator registered, changed or removed an app, or made
    /// its client secret anew.
    AdminAppChanged,
    /// A user signed in to an app through the portal (single sign-on).
    SsoSignIn,
    /// A sign-in to an app was refused (not assigned, policy not met,
    /// consent refused).
    SsoRefused,
    /// An administrator registered, changed or removed a host or a RADIUS
    /// client, or made a new enrollment token for a host.
    AdminSystemChanged,
    /// A login on a host or through a RADIUS client was let in (with the
    /// factor, or why none was asked).
    SystemLogin,
    /// A login on a host or through a RADIUS client was refused (a wrong
    /// password or code, a denied push, not assigned, an unknown user).
    SystemRefused,
}

impl EventKind {
    pub const ALL: [EventKind; 53] = [
        EventKind::LoginSucceeded,
        EventKind::LoginPasswordOk,
        EventKind::LoginFailed,
        EventKind::LoginLocked,
        EventKind::LoginSuspended,
        EventKind::MfaFailed,
        EventKind::MfaVerified,
        EventKind::MfaEnrolled,
        EventKind::MfaResetByUser,
        EventKind::MfaFactorRenamed,
        EventKind::RecoveryCodesGenerated,
        EventKind::RecoveryCodeUsed,
        EventKind::BrowserTrusted,
        EventKind::BrowserTrustRevoked,
        EventKind::SessionsEndedByUser,
        EventKind::PasswordChanged,
        EventKind::PasswordChangeRefused,
        EventKind::AdminRequireMfa,
        EventKind::AdminUnrequireMfa,
        EventKind::AdminResetMfa,
        EventKind::AdminUnlock,
        EventKind::AdminRemoveFactor,
        EventKind::AdminEndSessions,
        EventKind::AdminMfaReminder,
        EventKind::AdminSettingChanged,
        EventKind::ReminderQueued,
        EventKind::PushSent,
        EventKind::PushApproved,
        EventKind::PushDenied,
        EventKind::PushExpired,
        EventKind::PushMfaAttemptFailed,
        EventKind::PushDeviceEnrolled,
        EventKind::PushDeviceRemoved,
        EventKind::PushFraudReported,
        EventKind::UserInvited,
        EventKind::SetupLinkIssued,
        EventKind::LinkUsed,
        EventKind::AdminSuspend,
        EventKind::AdminReactivate,
        EventKind::PasswordResetSent,
        EventKind::PasswordReset,
        EventKind::AdminUserChanged,
        EventKind::AdminDeleteUser,
        EventKind::AdminGroupChanged,
        EventKind::TemporaryAccessIssued,
        EventKind::TemporaryAccessUsed,
        EventKind::AdminScimToken,
        EventKind::AdminAppChanged,
        EventKind::SsoSignIn,
        EventKind::SsoRefused,
        EventKind::AdminSystemChanged,
        EventKind::SystemLogin,
        EventKind::SystemRefused,
    ];

    pub fn parse(name: &str) -> Option<EventKind> {
        // (`portcullis_api::EVENT_KINDS` lists the same names for clients)
        EventKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the event records a refusal (for the log's outcome filter).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            EventKind::LoginFailed
                | EventKind::LoginLocked
                | EventKind::LoginSuspended
                | EventKind::MfaFailed
                | EventKind::PushDenied
                | EventKind::PushExpired
                | EventKind::PushMfaAttemptFailed
                | EventKind::PushFraudReported
                | EventKind::PasswordChangeRefused
                | EventKind::SsoRefused
                | EventKind::SystemRefused
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::LoginSucceeded => "login_succeeded",
            EventKind::LoginPasswordOk => "login_password_ok",
            EventKind::LoginFailed => "login_failed",
            EventKind::LoginLocked => "login_locked",
            EventKind::LoginSuspended => "login_suspended",
            EventKind::MfaFailed => "mfa_failed",
            EventKind::MfaVerified => "mfa_verified",
            EventKind::MfaEnrolled => "mfa_enrolled",
            EventKind::MfaResetByUser => "mfa_reset_by_user",
            EventKind::MfaFactorRenamed => "mfa_factor_renamed",
            EventKind::RecoveryCodesGenerated => "recovery_codes_generated",
            EventKind::RecoveryCodeUsed => "recovery_code_used",
            EventKind::BrowserTrusted => "browser_trusted",
            EventKind::BrowserTrustRevoked => "browser_trust_revoked",
            EventKind::SessionsEndedByUser => "sessions_ended_by_user",
            EventKind::PasswordChanged => "password_changed",
            EventKind::PasswordChangeRefused => "password_change_refused",
            EventKind::AdminRequireMfa => "admin_require_mfa",
            EventKind::AdminUnrequireMfa => "admin_unrequire_mfa",
            EventKind::AdminResetMfa => "admin_reset_mfa",
            EventKind::AdminUnlock => "admin_unlock",
            EventKind::AdminRemoveFactor => "admin_remove_factor",
            EventKind::AdminEndSessions => "admin_end_sessions",
            EventKind::AdminMfaReminder => "admin_mfa_reminder",
            EventKind::AdminSettingChanged => "admin_setting_changed",
            EventKind::ReminderQueued => "reminder_queued",
            EventKind::PushSent => "push_sent",
            EventKind::PushApproved => "push_approved",
            EventKind::PushDenied => "push_denied",
            EventKind::PushExpired => "push_expired",
            EventKind::PushMfaAttemptFailed => "push_mfa_attempt_failed",
            EventKind::PushDeviceEnrolled => "push_device_enrolled",
            EventKind::PushDeviceRemoved => "push_device_removed",
            EventKind::PushFraudReported => "push_fraud_reported",
            EventKind::UserInvited => "user_invited",
            EventKind::SetupLinkIssued => "setup_link_issued",
            EventKind::LinkUsed => "link_used",
            EventKind::AdminSuspend => "admin_suspend",
            EventKind::AdminReactivate => "admin_reactivate",
            EventKind::PasswordResetSent => "password_reset_sent",
            EventKind::PasswordReset => "password_reset",
            EventKind::AdminUserChanged => "admin_user_changed",
            EventKind::AdminDeleteUser => "admin_delete_user",
            EventKind::AdminGroupChanged => "admin_group_changed",
            EventKind::TemporaryAccessIssued => "temporary_access_issued",
            EventKind::TemporaryAccessUsed => "temporary_access_used",
            EventKind::AdminScimToken => "admin_scim_token",
            EventKind::AdminAppChanged => "admin_app_changed",
            EventKind::SsoSignIn => "sso_sign_in",
            EventKind::SsoRefused => "sso_refused",
            EventKind::AdminSystemChanged => "admin_system_changed",
            EventKind::SystemLogin => "system_login",
            EventKind::SystemRefused => "system_refused",
        }
    }
}

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// A user acting on their own account (by id).
    User(&'a str),
    /// An administrator (by id).
    Admin(&'a str),
    /// The server itself (periodic tasks).
    System,
    /// Someone not signed in (a failed login for an unknown email).
    Anonymous,
}

impl Actor<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Actor::User(_) => "user",
            Actor::Admin(_) => "admin",
            Actor::System => "system",
            Actor::Anonymous => "anonymous",
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Actor::User(id) | Actor::Admin(id) => Some(id),
            Actor::System | Actor::Anonymous => None,
        }
    }
}

/// One event.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub actor: Actor<'a>,
    /// The user the event is about.
    pub subject: Option<&'a str>,
    pub client: Option<&'a Client>,
    pub detail: &'a str,
    /// What the login it is about was for, when it is about one.
    pub resource: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// A user acting on their own account.
    pub fn by_user(kind: EventKind, user_id: &'a str, client: &'a Client, detail: &'a str) -> Self {
        Event {
            kind,
            actor: Actor::User(user_id),
            subject: Some(user_id),
            client: Some(client),
            detail,
            resource: None,
        }
    }

    /// The event about a login for `resource`.
    pub fn for_resource(self, resource: &'a Resource) -> Self {
        Event {
            resource: Some(resource.name()),
            ..self
        }
    }

    /// An administrator acting on `subject`.
    pub fn by_admin(
        kind: EventKind,
        admin_id: &'a str,
        subject: &'a str,
        client: &'a Client,
        detail: &'a str,
    ) -> Self {
        Event {
            kind,
            actor: Actor::Admin(admin_id),
            subject: Some(subject),
            client: Some(client),
            detail,
            resource: None,
        }
    }
}

/// Writes `event` with `db` — pass the transaction of the change.
pub async fn record<'c>(
    db: impl Exec<'c>,
    at: Timestamp,
    event: Event<'_>,
) -> Result<(), Internal> {
    store::audit::insert(
        db,
        &store::audit::NewEvent {
            at,
            kind: event.kind.as_str(),
            actor_kind: event.actor.kind(),
            actor_id: event.actor.id(),
            subject_id: event.subject,
            client_ip: event.client.map_or("", |c| c.ip.as_str()),
            detail: event.detail,
            resource: event.resource,
        },
    )
    .await?;
    log(&event);
    count(&event);
    Ok(())
}

/// The event as one log line (target `audit`): with `--log-format json`,
/// one JSON object a SIEM can take as it is.
fn log(event: &Event<'_>) {
    tracing::info!(
        target: "audit",
        kind = event.kind.as_str(),
        failure = event.kind.is_failure(),
        actor = event.actor.kind(),
        actor_id = event.actor.id().unwrap_or(""),
        user_id = event.subject.unwrap_or(""),
        ip = event.client.map_or("", |c| c.ip.as_str()),
        detail = event.detail,
        resource = event.resource.unwrap_or(""),
        "audit event"
    );
}

/// Login steps for `/metrics`, by outcome and factor.
fn count(event: &Event<'_>) {
    use crate::metrics::{login, Factor, Outcome};
    let outcome = match event.kind {
        EventKind::LoginSucceeded => Outcome::Succeeded,
        EventKind::LoginPasswordOk => Outcome::PasswordOk,
        // (a factor's suspension is recorded as a refused factor)
        EventKind::MfaFailed if event.detail.contains("suspended") => Outcome::Suspended,
        EventKind::LoginFailed | EventKind::MfaFailed => Outcome::Failed,
        EventKind::LoginLocked => Outcome::Locked,
        EventKind::LoginSuspended => Outcome::Suspended,
        _ => return,
    };
    login(outcome, Factor::of_detail(event.detail));
}

/// An event as the log shows it.
pub use store::audit::Row as Recorded;

/// The newest events about a user, newest first.
pub async fn about(
    db: &store::Db,
    subject_id: &str,
    limit: u32,
) -> Result<Vec<Recorded>, Internal> {
    Ok(store::audit::for_subject(db, subject_id, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::EventKind;

    #[test]
    fn clients_know_every_event_kind() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, portcullis_api::EVENT_KINDS);
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }
}
