//! The organisation's apps, for administrators: register (the client
//! secret shown once, a keyed hash kept), change, make a new secret,
//! remove; whom each is assigned to. Registering, a new secret and removal
//! need a second factor passed lately, as other secrets do.

use portcullis_api::{App, AppInput, AppMember, AppPolicy, SigningAlg};

use super::uris;
use crate::admin::common::AdminError;
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::people::add::check_label;
use crate::secret::new_token;
use crate::store;

/// Client secrets start with this, so a leaked one is recognisable.
const SECRET_PREFIX: &str = "pcsec_";

/// The keyed hash a client secret is kept as.
pub fn secret_hash(state: &AppState, secret: &str) -> String {
    state.secrets.keyed_hash("app-secret", secret)
}

/// Sites behind forward-auth share the table; these screens are for apps.
fn is_oidc(row: &store::apps::App) -> bool {
    row.kind == store::apps::OIDC
}

fn missing() -> AdminError {
    AdminError::Missing("There is no such app (it may have been removed).".into())
}

fn taken(name: &str) -> AdminError {
    AdminError::Conflict(format!("An app named {name} exists already."))
}

/// Whom an app of any kind is assigned to, as administrators see it: its
/// groups, then its people.
pub async fn members(
    state: &AppState,
    app_id: &str,
) -> Result<(Vec<AppMember>, Vec<AppMember>), AdminError> {
    let member = |m: store::apps::Member| AppMember {
        id: m.id,
        label: m.label,
    };
    let groups = store::apps::groups_of(&state.db, app_id).await?;
    let users = store::apps::users_of(&state.db, app_id).await?;
    Ok((
        groups.into_iter().map(member).collect(),
        users.into_iter().map(member).collect(),
    ))
}

/// The app as administrators see it.
async fn wire(state: &AppState, row: store::apps::App) -> Result<App, AdminError> {
    let (groups, users) = members(state, &row.id).await?;
    Ok(App {
        redirect_uris: row.redirect_list().into_iter().map(String::from).collect(),
        logout_uris: row.logout_list().into_iter().map(String::from).collect(),
        confidential: row.secret_hash.is_some(),
        policy: AppPolicy::parse(&row.policy).unwrap_or(AppPolicy::SecondFactor),
        signing_alg: SigningAlg::parse(&row.signing_alg).unwrap_or(SigningAlg::RS256),
        groups,
        users,
        id: row.id,
        client_id: row.client_id,
        name: row.name,
        launch_url: row.launch_url,
        first_party: row.first_party,
        everyone: row.everyone,
        created_at: row.created_at,
        client_secret: None,
    })
}

pub async fn list(state: &AppState) -> Result<Vec<App>, AdminError> {
    let mut out = Vec::new();
    for row in store::apps::list(&state.db, store::apps::OIDC).await? {
        out.push(wire(state, row).await?);
    }
    Ok(out)
}

pub async fn get(state: &AppState, id: &str) -> Result<App, AdminError> {
    let row = store::apps::find(&state.db, id)
        .await?
        .filter(is_oidc)
        .ok_or_else(missing)?;
    wire(state, row).await
}

/// The checked fields of an input, ready for a row.
struct Checked {
    name: String,
    launch_url: String,
    redirect_uris: String,
    logout_uris: String,
}

fn check(input: &AppInput) -> Result<Checked, AdminError> {
    let name = check_label(&input.name, "the app's name").map_err(AdminError::Invalid)?;
    let launch_url =
        uris::check("launch address", &input.launch_url).map_err(AdminError::Invalid)?;
    let list = |v: &[portcullis_api::apps::Uri]| v.iter().map(|u| u.0.clone()).collect::<Vec<_>>();
    let redirects = uris::check_list("redirect URI", &list(&input.redirect_uris), 1)
        .map_err(AdminError::Invalid)?;
    let logouts = uris::check_list("sign-out address", &list(&input.logout_uris), 0)
        .map_err(AdminError::Invalid)?;
    if input.groups.len() > 200 || input.users.len() > 200 {
        return Err(AdminError::Invalid(
            "Assign the app to at most 200 groups and 200 people (use a group for more).".into(),
        ));
    }
    Ok(Checked {
        name,
        launch_url,
        redirect_uris: redirects.join("\n"),
        logout_uris: logouts.join("\n"),
    })
}

/// Writes whom the app is assigned to; refuses a group or user that is
/// not there (409: a conflict with what is there now).
pub async fn assign(
    tx: &mut store::Tx,
    app_id: &str,
    groups: &[portcullis_api::apps::Id],
    users: &[portcullis_api::apps::Id],
) -> Result<(), AdminError> {
    store::apps::clear_members(tx, app_id).await?;
    for g in once(groups) {
        if !store::apps::add_group(&mut **tx, app_id, g).await? {
            // A conflict with what is there now (409), not a missing path
            // (404): the app itself is there.
            return Err(AdminError::Conflict(
                "One of the groups is not there any more (it may have been deleted). Reload and try again."
                    .into(),
            ));
        }
    }
    for u in once(users) {
        if !store::apps::add_user(&mut **tx, app_id, u).await? {
            return Err(AdminError::Conflict(
                "One of the people is not there any more (they may have been deleted). Reload and try again."
                    .into(),
            ));
        }
    }
    Ok(())
}

