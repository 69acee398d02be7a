//! The user's own view of single sign-on: the apps they may open (tiles
//! on the home page) and those they have signed in to, which they may
//! revoke (the app's tokens end; it asks for consent again next time).

use portcullis_api::{MyApp, SignedInApp};

use super::scopes;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::caller::Authed;
use crate::auth::client::Client;
use crate::error::Internal;
use crate::rules::resource::Resource;
use crate::store;

/// The apps assigned to the user, by name.
pub async fn apps(state: &AppState, authed: &Authed) -> Result<Vec<MyApp>, Internal> {
    Ok(store::apps::assigned_to(&state.db, &authed.user.id)
        .await?
        .into_iter()
        // a wildcard site has no one address to open; a closed one none
        .filter(|a| !a.launch_url.is_empty() && a.policy != portcullis_api::SiteRule::Deny.as_str())
        .map(|a| MyApp {
            id: a.id,
            name: a.name,
            launch_url: a.launch_url,
        })
        .collect())
}

/// The apps holding tokens of the user, latest first.
pub async fn signed_in(state: &AppState, authed: &Authed) -> Result<Vec<SignedInApp>, Internal> {
    Ok(
        store::sso::signed_in_apps(&state.db, &authed.user.id, state.now())
            .await?
            .into_iter()
            .map(|a| SignedInApp {
                shares: scopes::shares(a.scope.as_deref().unwrap_or("openid")),
                app_id: a.app_id,
                name: a.name,
                last_used_at: a.last_used_at,
            })
            .collect(),
    )
}

/// Ends the app's tokens of the user and forgets their consent; whether
/// there was anything to end.
pub async fn revoke(
    state: &AppState,
    authed: &Authed,
    app_id: &str,
    client: &Client,
) -> Result<bool, Internal> {
    let Some(app) = store::apps::find(&state.db, app_id).await? else {
        return Ok(false);
    };
    let mut tx = state.db.begin().await?;
    let ended = store::sso::delete_families_of(&mut *tx, &authed.user.id, app_id).await?;
    store::sso::delete_consent(&mut *tx, &authed.user.id, app_id).await?;
    let resource = Resource::App {
        id: app.id.clone(),
        name: app.name.clone(),
    };
    let words = format!("revoked {}'s access", app.name);
    audit::record(
        &mut *tx,
        state.now(),
        Event::by_user(
            EventKind::SessionsEndedByUser,
            &authed.user.id,
            client,
            &words,
        )
        .for_resource(&resource),
    )
    .await?;
    tx.commit().await?;
    Ok(ended > 0)
}
