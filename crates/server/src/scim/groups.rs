//! SCIM Groups: the groups of Portcullis (names unique whatever their
//! case) and their members, who must be users (no nested groups). The
//! members a directory sent read back as it sent them; a member added in
//! Portcullis reads as `{value, $ref, type}`.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::error::ScimError;
use super::patch::{self, Operation};
use super::schema::{ResourceKind, GROUP_URN};
use super::{base, declared, equality, meta, text, ListQuery};
use crate::app::AppState;
use crate::audit::EventKind;
use crate::people::add::check_name;
use crate::store::scim::{GroupMatch, ScimGroup};
use crate::store::{self, groups, Conn};

const KIND: ResourceKind = ResourceKind::Group;

fn invalid(detail: String) -> ScimError {
    ScimError::bad_request("invalidValue", detail)
}

/// A representation's name and member ids, checked (the members' existence
/// aside).
fn wanted(doc: &Map<String, Value>) -> Result<(String, Vec<String>), ScimError> {
    let name =
        text(doc, "displayName").ok_or_else(|| invalid("displayName is required.".into()))?;
    let name = check_name(&name).map_err(|m| {
        invalid(format!(
            "displayName: {}",
            m.replace("the person's name", "the group's name")
        ))
    })?;
    let mut ids = Vec::new();
    match doc.get("members") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for m in items {
                let Some(o) = m.as_object() else {
                    return Err(invalid(
                        "Each member must be an object with a value.".into(),
                    ));
                };
                if text(o, "type").is_some_and(|t| !t.eq_ignore_ascii_case("User")) {
                    return Err(invalid(
                        "Only users can be members: groups in groups are not supported.".into(),
                    ));
                }
                let id = text(o, "value")
                    .ok_or_else(|| invalid("A member has no value (its id).".into()))?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        Some(_) => return Err(invalid("members must be a list.".into())),
    }
    Ok((name, ids))
}

async fn representation(conn: &mut Conn, g: &ScimGroup, base: &str) -> Result<Value, ScimError> {
    let mut doc: Map<String, Value> = g
        .attributes
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    doc.insert("displayName".into(), json!(g.name));
    // Members as they are now: those a directory sent, as it sent them,
    // then those added in Portcullis.
    let current = store::scim::member_ids(&mut *conn, &g.id).await?;
    let current_set: HashSet<&String> = current.iter().collect();
    let mut members: Vec<Value> = match doc.get("members") {
        Some(Value::Array(items)) => items
            .iter()
            .filter(|m| {
                m.get("value")
                    .and_then(Value::as_str)
                    .is_some_and(|v| current_set.contains(&v.to_string()))
            })
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let sent: HashSet<String> = members
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_string))
        .collect();
    for id in current.iter().filter(|id| !sent.contains(*id)) {
        members.push(json!({
            "value": id,
            "$ref": format!("{base}/Users/{id}"),
            "type": "User",
        }));
    }
    if members.is_empty() {
        doc.remove("members");
    } else {
        doc.insert("members".into(), Value::Array(members));
    }
    doc.insert("id".into(), json!(g.id));
    doc.insert("schemas".into(), json!([GROUP_URN]));
    doc.insert(
        "meta".into(),
        meta(
            KIND,
            base,
            &g.id,
            g.created_at,
            g.updated_at.unwrap_or(g.created_at),
        ),
    );
    Ok(Value::Object(doc))
}

fn group_match(filter: Option<&str>) -> Result<GroupMatch, ScimError> {
    let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(GroupMatch::All);
    };
    let (name, value) = equality(f)?;
    Ok(match name.to_ascii_lowercase().as_str() {
        "displayname" => GroupMatch::DisplayName(value),
        "externalid" => GroupMatch::ExternalId(value),
        "id" => GroupMatch::Id(value),
        _ => {
            return Err(ScimError::bad_request(
                "invalidFilter",
                format!("Groups cannot be filtered by {name}: use displayName, externalId or id."),
            ))
        }
    })
}

pub async fn list(state: &AppState, q: &ListQuery) -> Result<(Vec<Value>, i64, i64), ScimError> {
    let m = group_match(q.filter.as_deref())?;
    let (offset, count) = q.page();
    let (rows, total) = store::scim::groups(&state.db, &m, offset, count).await?;
    let base = base(&state.settings.public_origin);
    let p = q.projection();
    let mut out = Vec::with_capacity(rows.len());
    let mut conn = state.db.acquire().await?;
    for g in &rows {
        out.push(p.apply(representation(&mut conn, g, &base).await?));
    }
    Ok((out, total, offset))
}