/// Records an administrator's change to an app of any kind (an app, a
/// site, a host, a RADIUS client), as `kind`.
pub async fn record(
    state: &AppState,
    tx: &mut store::Tx,
    admin: &Authed,
    client: &Client,
    kind: EventKind,
    detail: &str,
) -> Result<(), AdminError> {
    let event = Event {
        kind,
        actor: Actor::Admin(&admin.user.id),
        subject: None,
        client: Some(client),
        detail,
        resource: None,
    };
    audit::record(&mut **tx, state.now(), event).await?;
    Ok(())
}

fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", new_token())
}

/// Registers an app; a confidential one's secret is in the answer, once.
pub async fn register(
    state: &AppState,
    admin: &Authed,
    input: &AppInput,
    client: &Client,
) -> Result<App, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let c = check(input)?;
    let now = state.now();
    let secret = input.confidential.then(new_secret);
    let row = store::apps::App {
        id: uuid::Uuid::now_v7().to_string(),
        client_id: new_token()[..22].to_string(),
        name: c.name.clone(),
        launch_url: c.launch_url,
        redirect_uris: c.redirect_uris,
        logout_uris: c.logout_uris,
        secret_hash: secret.as_deref().map(|s| secret_hash(state, s)),
        policy: input.policy.as_str().to_string(),
        first_party: input.first_party,
        everyone: input.everyone,
        signing_alg: input.signing_alg.as_str().to_string(),
        created_at: now,
        updated_at: now,
        kind: store::apps::OIDC.into(),
        domain: None,
    };
    let mut tx = state.db.begin().await?;
    match store::apps::insert(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&c.name)),
        other => other?,
    }
    assign(&mut tx, &row.id, &input.groups, &input.users).await?;
    let words = format!("registered the app {} ({})", c.name, input.policy.label());
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminAppChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    let mut app = get(state, &row.id).await?;
    app.client_secret = secret;
    Ok(app)
}

/// Changes an app (not its kind: a public client cannot become
/// confidential without a new registration, nor the other way).
pub async fn change(
    state: &AppState,
    admin: &Authed,
    id: &str,
    input: &AppInput,
    client: &Client,
) -> Result<App, AdminError> {
    let c = check(input)?;
    let mut tx = state.db.begin().await?;
    if !store::apps::claim(&mut *tx, id, state.now()).await? {
        return Err(missing());
    }
    let mut row = store::apps::find(&mut *tx, id)
        .await?
        .filter(is_oidc)
        .ok_or_else(missing)?;
    if input.confidential != row.secret_hash.is_some() {
        return Err(AdminError::Conflict(
            "An app cannot change between confidential and public. Register it again instead."
                .into(),
        ));
    }
    row.name = c.name.clone();
    row.launch_url = c.launch_url;
    row.redirect_uris = c.redirect_uris;
    row.logout_uris = c.logout_uris;
    row.policy = input.policy.as_str().to_string();
    row.first_party = input.first_party;
    row.everyone = input.everyone;
    row.signing_alg = input.signing_alg.as_str().to_string();
    row.updated_at = state.now();
    match store::apps::update(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&c.name)),
        Ok(false) => return Err(missing()),
        other => {
            other?;
        }
    }
    assign(&mut tx, id, &input.groups, &input.users).await?;
    let words = format!("changed the app {} ({})", c.name, input.policy.label());
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminAppChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    get(state, id).await
}

/// A new client secret (the old one stops working at once), shown once.
pub async fn new_client_secret(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<App, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let mut tx = state.db.begin().await?;
    if !store::apps::claim(&mut *tx, id, state.now()).await? {
        return Err(missing());
    }
    let row = store::apps::find(&mut *tx, id)
        .await?
        .filter(is_oidc)
        .ok_or_else(missing)?;
    if row.secret_hash.is_none() {
        return Err(AdminError::Conflict(
            "This app is a public client: it has no secret (it proves itself with PKCE).".into(),
        ));
    }
    let secret = new_secret();
    store::apps::set_secret(&mut *tx, id, &secret_hash(state, &secret), state.now()).await?;
    let words = format!("made a new client secret for the app {}", row.name);
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminAppChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    let mut app = get(state, id).await?;
    app.client_secret = Some(secret);
    Ok(app)
}

/// Removes an app: its codes, tokens and consents go with it.
pub async fn remove(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<(), AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let mut tx = state.db.begin().await?;
    if !store::apps::claim(&mut *tx, id, state.now()).await? {
        return Err(missing());
    }
    let row = store::apps::find(&mut *tx, id)
        .await?
        .filter(is_oidc)
        .ok_or_else(missing)?;
    store::apps::delete(&mut *tx, id).await?;
    let words = format!("removed the app {}", row.name);
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminAppChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Each id once: one listed twice is one assignment, not a missing one.
fn once(ids: &[portcullis_api::apps::Id]) -> Vec<&str> {
    let mut ids: Vec<&str> = ids.iter().map(|i| i.0.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
