//! Ending every session of a user: an administrator's "sign out
//! everywhere" (those a removed factor proved end in `mfa::removal`).

use portcullis_api::UserDetail;

use super::common::{target, AdminError};
use super::detail;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::Authed;
use crate::mfa::removal::{alive, ended_words};
use crate::store;

/// Ends every session of the user, signed in or half-way through a login:
/// their next request needs a new login.
pub async fn end_sessions(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<UserDetail, AdminError> {
    let now = state.now();
    target(state, admin, id).await?;
    let mut tx = state.db.begin().await?;
    // The user's row first, as a login's finish holds it: a login whose
    // last step is being checked either ends here or is refused.
    store::users::lock(&mut *tx, id).await?;
    let ended = store::sessions::end_all(&mut *tx, id).await?;
    // A Protect link made in one of them dies with them.
    use crate::mfa::push::links::{revoke_all, Revoked};
    revoke_all(&mut *tx, id, Revoked::Sessions, now).await?;
    let words = format!("ended {}", ended_words(alive(state, &ended, now)));
    let event = Event::by_admin(
        EventKind::AdminEndSessions,
        &admin.user.id,
        id,
        client,
        &words,
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    detail(state, id).await
}
