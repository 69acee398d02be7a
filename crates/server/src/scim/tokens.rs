//! The bearer tokens identity providers sync with: made by an
//! administrator whose session passed a second factor lately, named (which
//! directory holds it), shown once, a keyed hash stored, revocable.

use portcullis_api::{NewScimToken, ScimToken};

use super::error::ScimError;
use crate::admin::common::AdminError;
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::people::add::{check_label, check_name};
use crate::store;

/// Tokens start with this, so a leaked one is recognisable (secret
/// scanners look for such prefixes).
const PREFIX: &str = "pcscim_";

fn hash(state: &AppState, token: &str) -> String {
    state.secrets.keyed_hash("scim-token", token)
}

fn wire(t: store::scim::Token) -> ScimToken {
    ScimToken {
        id: t.id,
        name: t.name,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        invite: t.invite != 0,
        token: None,
    }
}

/// The directory a request comes from: its token's name (for the event
/// log) and whether the people it adds are invited at once.
#[derive(Debug, Clone)]
pub struct Directory {
    pub name: String,
    pub invite: bool,
}

async fn record(
    state: &AppState,
    tx: &mut store::Tx,
    by: Option<(&Authed, &Client)>,
    detail: &str,
) -> Result<(), crate::error::Internal> {
    let event = Event {
        kind: EventKind::AdminScimToken,
        actor: by.map_or(Actor::System, |(a, _)| Actor::Admin(&a.user.id)),
        subject: None,
        client: by.map(|(_, c)| c),
        detail,
        resource: None,
    };
    audit::record(&mut **tx, state.now(), event).await
}

pub async fn list(state: &AppState) -> Result<Vec<ScimToken>, AdminError> {
    Ok(store::scim::tokens(&state.db)
        .await?
        .into_iter()
        .map(wire)
        .collect())
}

/// A new token, in the answer this once.
pub async fn issue(
    state: &AppState,
    admin: &Authed,
    new: &NewScimToken,
    client: &Client,
) -> Result<ScimToken, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let name = check_label(&new.name, "a name for the token").map_err(AdminError::Invalid)?;
    Ok(make(state, &name, new.invite, Some((admin, client))).await?)
}

/// A new token from the command line (`scim-token`), for setting up a
/// deployment by script.
pub async fn issue_from_command_line(state: &AppState, name: &str) -> anyhow::Result<String> {
    let name = check_name(name).map_err(anyhow::Error::msg)?;
    let made = make(state, &name, true, None).await?;
    Ok(made.token.unwrap_or_default())
}

async fn make(
    state: &AppState,
    name: &str,
    invite: bool,
    by: Option<(&Authed, &Client)>,
) -> Result<ScimToken, crate::error::Internal> {
    let id = uuid::Uuid::new_v4().to_string();
    let token = format!("{PREFIX}{}", crate::secret::new_token());
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let admin_id = by.map(|(a, _)| a.user.id.as_str());
    let hashed = hash(state, &token);
    store::scim::insert_token(&mut *tx, &id, name, &hashed, admin_id, invite, now).await?;
    let detail = format!("SCIM token \"{name}\" made");
    record(state, &mut tx, by, &detail).await?;
    tx.commit().await?;
    Ok(ScimToken {
        id,
        name: name.to_string(),
        created_at: now,
        last_used_at: None,
        invite,
        token: Some(token),
    })
}

pub async fn revoke(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<(), AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let name = store::scim::tokens(&state.db)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.name)
        .ok_or_else(|| {
            AdminError::Missing("There is no such token (it may be revoked already).".into())
        })?;
    let mut tx = state.db.begin().await?;
    if !store::scim::delete_token(&mut *tx, id).await? {
        return Err(AdminError::Missing(
            "There is no such token (it may be revoked already).".into(),
        ));
    }
    let detail = format!("SCIM token \"{name}\" revoked");
    record(state, &mut tx, Some((admin, client)), &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The directory whose token a request's `Authorization: Bearer …` names,
/// or 401.
pub async fn authenticate(state: &AppState, bearer: Option<&str>) -> Result<Directory, ScimError> {
    let Some(token) = bearer.filter(|t| t.starts_with(PREFIX) && t.len() < 200) else {
        return Err(ScimError::unauthorized());
    };
    match store::scim::use_token(&state.db, &hash(state, token), state.now()).await? {
        Some(t) => Ok(Directory {
            invite: t.invite != 0,
            name: t.name,
        }),
        None => Err(ScimError::unauthorized()),
    }
}