pub async fn get(state: &AppState, id: &str) -> Result<Value, ScimError> {
    let mut conn = state.db.acquire().await?;
    let g = store::scim::group(&mut *conn, id)
        .await?
        .ok_or_else(|| ScimError::not_found("group"))?;
    representation(&mut conn, &g, &base(&state.settings.public_origin)).await
}

fn taken(name: &str) -> ScimError {
    ScimError::conflict(format!("A group named {name} exists already."))
}

async fn record(
    tx: &mut store::Tx,
    state: &AppState,
    detail: &str,
    directory: &str,
) -> Result<(), ScimError> {
    let kind = EventKind::AdminGroupChanged;
    super::record(tx, state.now(), kind, None, detail, directory).await
}

/// Stores a group's representation and members, in the caller's
/// transaction (after its first write).
async fn store_members(
    tx: &mut store::Tx,
    state: &AppState,
    id: &str,
    doc: &Map<String, Value>,
    members: &[String],
) -> Result<(), ScimError> {
    let now = state.now();
    let known = store::scim::existing_users(&mut *tx, members).await?;
    if let Some(unknown) = members.iter().find(|m| !known.contains(*m)) {
        return Err(invalid(format!(
            "There is no user with the id {unknown} to make a member."
        )));
    }
    let external_id = text(doc, "externalId");
    let attributes = Value::Object(doc.clone()).to_string();
    store::scim::put_group(&mut **tx, id, external_id.as_deref(), &attributes, now).await?;
    store::scim::clear_members(&mut **tx, id).await?;
    for m in members {
        groups::add_member(&mut **tx, id, m, now).await?;
    }
    Ok(())
}

pub async fn create(state: &AppState, body: &Value, directory: &str) -> Result<Value, ScimError> {
    let doc = declared(KIND, body)?;
    let (name, members) = wanted(&doc)?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = state.db.begin().await?;
    if !groups::insert_if_new(&mut *tx, &id, &name, state.now()).await? {
        return Err(taken(&name));
    }
    store_members(&mut tx, state, &id, &doc, &members).await?;
    record(
        &mut tx,
        state,
        &format!("group {name} created with {} members", members.len()),
        directory,
    )
    .await?;
    tx.commit().await?;
    get(state, &id).await
}

pub async fn replace(
    state: &AppState,
    id: &str,
    body: &Value,
    directory: &str,
) -> Result<Value, ScimError> {
    let doc = declared(KIND, body)?;
    write(state, id, directory, |_| Ok(doc)).await
}

/// Applies a PATCH to the group as it is inside the transaction (two
/// member changes at once both count).
pub async fn patch(
    state: &AppState,
    id: &str,
    ops: &[Operation],
    directory: &str,
) -> Result<Value, ScimError> {
    write(state, id, directory, |mut doc| {
        patch::apply(KIND, &mut doc, ops)?;
        Ok(doc)
    })
    .await
}

/// Holds the group, reads it, `change`s it and stores the result, in one
/// transaction.
async fn write(
    state: &AppState,
    id: &str,
    directory: &str,
    change: impl FnOnce(Map<String, Value>) -> Result<Map<String, Value>, ScimError>,
) -> Result<Value, ScimError> {
    let base = base(&state.settings.public_origin);
    let mut tx = state.db.begin().await?;
    if !groups::lock(&mut *tx, id).await? {
        return Err(ScimError::not_found("group"));
    }
    let g = store::scim::group(&mut *tx, id)
        .await?
        .ok_or_else(|| ScimError::not_found("group"))?;
    let doc = change(declared(KIND, &representation(&mut tx, &g, &base).await?)?)?;
    let (name, members) = wanted(&doc)?;
    match groups::rename(&mut *tx, id, &name).await {
        Ok(_) => {}
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&name)),
        Err(e) => return Err(e.into()),
    }
    store_members(&mut tx, state, id, &doc, &members).await?;
    let detail = format!("group {name} changed: {} members", members.len());
    record(&mut tx, state, &detail, directory).await?;
    tx.commit().await?;
    get(state, id).await
}

pub async fn delete(state: &AppState, id: &str, directory: &str) -> Result<(), ScimError> {
    let g = store::scim::group(&state.db, id)
        .await?
        .ok_or_else(|| ScimError::not_found("group"))?;
    let mut tx = state.db.begin().await?;
    if !groups::delete(&mut *tx, id).await? {
        return Err(ScimError::not_found("group"));
    }
    record(
        &mut tx,
        state,
        &format!("group {} deleted", g.name),
        directory,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
