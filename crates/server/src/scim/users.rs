//! SCIM Users: list (filter, page), get, create (an account as "Add
//! user" makes, invited at once unless the directory's token says not),
//! replace, patch (`active: false` suspends, `true` reactivates, absent
//! changes nothing) and delete, each checked and recorded as the same
//! change by an administrator would be. A directory never sets a role, and
//! leaves administrators alone: it cannot rename, re-address, suspend,
//! reactivate or delete them (the organisation's owners stay in
//! Portcullis's hands).

use portcullis_api::Role;
use serde_json::{json, Map, Value};

use super::error::ScimError;
use super::patch::{self, Operation};
use super::schema::{ResourceKind, USER_URN};
use super::tokens::Directory;
use super::{base, declared, equality, meta, text, ListQuery};
use crate::app::AppState;
use crate::audit::EventKind;
use crate::auth::email::{check_email, normalize_email};
use crate::people::add::{self, check_name, AddedBy};
use crate::store::scim::{ScimUser, UserMatch};
use crate::store::{self, users::User};

const KIND: ResourceKind = ResourceKind::User;

/// What a directory's representation says Portcullis should hold.
struct Wanted {
    user_name: String,
    email: String,
    name: String,
    /// `None` when the representation does not say (no change).
    active: Option<bool>,
    external_id: Option<String>,
}

fn invalid(detail: String) -> ScimError {
    ScimError::bad_request("invalidValue", detail)
}

/// The account fields a representation names, checked.
fn wanted(doc: &Map<String, Value>) -> Result<Wanted, ScimError> {
    let user_name = text(doc, "userName").ok_or_else(|| invalid("userName is required.".into()))?;
    if user_name.chars().count() > 254 {
        return Err(invalid("userName is longer than 254 characters.".into()));
    }
    let emails: Vec<&Map<String, Value>> = match doc.get("emails") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(_) => return Err(invalid("emails must be a list.".into())),
    };
    let primary = emails
        .iter()
        .find(|e| e.get("primary") == Some(&Value::Bool(true)))
        .or_else(|| emails.first())
        .and_then(|e| text(e, "value"));
    let email = match primary {
        Some(e) => e,
        None if check_email(&user_name).is_ok() => user_name.clone(),
        None => {
            return Err(invalid(
                "A user needs an email address: in emails, or as the userName.".into(),
            ))
        }
    };
    check_email(&email).map_err(|m| invalid(format!("{email}: {m}")))?;
    let given = doc.get("name").and_then(Value::as_object);
    let from_parts = given.and_then(|n| {
        let parts: Vec<String> = ["givenName", "familyName"]
            .iter()
            .filter_map(|k| text(n, k))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let name = text(doc, "displayName")
        .or_else(|| given.and_then(|n| text(n, "formatted")))
        .or(from_parts)
        .unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    let name = check_name(&name).map_err(|m| invalid(format!("displayName: {m}")))?;
    let active = match doc.get("active") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        // Entra has sent "True" and "False" as strings.
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => return Err(invalid("active must be true or false.".into())),
    };
    Ok(Wanted {
        user_name,
        email: normalize_email(&email),
        name,
        active,
        external_id: text(doc, "externalId"),
    })
}

/// The representation of a user: what a directory sent, else what the
/// account holds; `active` always as the account is.
fn representation(u: &ScimUser, base: &str) -> Value {
    let mut doc: Map<String, Value> = u
        .attributes
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_else(|| {
            let mut d = Map::new();
            d.insert("userName".into(), json!(u.email));
            d.insert("displayName".into(), json!(u.display_name));
            d.insert(
                "emails".into(),
                json!([{ "value": u.email, "primary": true }]),
            );
            d
        });
    let suspended = u.suspended_at.is_some();
    match doc.get("active") {
        Some(_) => {
            doc.insert("active".into(), json!(!suspended));
        }
        None if suspended || u.attributes.is_none() => {
            doc.insert("active".into(), json!(!suspended));
        }
        None => {}
    }
    doc.insert("id".into(), json!(u.id));
    doc.insert("schemas".into(), json!([USER_URN]));
    doc.insert(
        "meta".into(),
        meta(
            KIND,
            base,
            &u.id,
            u.created_at,
            u.updated_at.unwrap_or(u.created_at),
        ),
    );
    Value::Object(doc)
}

