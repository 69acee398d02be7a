//! Hosts, for administrators: register one (its name, MFA on or off, who
//! may sign in, what to do with users Portcullis does not know), give it a
//! one-time enrollment token, change it, remove it (its key stops working
//! at once). Hosts are apps of kind `host`, so assignments and names are
//! the apps' own. Every change needs a second factor passed lately: MFA
//! off, or a host opened to more people, weakens logins elsewhere.

use portcullis_api::hosts::{Host, HostEnrollment, HostInput, UnknownUsers, HOST_TOKEN_HOURS};
use portcullis_api::AppPolicy;

use crate::admin::common::AdminError;
use crate::app::AppState;
use crate::audit::EventKind;
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::people::add::check_label;
use crate::secret::new_token;
use crate::sso::apps::{assign, members, record};
use crate::store;
use crate::store::hosts::HOST;

/// The context of an enrollment token's keyed hash.
pub const TOKEN_CONTEXT: &str = "host-enrollment";

fn missing() -> AdminError {
    AdminError::Missing("There is no such host (it may have been removed).".into())
}

fn taken(name: &str) -> AdminError {
    AdminError::Conflict(format!(
        "A host or app named {name} exists already: pick another name."
    ))
}

fn policy(mfa: bool) -> AppPolicy {
    if mfa {
        AppPolicy::SecondFactor
    } else {
        AppPolicy::NoMfa
    }
}

fn check(input: &HostInput) -> Result<String, AdminError> {
    if input.groups.len() > 200 || input.users.len() > 200 {
        return Err(AdminError::Invalid(
            "Assign the host to at most 200 groups and 200 people (use a group for more).".into(),
        ));
    }
    check_label(&input.name, "the host's name").map_err(AdminError::Invalid)
}

async fn wire(state: &AppState, row: store::hosts::Host) -> Result<Host, AdminError> {
    let (groups, users) = members(state, &row.id).await?;
    let now = state.now();
    Ok(Host {
        mfa: row.policy != AppPolicy::NoMfa.as_str(),
        unknown_users: UnknownUsers::parse(&row.unknown_users).unwrap_or(UnknownUsers::Deny),
        offline_totp: row.offline_totp,
        groups,
        users,
        everyone: row.everyone,
        enrolled_at: row.enrolled_at,
        last_seen_at: row.last_seen_at,
        token_expires_at: row.token_expires_at.filter(|t| *t > now),
        created_at: row.created_at,
        id: row.id,
        name: row.name,
    })
}

/// Every host, by name.
pub async fn list(state: &AppState) -> Result<Vec<Host>, AdminError> {
    let mut out = Vec::new();
    for row in store::hosts::list(&state.db).await? {
        out.push(wire(state, row).await?);
    }
    Ok(out)
}

async fn get(state: &AppState, id: &str) -> Result<Host, AdminError> {
    let row = store::hosts::find(&state.db, id)
        .await?
        .ok_or_else(missing)?;
    wire(state, row).await
}

/// A fresh token, its keyed hash and expiry.
fn token(state: &AppState) -> (String, String, i64) {
    let token = new_token();
    let hash = state.secrets.keyed_hash(TOKEN_CONTEXT, &token);
    (token, hash, state.now() + HOST_TOKEN_HOURS * 3600)
}

fn enrollment(state: &AppState, host: Host, token: String) -> HostEnrollment {
    let portal = crate::mfa::push::rules::portal(&state.settings);
    HostEnrollment {
        command: format!("sudo portcullis-pam enroll --url {portal} --token {token}"),
        host,
        token,
    }
}

/// Registers a host; its enrollment token is in the answer, once.
pub async fn add(
    state: &AppState,
    admin: &Authed,
    input: &HostInput,
    client: &Client,
) -> Result<HostEnrollment, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let name = check(input)?;
    let now = state.now();
    let row = store::apps::App {
        id: uuid::Uuid::now_v7().to_string(),
        // never usable as an OpenID Connect client: lookups by client id
        // find apps of kind `oidc` only
        client_id: format!("host-{}", &new_token()[..22]),
        name: name.clone(),
        // no tile: a host is not opened from the browser
        launch_url: String::new(),
        redirect_uris: String::new(),
        logout_uris: String::new(),
        secret_hash: None,
        policy: policy(input.mfa).as_str().to_string(),
        first_party: true,
        everyone: input.everyone,
        signing_alg: portcullis_api::SigningAlg::RS256.as_str().to_string(),
        created_at: now,
        updated_at: now,
        kind: HOST.into(),
        domain: None,
    };
    let (token, hash, expires_at) = token(state);
    let mut tx = state.db.begin().await?;
    match store::apps::insert(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&name)),
        other => other?,
    }
    let unknown = input.unknown_users.as_str();
    store::hosts::insert(&mut *tx, &row.id, unknown, &hash, expires_at).await?;
    store::hosts::set_settings(&mut *tx, &row.id, unknown, input.offline_totp).await?;
    assign(&mut tx, &row.id, &input.groups, &input.users).await?;
    let words = format!(
        "registered the host {name} (MFA {}{})",
        if input.mfa { "on" } else { "off" },
        if input.offline_totp {
            "; offline codes"
        } else {
            ""
        }
    );
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminSystemChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    let host = get(state, &row.id).await?;
    Ok(enrollment(state, host, token))
}

/// Changes a host's name, MFA, people or unknown users' treatment.
pub async fn change(
    state: &AppState,
    admin: &Authed,
    id: &str,
    input: &HostInput,
    client: &Client,
) -> Result<Host, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let name = check(input)?;
    let mut tx = state.db.begin().await?;
    if !store::apps::claim(&mut *tx, id, state.now()).await? {
        return Err(missing());
    }
    let mut row = store::apps::find(&mut *tx, id)
        .await?
        .filter(|r| r.kind == HOST)
        .ok_or_else(missing)?;
    row.name = name.clone();
    row.policy = policy(input.mfa).as_str().to_string();
    row.everyone = input.everyone;
    row.updated_at = state.now();
    match store::apps::update(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&name)),
        Ok(false) => return Err(missing()),
        other => {
            other?;
        }
    }
    let unknown = input.unknown_users.as_str();
    store::hosts::set_settings(&mut *tx, id, unknown, input.offline_totp).await?;
    assign(&mut tx, id, &input.groups, &input.users).await?;
    let words = format!(
        "changed the host {name} (MFA {}; unknown users: {}{})",
        if input.mfa { "on" } else { "off" },
        input.unknown_users.as_str(),
        if input.offline_totp {
            "; offline codes"
        } else {
            ""
        }
    );
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminSystemChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    get(state, id).await
}

/// A new enrollment token for the host (the earlier one dies; the key the
/// host has keeps working until the token is used).
pub async fn renew_token(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<HostEnrollment, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let (token, hash, expires_at) = token(state);
    let mut tx = state.db.begin().await?;
    if !store::hosts::set_token(&mut *tx, id, &hash, expires_at).await? {
        return Err(missing());
    }
    let host = store::hosts::find(&mut *tx, id)
        .await?
        .ok_or_else(missing)?;
    let words = format!("made a new enrollment token for the host {}", host.name);
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminSystemChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    let host = get(state, id).await?;
    Ok(enrollment(state, host, token))
}

/// Removes a host: its key, token and assignments go, so its next request
/// is refused.
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
        .filter(|r| r.kind == HOST)
        .ok_or_else(missing)?;
    store::apps::delete(&mut *tx, id).await?;
    let words = format!("removed the host {}", row.name);
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminSystemChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
