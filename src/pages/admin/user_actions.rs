//! What an admin can do to one user from their details page, each as a
//! value: the page asks for confirmation in words, then runs it, asking
//! for a fresh code first when the server wants one.

use portcullis_api::{SetupLink, TemporaryAccess, UserDetail};

use crate::api;
use crate::text::days;

/// One change to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    /// Require MFA with this period (`None`: at the next login); also how
    /// the period of a required user changes.
    Require { days: Option<u32> },
    /// No longer require MFA (their factors stay).
    Unrequire,
    /// Remove every factor, end the sessions, start a new period.
    Reset { days: Option<u32> },
    /// Remove one factor.
    RemoveFactor { id: String, label: String },
    /// End every session.
    EndSessions { count: usize },
    /// Send the "MFA required" email again.
    Remind,
    /// Send an invited user a new invitation.
    ResendInvitation,
    /// Make a setup link for a user with no factor.
    SetupLink,
    /// Suspend the account: sessions end, no login until reactivated.
    Suspend,
    /// Give a suspended account back.
    Reactivate,
    /// Email them a link to choose a new password.
    SendPasswordReset,
    /// Clear the failures in a row that suspended their password or a
    /// factor (after 100 of them).
    Unlock,
    /// Make a helpdesk temporary access code (for a lost factor).
    TemporaryAccess { hours: u32, one_time: bool },
}

/// What a change left: the user, and a setup link or temporary access
/// code made with it (shown once, to hand over).
pub struct Done {
    pub detail: UserDetail,
    pub link: Option<SetupLink>,
    pub code: Option<TemporaryAccess>,
}

/// "once within 1 hour" / "as often as needed for 4 hours".
pub fn validity_words(hours: u32, one_time: bool) -> String {
    let span = if hours == 1 {
        "1 hour".to_string()
    } else {
        format!("{hours} hours")
    };
    if one_time {
        format!("once within {span}")
    } else {
        format!("as often as needed for {span}")
    }
}

fn period_words(d: Option<u32>) -> String {
    match d {
        Some(n) => format!("{} to set up MFA", days(n)),
        None => "no enrollment period: they must set up MFA at their next login".to_string(),
    }
}

impl UserAction {
    /// The confirmation's question, naming the user and what will change.
    pub fn question(&self, name: &str, factor_labels: &[String]) -> String {
        match self {
            UserAction::Require { days } => {
                format!("Require MFA for {name}, with {}?", period_words(*days))
            }
            UserAction::Unrequire => format!(
                "Stop requiring MFA for {name}? The factors they have set up stay and keep working."
            ),
            UserAction::Reset { days } => {
                let lose = if factor_labels.is_empty() {
                    "They have no factor to lose".to_string()
                } else {
                    format!("They lose: {}", factor_labels.join(", "))
                };
                format!(
                    "Reset MFA for {name}? {lose}; their sessions end; they get {}.",
                    period_words(*days)
                )
            }
            UserAction::RemoveFactor { label, .. } => format!(
                "Remove {name}’s {}? They can no longer log in with it, and their sessions proven with it end.",
                label.to_lowercase()
            ),
            UserAction::EndSessions { count } => format!(
                "End {} of {name}? They must log in again everywhere.",
                match count {
                    1 => "the session".to_string(),
                    n => format!("all {n} sessions"),
                }
            ),
            UserAction::Remind => {
                format!("Send {name} the “MFA required” email again, with their deadline?")
            }
            UserAction::ResendInvitation => format!(
                "Send {name} a new invitation email? The link in the earlier one stops working."
            ),
            UserAction::Suspend => format!(
                "Suspend {name}? Every session of theirs ends now, and they cannot sign in \
                 until an administrator reactivates them. Nothing of theirs is deleted."
            ),
            UserAction::Reactivate => format!("Reactivate {name}? They can sign in again as before."),
            UserAction::Unlock => format!(
                "Unlock {name}'s password and factors? After 100 failures in a row one stays \
                 refused until an administrator unlocks it; this clears those counts."
            ),
            UserAction::SendPasswordReset => format!(
                "Email {name} a link to choose a new password? It works once, for an hour; \
                 they need their second factor too if they have one. You never see the link."
            ),
            UserAction::SetupLink => format!(
                "Make a setup link for {name}? With it and their password they set up their \
                 first factor; it is emailed to them and shown here once, to hand over in person \
                 or by another channel. An earlier link stops working."
            ),
            UserAction::TemporaryAccess { hours, one_time } => format!(
                "Make a temporary access code for {name}, working {}? With their password it \
                 stands in for their lost factor, only to set up a new one. It is shown here \
                 once for you to hand over (they are emailed that one was made, not the code). \
                 An earlier code stops working.",
                validity_words(*hours, *one_time)
            ),
        }
    }

