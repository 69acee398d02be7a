//! What a login must prove beyond the portal's own requirement, for the
//! resource it is for: an app's policy may ask for a second factor, or a
//! phishing-resistant one, from users the portal would let in without.

use portcullis_api::AppPolicy;

use super::resource::Resource;
use crate::app::AppState;
use crate::error::Internal;
use crate::store::{self, Db};

/// What a login must prove beyond the portal's requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Need {
    /// Nothing more than the portal asks.
    #[default]
    Portal,
    /// A second factor, whoever the user is.
    SecondFactor,
    /// A security key or passkey.
    PhishingResistant,
}

impl Need {
    /// An app with `policy` asks this of its logins (it may ask more than
    /// the portal, never less: its session is a portal session too).
    pub fn of(policy: AppPolicy) -> Need {
        match policy {
            AppPolicy::OrgDefault | AppPolicy::NoMfa => Need::Portal,
            AppPolicy::SecondFactor => Need::SecondFactor,
            AppPolicy::PhishingResistant => Need::PhishingResistant,
        }
    }
}

/// What a login for `resource` must prove now (an app's policy is read
/// afresh: a change applies to logins in progress).
pub async fn need_for(db: &Db, resource: &Resource) -> Result<Need, Internal> {
    let Some(id) = resource.app_id() else {
        return Ok(Need::Portal);
    };
    Ok(match store::apps::find(db, id).await? {
        Some(app) => AppPolicy::parse(&app.policy).map_or(Need::SecondFactor, Need::of),
        // a deleted app: its login asks nothing more (it cannot finish
        // the sign-in to the app anyway)
        None => Need::Portal,
    })
}

/// The keyed hash an authorization request's id is stored under.
pub fn request_hash(state: &AppState, id: &str) -> String {
    state.secrets.keyed_hash("sso-request", id)
}

/// The app a login started from a sign-in request (`/sso/{id}`) is for,
/// with what it needs; `None` when the request is unknown or over (the
/// login is then the portal's own, and the request page says it ended).
pub async fn for_request(state: &AppState, id: &str) -> Result<Option<(Resource, Need)>, Internal> {
    let hash = request_hash(state, id);
    let Some(request) = store::sso::find_request(&state.db, &hash, state.now()).await? else {
        return Ok(None);
    };
    let Some(app) = store::apps::find(&state.db, &request.app_id).await? else {
        return Ok(None);
    };
    let need = AppPolicy::parse(&app.policy).map_or(Need::SecondFactor, Need::of);
    Ok(Some((
        Resource::App {
            id: app.id,
            name: app.name,
        },
        need,
    )))
}
