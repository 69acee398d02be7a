//! Sending the "MFA required" email again, to a user who still has to set
//! up MFA within their period.

use portcullis_api::{MfaStatus, UserDetail};

use super::common::{target, AdminError};
use super::detail;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::Authed;
use crate::notify::{self, format_utc, Kind};
use crate::rules::requirement::{self as status, Requirement};

/// Queues the "MFA required" email with the user's current deadline. Only
/// while the requirement is open: required, no factor, and the period (if
/// any) not over — after it the user cannot log in to act on the email.
pub async fn remind(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<UserDetail, AdminError> {
    let now = state.now();
    let row = target(state, admin, id).await?;
    let user = &row.user;
    let requirement = Requirement::for_user(
        user.role(),
        user.mfa_required,
        user.mfa_deadline,
        row.has_factor,
    );
    let email = &user.email;
    match status::status(requirement, now) {
        MfaStatus::EnrollmentPeriod { .. } | MfaStatus::RequiredNoPeriod => {}
        MfaStatus::Active | MfaStatus::SetUpNotRequired => {
            return Err(AdminError::Conflict(format!(
                "{email} has set up MFA already: there is nothing to remind them of."
            )))
        }
        MfaStatus::None => {
            return Err(AdminError::Conflict(format!(
                "MFA is not required of {email}. Require MFA instead: that sends them the email."
            )))
        }
        MfaStatus::EnrollmentExpired => {
            return Err(AdminError::Conflict(format!(
                "The enrollment period of {email} is over, so they cannot log in to set up MFA. \
                 Use Reset MFA to give them a new period (that sends them an email too)."
            )))
        }
    }
    let mut tx = state.db.begin().await?;
    notify::queue(&mut *tx, now, Kind::MfaRequired, user, requirement.deadline).await?;
    let words = match requirement.deadline {
        Some(d) => format!(
            "sent the MFA required email again (set up by {})",
            format_utc(d)
        ),
        None => "sent the MFA required email again (set up at the next login)".to_string(),
    };
    let event = Event::by_admin(
        EventKind::AdminMfaReminder,
        &admin.user.id,
        id,
        client,
        &words,
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    detail(state, id).await
}
