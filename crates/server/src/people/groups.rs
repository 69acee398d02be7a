//! Groups an administrator defines: create, rename, delete, and who is in
//! them. Names are unique whatever their case; every change needs a
//! recent second factor (groups decide who may use which app next) and is
//! recorded. Members are listed through the users list's group filter,
//! which pages on the server.

use portcullis_api::Group;

use super::add::check_label;
use crate::admin::common::{self, AdminError};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::store::{self, groups};

fn wire(g: groups::Group) -> Group {
    Group {
        id: g.id,
        name: g.name,
        members: u64::try_from(g.members).unwrap_or(0),
    }
}

fn group_name(name: &str) -> Result<String, AdminError> {
    check_label(name, "the group's name").map_err(AdminError::Invalid)
}

fn taken(name: &str) -> AdminError {
    AdminError::Conflict(format!("A group named {name} exists already."))
}

fn missing() -> AdminError {
    AdminError::Missing("There is no such group (it may have been deleted).".into())
}

pub async fn list(state: &AppState) -> Result<Vec<Group>, AdminError> {
    Ok(groups::list(&state.db)
        .await?
        .into_iter()
        .map(wire)
        .collect())
}

/// The user's groups, by name.
pub async fn of_user(state: &AppState, user_id: &str) -> Result<Vec<Group>, AdminError> {
    Ok(groups::of_user(&state.db, user_id)
        .await?
        .into_iter()
        .map(wire)
        .collect())
}

async fn record(
    tx: &mut store::Tx,
    state: &AppState,
    admin: &Authed,
    subject: Option<&str>,
    client: &Client,
    detail: &str,
) -> Result<(), AdminError> {
    let event = Event {
        kind: EventKind::AdminGroupChanged,
        actor: crate::audit::Actor::Admin(&admin.user.id),
        subject,
        client: Some(client),
        detail,
        resource: None,
    };
    audit::record(&mut **tx, state.now(), event).await?;
    Ok(())
}

pub async fn create(
    state: &AppState,
    admin: &Authed,
    name: &str,
    client: &Client,
) -> Result<Group, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let name = group_name(name)?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = state.db.begin().await?;
    if let Err(e) = groups::insert(&mut *tx, &id, &name, state.now()).await {
        return Err(match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => taken(&name),
            e => e.into(),
        });
    }
    record(
        &mut tx,
        state,
        admin,
        None,
        client,
        &format!("group {name} created"),
    )
    .await?;
    tx.commit().await?;
    groups::find(&state.db, &id)
        .await?
        .map(wire)
        .ok_or_else(missing)
}

pub async fn rename(
    state: &AppState,
    admin: &Authed,
    id: &str,
    name: &str,
    client: &Client,
) -> Result<Group, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let name = group_name(name)?;
    let old = groups::find(&state.db, id).await?.ok_or_else(missing)?;
    let mut tx = state.db.begin().await?;
    match groups::rename(&mut *tx, id, &name).await {
        Ok(true) => {}
        Ok(false) => return Err(missing()),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&name)),
        Err(e) => return Err(e.into()),
    }
    let detail = format!("group {} renamed {name}", old.name);
    record(&mut tx, state, admin, None, client, &detail).await?;
    tx.commit().await?;
    groups::find(&state.db, id)
        .await?
        .map(wire)
        .ok_or_else(missing)
}

pub async fn delete(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<(), AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let old = groups::find(&state.db, id).await?.ok_or_else(missing)?;
    let mut tx = state.db.begin().await?;
    if !groups::delete(&mut *tx, id).await? {
        return Err(missing());
    }
    let detail = format!("group {} deleted ({} members)", old.name, old.members);
    record(&mut tx, state, admin, None, client, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Puts a user in a group (`add`) or takes them out; the user's groups after.
pub async fn membership(
    state: &AppState,
    admin: &Authed,
    group_id: &str,
    user_id: &str,
    add: bool,
    client: &Client,
) -> Result<Vec<Group>, AdminError> {
    // The same rules as any change to a user: rank, never oneself.
    let row = common::target(state, admin, user_id).await?;
    let group = groups::find(&state.db, group_id)
        .await?
        .ok_or_else(missing)?;
    let mut tx = state.db.begin().await?;
    let changed = if add {
        groups::add_member(&mut *tx, group_id, user_id, state.now()).await?
    } else {
        groups::remove_member(&mut *tx, group_id, user_id).await?
    };
    if changed {
        let detail = if add {
            format!("added to group {}", group.name)
        } else {
            format!("removed from group {}", group.name)
        };
        record(&mut tx, state, admin, Some(&row.user.id), client, &detail).await?;
    }
    tx.commit().await?;
    of_user(state, user_id).await
}
