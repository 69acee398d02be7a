//! An administrator edits a user's name, email and role, or deletes the
//! user. Role rank rules hold as for every change (no one above one's own
//! role, never oneself); an email stays unique whatever its case; a role
//! change ends the user's sessions (they carried the old role's rights);
//! a new email revokes a link sent to the old one. Deleting needs the
//! user's email typed again; the audit log keeps their id and a tombstone.

use portcullis_api::{AdminUser, Role, UserChange};

use super::add::check_name;
use crate::admin::common::{self, AdminError};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::email::{check_email, normalize_email};
use crate::auth::Authed;
use crate::mfa::push::links::{revoke_all, Revoked};
use crate::store;

fn role_word(r: Role) -> &'static str {
    match r {
        Role::User => "user",
        Role::Admin => "administrator",
        Role::BillingAdmin => "billing administrator",
    }
}

pub async fn edit(
    state: &AppState,
    admin: &Authed,
    id: &str,
    change: &UserChange,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let row = common::target(state, admin, id).await?;
    let user = row.user;
    let name = match &change.display_name {
        Some(n) => check_name(n).map_err(AdminError::Invalid)?,
        None => user.display_name.clone(),
    };
    let email = match &change.email {
        Some(e) => {
            check_email(e).map_err(AdminError::Invalid)?;
            normalize_email(e)
        }
        None => user.email.clone(),
    };
    let role = change.role.unwrap_or(user.role());
    if role.rank() > admin.user.role().rank() {
        return Err(AdminError::Outranked(
            "Only a billing administrator can make someone a billing administrator.",
        ));
    }
    let mut words = Vec::new();
    if name != user.display_name {
        words.push(format!("name: {} → {name}", user.display_name));
    }
    if email != user.email {
        words.push(format!("email: {} → {email}", user.email));
    }
    if role != user.role() {
        words.push(format!(
            "role: {} → {}",
            role_word(user.role()),
            role_word(role)
        ));
    }
    if words.is_empty() {
        return common::get(state, id).await;
    }
    let taken = || AdminError::Conflict(format!("A user with the email {email} exists already."));
    let now = state.now();
    let mut tx = state.db.begin().await?;
    store::users::lock(&mut *tx, id).await?;
    if email != user.email {
        if let Some(other) = store::users::find_by_email(&mut *tx, &email).await? {
            if other.id != user.id {
                return Err(taken());
            }
        }
        // A link sent to the old address must not stay usable.
        super::links::revoke(&mut *tx, id).await?;
    }
    if let Err(e) = store::users::set_profile(&mut *tx, id, &name, &email, role).await {
        return Err(match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => taken(),
            e => e.into(),
        });
    }
    if role != user.role() {
        // Sessions carry the rights of the role they were made with.
        store::sessions::end_all(&mut *tx, id).await?;
        revoke_all(&mut *tx, id, Revoked::Sessions, now).await?;
        words.push("their sessions ended".into());
    }
    let detail = words.join("; ");
    let event = Event::by_admin(
        EventKind::AdminUserChanged,
        &admin.user.id,
        id,
        client,
        &detail,
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    common::get(state, id).await
}

/// Deletes the user in the caller's transaction, leaving a tombstone that
/// names them in their events; whether they were still there.
pub(crate) async fn delete_in(
    tx: &mut store::Tx,
    user: &crate::store::users::User,
    now: crate::clock::Timestamp,
) -> Result<bool, crate::error::Internal> {
    store::users::lock(&mut **tx, &user.id).await?;
    store::outbox::delete_unsent_for(&mut **tx, &user.id).await?;
    let label = format!("{} (deleted)", user.display_name);
    store::users::insert_tombstone(&mut **tx, &user.id, &label, now).await?;
    Ok(store::users::delete(&mut **tx, &user.id).await?)
}

/// Deletes the user and everything of theirs (factors, sessions, links,
/// trusted browsers, pushes, unsent emails). `confirm_email` must be their
/// email, typed again.
pub async fn delete(
    state: &AppState,
    admin: &Authed,
    id: &str,
    confirm_email: &str,
    client: &Client,
) -> Result<(), AdminError> {
    let row = common::target(state, admin, id).await?;
    let user = row.user;
    if normalize_email(confirm_email) != user.email {
        // Valid by the API's document, refused for not naming the user: 409.
        return Err(AdminError::Conflict(format!(
            "To delete {}, type their email address, {}, to confirm.",
            user.display_name, user.email
        )));
    }
    let now = state.now();
    let mut tx = state.db.begin().await?;
    if !delete_in(&mut tx, &user, now).await? {
        return Err(AdminError::NotFound);
    }
    let detail = format!(
        "deleted {} ({}), with their factors, sessions and links",
        user.display_name, user.email
    );
    let event = Event::by_admin(
        EventKind::AdminDeleteUser,
        &admin.user.id,
        id,
        client,
        &detail,
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}