fn user_match(filter: Option<&str>) -> Result<UserMatch, ScimError> {
    let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(UserMatch::All);
    };
    let (name, value) = equality(f)?;
    Ok(match name.to_ascii_lowercase().as_str() {
        "username" => UserMatch::UserName(value),
        "externalid" => UserMatch::ExternalId(value),
        "id" => UserMatch::Id(value),
        "emails" | "emails.value" => UserMatch::Email(value),
        _ => {
            return Err(ScimError::bad_request(
                "invalidFilter",
                format!(
                "Users cannot be filtered by {name}: use userName, externalId, id or emails.value."
            ),
            ))
        }
    })
}

pub async fn list(state: &AppState, q: &ListQuery) -> Result<(Vec<Value>, i64, i64), ScimError> {
    let m = user_match(q.filter.as_deref())?;
    let (offset, count) = q.page();
    let (rows, total) = store::scim::users(&state.db, &m, offset, count).await?;
    let base = base(&state.settings.public_origin);
    let p = q.projection();
    Ok((
        rows.iter()
            .map(|u| p.apply(representation(u, &base)))
            .collect(),
        total,
        offset,
    ))
}

pub async fn get(state: &AppState, id: &str) -> Result<Value, ScimError> {
    let u = store::scim::user(&state.db, id)
        .await?
        .ok_or_else(|| ScimError::not_found("user"))?;
    Ok(representation(&u, &base(&state.settings.public_origin)))
}

fn taken(what: &str, value: &str) -> ScimError {
    ScimError::conflict(format!("A user with the {what} {value} exists already."))
}

async fn record(
    tx: &mut store::Tx,
    state: &AppState,
    kind: EventKind,
    subject: &str,
    detail: &str,
    directory: &str,
) -> Result<(), ScimError> {
    super::record(tx, state.now(), kind, Some(subject), detail, directory).await
}

/// Creates the user and invites them (as "Add user" does; never an
/// administrator).
pub async fn create(
    state: &AppState,
    body: &Value,
    directory: &Directory,
) -> Result<Value, ScimError> {
    let doc = declared(KIND, body)?;
    let w = wanted(&doc)?;
    if store::scim::user_name_taken(&state.db, &w.user_name, None).await? {
        return Err(taken("userName", &w.user_name));
    }
    let now = state.now();
    let mut user = add::new_account(w.email.clone(), w.name.clone(), Role::User, now);
    // Inserts first (see `people::add::invite`).
    let mut tx = state.db.begin().await?;
    if !store::users::insert_if_new(&mut *tx, &user).await? {
        return Err(taken("email", &w.email));
    }
    let attributes = Value::Object(doc.clone()).to_string();
    if !store::scim::put_user(
        &mut *tx,
        &user.id,
        &w.user_name,
        w.external_id.as_deref(),
        &attributes,
        now,
    )
    .await?
    {
        return Err(taken("userName", &w.user_name));
    }
    let settings = crate::rules::org_settings::get(&mut *tx).await?;
    let requirement = settings.new_user_requirement(now);
    let how = format!(" (directory sync: {})", directory.name);
    if directory.invite {
        let by = AddedBy::CommandLine;
        add::welcome_in(&mut tx, state, &mut user, requirement, by, &how).await?;
    } else {
        add::uninvited_in(&mut tx, state, &mut user, requirement, &how).await?;
    }
    if w.active == Some(false) {
        crate::admin::suspend::suspend_in(&mut tx, &user.id, now).await?;
        record(
            &mut tx,
            state,
            EventKind::AdminSuspend,
            &user.id,
            "created inactive: suspended",
            &directory.name,
        )
        .await?;
    }
    tx.commit().await?;
    get(state, &user.id).await
}

/// Replaces the user's representation (PUT).
pub async fn replace(
    state: &AppState,
    id: &str,
    body: &Value,
    directory: &str,
) -> Result<Value, ScimError> {
    let doc = declared(KIND, body)?;
    write(state, id, directory, |_| Ok((doc, false))).await
}

/// Applies a PATCH to the user's representation as it is inside the
/// transaction (so two PATCHes at once both count).
pub async fn patch(
    state: &AppState,
    id: &str,
    ops: &[Operation],
    directory: &str,
) -> Result<Value, ScimError> {
    write(state, id, directory, |mut doc| {
        let had_active = doc.contains_key("active");
        patch::apply(KIND, &mut doc, ops)?;
        // `remove active` unassigns it: the account is active again (a
        // replacement that leaves it out changes nothing instead).
        Ok((doc.clone(), had_active && !doc.contains_key("active")))
    })
    .await
}

const ADMINS_STAY: &str = "Administrators are managed in Portcullis, not by directory sync: \
     their name, email and whether they are active do not change here.";

