//! Suspending an account and reactivating it. A suspended account keeps
//! its data, but every session ends at once, its one-time link and its
//! Protect link die, its trusted browsers are forgotten, and the login
//! says in words (after the right password only) that it is suspended.

use portcullis_api::AdminUser;

use super::common::{get, target, AdminError};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::Authed;
use crate::mfa::push::links::{revoke_all, Revoked};
use crate::store;

pub async fn suspend(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let row = target(state, admin, id).await?;
    if row.user.suspended_at.is_some() {
        return Err(AdminError::Conflict(format!(
            "{} is suspended already.",
            row.user.display_name
        )));
    }
    let now = state.now();
    let mut tx = state.db.begin().await?;
    suspend_in(&mut tx, id, now).await?;
    let event = Event::by_admin(
        EventKind::AdminSuspend,
        &admin.user.id,
        id,
        client,
        "suspended: every session ended, links and temporary access revoked, trusted browsers forgotten",
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    get(state, id).await
}

/// Suspends the account in the caller's transaction: every session ends,
/// its links, temporary access and Protect links are revoked, its trusted
/// browsers forgotten (by an administrator, or by directory sync).
pub(crate) async fn suspend_in(
    tx: &mut store::Tx,
    id: &str,
    now: crate::clock::Timestamp,
) -> Result<(), crate::error::Internal> {
    // The user's row first, as a login's finish holds it: a login whose
    // last step is being checked either ends here or is refused.
    store::users::lock(&mut **tx, id).await?;
    store::users::set_suspended(&mut **tx, id, Some(now)).await?;
    store::sessions::end_all(&mut **tx, id).await?;
    revoke_all(&mut **tx, id, Revoked::Sessions, now).await?;
    crate::people::links::revoke(&mut **tx, id).await?;
    store::temporary_access::revoke(&mut **tx, id).await?;
    store::trusted_browsers::delete_for_user(&mut **tx, id).await?;
    // the apps it signed in to lose their tokens too
    store::sso::delete_families_of_user(&mut **tx, id).await?;
    Ok(())
}

pub async fn reactivate(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let row = target(state, admin, id).await?;
    if row.user.suspended_at.is_none() {
        return Err(AdminError::Conflict(format!(
            "{} is not suspended.",
            row.user.display_name
        )));
    }
    let now = state.now();
    let mut tx = state.db.begin().await?;
    store::users::set_suspended(&mut *tx, id, None).await?;
    let event = Event::by_admin(
        EventKind::AdminReactivate,
        &admin.user.id,
        id,
        client,
        "reactivated",
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    get(state, id).await
}
