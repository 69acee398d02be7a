//! A second factor proven again in a signed-in session, before a change
//! that needs a recent one: each factor proves, this records it.

use super::error::MfaError;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::caller::Authed;
use crate::auth::client::Client;
use crate::auth::session::{self, Method};

/// Records a second factor proven again in a signed-in session.
pub(crate) async fn proven_again(
    state: &AppState,
    authed: &Authed,
    method: Method,
    words: &str,
    client: &Client,
) -> Result<(), MfaError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    session::prove_again(&mut *tx, &authed.session, method, now).await?;
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::MfaVerified, &authed.user.id, client, words),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