/// Holds the user, reads their representation, `change`s it and stores
/// the result, in one transaction.
async fn write(
    state: &AppState,
    id: &str,
    directory: &str,
    change: impl FnOnce(Map<String, Value>) -> Result<(Map<String, Value>, bool), ScimError>,
) -> Result<Value, ScimError> {
    let base = base(&state.settings.public_origin);
    let mut tx = state.db.begin().await?;
    if !store::users::lock(&mut *tx, id).await? {
        return Err(ScimError::not_found("user"));
    }
    let row = store::scim::user(&mut *tx, id)
        .await?
        .ok_or_else(|| ScimError::not_found("user"))?;
    let user = store::users::find_by_id(&mut *tx, id)
        .await?
        .ok_or_else(|| ScimError::not_found("user"))?;
    let (doc, active_removed) = change(declared(KIND, &representation(&row, &base))?)?;
    let mut w = wanted(&doc)?;
    if active_removed {
        w.active = Some(true);
    }
    if store::scim::user_name_taken(&mut *tx, &w.user_name, Some(id)).await? {
        return Err(taken("userName", &w.user_name));
    }
    let active_changes = w.active.is_some_and(|a| a == user.suspended_at.is_some());
    let profile_changes = w.email != user.email || w.name != user.display_name;
    if user.role().is_admin() && (active_changes || profile_changes) {
        return Err(ScimError::forbidden(ADMINS_STAY));
    }
    let now = state.now();
    let attributes = Value::Object(doc).to_string();
    let ext = w.external_id.as_deref();
    if !store::scim::put_user(&mut *tx, id, &w.user_name, ext, &attributes, now).await? {
        return Err(taken("userName", &w.user_name));
    }
    changes(&mut tx, state, &user, &w, directory).await?;
    tx.commit().await?;
    get(state, id).await
}

/// The account's own fields, as the representation now says.
async fn changes(
    tx: &mut store::Tx,
    state: &AppState,
    user: &User,
    w: &Wanted,
    directory: &str,
) -> Result<(), ScimError> {
    let now = state.now();
    if w.email != user.email || w.name != user.display_name {
        if let Err(e) =
            store::users::set_profile(&mut **tx, &user.id, &w.name, &w.email, user.role()).await
        {
            return Err(match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => taken("email", &w.email),
                e => e.into(),
            });
        }
        if w.email != user.email {
            // A link sent to the old address must not work any more.
            crate::people::links::revoke(&mut **tx, &user.id).await?;
        }
        let detail = format!("name or email changed to {} <{}>", w.name, w.email);
        record(
            tx,
            state,
            EventKind::AdminUserChanged,
            &user.id,
            &detail,
            directory,
        )
        .await?;
    }
    match (user.suspended_at.is_some(), w.active) {
        (false, Some(false)) => {
            crate::admin::suspend::suspend_in(tx, &user.id, now).await?;
            record(
                tx,
                state,
                EventKind::AdminSuspend,
                &user.id,
                "suspended (active: false)",
                directory,
            )
            .await?;
        }
        (true, Some(true)) => {
            store::users::set_suspended(&mut **tx, &user.id, None).await?;
            record(
                tx,
                state,
                EventKind::AdminReactivate,
                &user.id,
                "reactivated (active: true)",
                directory,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

pub async fn delete(state: &AppState, id: &str, directory: &str) -> Result<(), ScimError> {
    let user = store::users::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| ScimError::not_found("user"))?;
    if user.role().is_admin() {
        return Err(ScimError::forbidden(ADMINS_STAY));
    }
    let now = state.now();
    let mut tx = state.db.begin().await?;
    if !crate::people::edit::delete_in(&mut tx, &user, now).await? {
        return Err(ScimError::not_found("user"));
    }
    let detail = format!("deleted {} ({})", user.display_name, user.email);
    record(
        &mut tx,
        state,
        EventKind::AdminDeleteUser,
        id,
        &detail,
        directory,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_email_is_the_primary_one_else_the_first_else_the_user_name() {
        let w = wanted(&doc(json!({
            "userName": "ann",
            "emails": [{"value": "home@example.com"}, {"value": "Work@Example.com", "primary": true}],
            "name": {"givenName": "Ann", "familyName": "Aho"},
        })))
        .unwrap();
        assert_eq!(
            (w.email.as_str(), w.name.as_str()),
            ("work@example.com", "Ann Aho")
        );
        let w = wanted(&doc(
            json!({"userName": "bo@example.com", "active": "False"}),
        ))
        .unwrap();
        assert_eq!(
            (w.email.as_str(), w.active),
            ("bo@example.com", Some(false))
        );
        assert!(wanted(&doc(json!({"userName": "nobody"}))).is_err());
        assert!(wanted(&doc(json!({"emails": [{"value": "a@example.com"}]}))).is_err());
    }
}
