//! Removing one factor of a user (Reset MFA removes them all and starts a
//! new enrollment period; this keeps the rest as it is).

use portcullis_api::UserDetail;

use super::common::{target, AdminError};
use super::detail;
use crate::app::AppState;
use crate::auth::client::Client;
use crate::auth::Authed;
use crate::mfa::removal::{self, Refused, Remover, Which};

/// Removes the factor `factor_id` (an `AdminFactor::id`) of the user, ends
/// the sessions it proved, and tells the user by email. The last factor of
/// a user who must have one is refused: Reset MFA is the way there, since
/// it also gives them a period to set up another.
pub async fn remove_factor(
    state: &AppState,
    admin: &Authed,
    id: &str,
    factor_id: &str,
    client: &Client,
) -> Result<UserDetail, AdminError> {
    let row = target(state, admin, id).await?;
    let mut tx = state.db.begin().await?;
    let by = Remover::Admin {
        admin_id: &admin.user.id,
    };
    match removal::remove_factor(state, &mut tx, id, Which::Factor(factor_id), by, client).await {
        Ok(_) => {}
        Err(Refused::NotFound) => {
            return Err(AdminError::Missing(format!(
                "{} has no such factor (any more).",
                row.user.email
            )))
        }
        Err(Refused::LastFactor(words)) => return Err(AdminError::Conflict(words)),
        Err(Refused::Internal(e)) => return Err(e.into()),
    }
    tx.commit().await?;
    detail(state, id).await
}
