//! Directory sync: SCIM 2.0 (RFC 7643/7644), the way Okta, Entra ID and
//! JumpCloud provision people into an app. An identity provider holding a
//! bearer token an administrator made creates, reads, replaces, patches
//! and deletes users and groups; `active: false` suspends. Every user and
//! group of Portcullis is visible (those made here read as their account
//! says); what a directory sends is kept as it sent it, so it reads back
//! exactly, and the fields Portcullis uses are taken from it: the email
//! (the primary one, else the first, else the userName), the name, whether
//! the account is active, a group's name and members.
//!
//! The rules live here and in `scim/{users,groups}.rs`; the SQL in
//! `store/scim.rs`; the HTTP (bearer token, SCIM's media type and error
//! bodies) in `http/scim.rs`.

pub mod error;
pub mod groups;
pub mod patch;
pub mod schema;
pub mod tokens;
pub mod users;

use serde_json::{Map, Value};

use self::error::ScimError;
use self::schema::{ResourceKind, LIST_URN, MAX_RESULTS};

/// `/scim/v2` at the public origin: the base of every `location`.
pub fn base(public_origin: &str) -> String {
    format!("{}/scim/v2", public_origin.trim_end_matches('/'))
}

/// `2026-11-29T14:05:09Z`.
pub fn rfc3339(t: i64) -> String {
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = portcullis_api::input::utc_date(t);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// The `meta` of a resource.
pub fn meta(kind: ResourceKind, base: &str, id: &str, created: i64, modified: i64) -> Value {
    serde_json::json!({
        "resourceType": kind.name(),
        "created": rfc3339(created),
        "lastModified": rfc3339(modified),
        "location": format!("{base}{}/{id}", kind.endpoint()),
    })
}

/// What a list asks for: a filter, a page, which attributes.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: Option<String>,
    /// 1-based, as SCIM counts.
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub attributes: Option<String>,
    pub excluded_attributes: Option<String>,
}

impl ListQuery {
    /// The page as (offset from 0, size).
    pub fn page(&self) -> (i64, i64) {
        let start = self.start_index.unwrap_or(1).max(1);
        let count = self.count.unwrap_or(100).clamp(0, MAX_RESULTS);
        (start - 1, count)
    }

    pub fn projection(&self) -> Projection {
        Projection::new(
            self.attributes.as_deref(),
            self.excluded_attributes.as_deref(),
        )
    }
}

/// `attributes` / `excludedAttributes` (as SCIM defines them): which
/// top-level attributes an answer carries. `id` and `schemas` always.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    only: Option<Vec<String>>,
    except: Vec<String>,
}

fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|n| {
            let n = n.trim();
            // `urn:…:User:name.givenName` → `name`
            let n = n.rsplit(':').next().unwrap_or(n);
            n.split('.').next().unwrap_or(n).to_ascii_lowercase()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

impl Projection {
    pub fn new(attributes: Option<&str>, excluded: Option<&str>) -> Self {
        Projection {
            only: attributes.map(names).filter(|n| !n.is_empty()),
            except: excluded.map(names).unwrap_or_default(),
        }
    }

    pub fn apply(&self, mut doc: Value) -> Value {
        if let Value::Object(o) = &mut doc {
            o.retain(|k, _| {
                let k = k.to_ascii_lowercase();
                if k == "id" || k == "schemas" {
                    return true;
                }
                let wanted = self.only.as_ref().is_none_or(|only| only.contains(&k));
                wanted && !self.except.contains(&k)
            });
        }
        doc
    }
}

/// A page of resources as a ListResponse.
pub fn list_response(resources: Vec<Value>, total: i64, offset: i64) -> Value {
    serde_json::json!({
        "schemas": [LIST_URN],
        "totalResults": total,
        "startIndex": offset + 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// The attributes of a request body that the resource type declares, by
/// their canonical names (SCIM names match whatever their case); `id`,
/// `meta`, `schemas` and undeclared attributes are left out.
pub fn declared(kind: ResourceKind, body: &Value) -> Result<Map<String, Value>, ScimError> {
    let Value::Object(o) = body else {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            "The body must be a JSON object.".into(),
        ));
    };
    let mut out = Map::new();
    for (k, v) in o {
        if let Some(a) = schema::attr(kind, k).filter(|a| !a.read_only) {
            out.insert(a.name.to_string(), v.clone());
        }
    }
    Ok(out)
}

/// Records a change a directory made (the server acts; the token's name
/// says which directory).
pub(crate) async fn record(
    tx: &mut crate::store::Tx,
    now: i64,
    kind: crate::audit::EventKind,
    subject: Option<&str>,
    detail: &str,
    directory: &str,
) -> Result<(), ScimError> {
    let detail = format!("{detail} (directory sync: {directory})");
    let event = crate::audit::Event {
        kind,
        actor: crate::audit::Actor::System,
        subject,
        client: None,
        detail: &detail,
        resource: None,
    };
    crate::audit::record(&mut **tx, now, event).await?;
    Ok(())
}

/// A string attribute, trimmed; `None` when absent, null or empty.
pub fn text(doc: &Map<String, Value>, name: &str) -> Option<String> {
    doc.get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A filter this server reads: `attribute eq "value"`.
pub fn equality(filter: &str) -> Result<(String, String), ScimError> {
    let refused = || {
        ScimError::bad_request(
            "invalidFilter",
            format!(
                "The filter \"{}\" is not one this server reads: use attribute eq \"value\" \
                 (userName, externalId, id, emails.value; displayName for groups).",
                filter.chars().take(100).collect::<String>()
            ),
        )
    };
    let (name, value) = patch::parse_eq(filter).ok_or_else(refused)?;
    let value = match value {
        Value::String(s) => s,
        _ => return Err(refused()),
    };
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times() {
        assert_eq!(rfc3339(1_795_305_600), "2026-11-22T00:00:00Z");
        assert_eq!(rfc3339(1_795_305_600 + 3661), "2026-11-22T01:01:01Z");
    }

    #[test]
    fn projections_keep_id_and_schemas() {
        let doc = json!({"id": "1", "schemas": [], "userName": "a", "name": {"givenName": "A"}, "externalId": "x"});
        let p = Projection::new(Some("externalId"), None);
        assert_eq!(
            p.apply(doc.clone()),
            json!({"id": "1", "schemas": [], "externalId": "x"})
        );
        let p = Projection::new(None, Some("name"));
        assert_eq!(
            p.apply(doc),
            json!({"id": "1", "schemas": [], "userName": "a", "externalId": "x"})
        );
    }

    #[test]
    fn pages() {
        let q = ListQuery {
            start_index: Some(0),
            count: Some(1000),
            ..ListQuery::default()
        };
        assert_eq!(q.page(), (0, MAX_RESULTS));
    }
}
