//! What an admin can do to one user from their details page, each as a
//! value: the page asks for confirmation in words, then runs it, asking
//! for a fresh code first when the server wants one.

use portcullis_api::UserDetail;

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
        }
    }

    /// Runs it; answers the user as it left them.
    pub async fn run(&self, id: &str) -> Result<UserDetail, api::ApiError> {
        match self {
            UserAction::Require { days } => {
                api::admin::require_mfa(id, *days).await?;
                api::admin::user(id).await
            }
            UserAction::Unrequire => {
                api::admin::unrequire_mfa(id).await?;
                api::admin::user(id).await
            }
            UserAction::Reset { days } => {
                api::admin::reset_mfa(id, *days).await?;
                api::admin::user(id).await
            }
            UserAction::RemoveFactor { id: factor, .. } => {
                api::admin::remove_factor(id, factor).await
            }
            UserAction::EndSessions { .. } => api::admin::end_sessions(id).await,
            UserAction::Remind => api::admin::remind(id).await,
        }
    }
}