    /// The confirming button's words.
    pub fn verb(&self) -> &'static str {
        match self {
            UserAction::Require { .. } => "Require MFA",
            UserAction::Unrequire => "Stop requiring MFA",
            UserAction::Reset { .. } => "Reset MFA",
            UserAction::RemoveFactor { .. } => "Remove",
            UserAction::EndSessions { .. } => "End sessions",
            UserAction::Remind => "Send the email",
            UserAction::ResendInvitation => "Send the invitation",
            UserAction::SetupLink => "Make the link",
            UserAction::Suspend => "Suspend",
            UserAction::Reactivate => "Reactivate",
            UserAction::SendPasswordReset => "Send the link",
            UserAction::Unlock => "Unlock",
            UserAction::TemporaryAccess { .. } => "Make the code",
        }
    }

    /// What the live region says once it is done.
    pub fn done(&self, name: &str) -> String {
        match self {
            UserAction::Require { .. } => format!("MFA is now required for {name}."),
            UserAction::Unrequire => format!("MFA is no longer required for {name}."),
            UserAction::Reset { .. } => format!("MFA was reset for {name}."),
            UserAction::RemoveFactor { label, .. } => format!("{label} removed."),
            UserAction::EndSessions { .. } => format!("Every session of {name} ended."),
            UserAction::Remind => format!("The email to {name} is queued."),
            UserAction::ResendInvitation => format!("A new invitation to {name} is queued."),
            UserAction::SetupLink => format!("A setup link for {name} is ready below."),
            UserAction::Suspend => format!("{name} is suspended and signed out everywhere."),
            UserAction::Reactivate => format!("{name} is active again."),
            UserAction::SendPasswordReset => {
                format!("The password reset email to {name} is queued.")
            }
            UserAction::Unlock => format!("{name}'s password and factors are unlocked."),
            UserAction::TemporaryAccess { .. } => {
                format!("A temporary access code for {name} is ready below.")
            }
        }
    }

    /// Runs it; answers the user as it left them. An administrator whose
    /// MFA was reset gets a setup link at once: their password alone can
    /// never set up their first factor.
    pub async fn run(&self, id: &str) -> Result<Done, api::ApiError> {
        let detail = match self {
            UserAction::Require { days } => {
                api::admin::require_mfa(id, *days).await?;
                api::admin::user(id).await?
            }
            UserAction::Unrequire => {
                api::admin::unrequire_mfa(id).await?;
                api::admin::user(id).await?
            }
            UserAction::Reset { days } => {
                api::admin::reset_mfa(id, *days).await?;
                api::admin::user(id).await?
            }
            UserAction::RemoveFactor { id: factor, .. } => {
                api::admin::remove_factor(id, factor).await?
            }
            UserAction::EndSessions { .. } => api::admin::end_sessions(id).await?,
            UserAction::Remind => api::admin::remind(id).await?,
            UserAction::ResendInvitation => {
                api::admin::resend_invitation(id).await?;
                api::admin::user(id).await?
            }
            UserAction::Suspend => {
                api::admin::suspend(id).await?;
                api::admin::user(id).await?
            }
            UserAction::Reactivate => {
                api::admin::reactivate(id).await?;
                api::admin::user(id).await?
            }
            UserAction::SendPasswordReset => {
                api::admin::send_password_reset(id).await?;
                api::admin::user(id).await?
            }
            UserAction::Unlock => {
                api::admin::unlock(id).await?;
                api::admin::user(id).await?
            }
            UserAction::SetupLink => {
                let link = api::admin::setup_link(id).await?;
                let detail = api::admin::user(id).await?;
                return Ok(Done {
                    detail,
                    link: Some(link),
                    code: None,
                });
            }
            UserAction::TemporaryAccess { hours, one_time } => {
                let code = api::admin::temporary_access(id, *hours, *one_time).await?;
                let detail = api::admin::user(id).await?;
                return Ok(Done {
                    detail,
                    link: None,
                    code: Some(code),
                });
            }
        };
        let link = if matches!(self, UserAction::Reset { .. }) && detail.user.role.is_admin() {
            Some(api::admin::setup_link(id).await?)
        } else {
            None
        };
        Ok(Done {
            detail,
            link,
            code: None,
        })
    }
}
