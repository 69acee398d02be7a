//! SCIM PATCH applied to a resource's representation:
//! `add`, `replace` and `remove`, with or without a path; paths name an
//! attribute, a sub-attribute (`name.givenName`), or elements of a
//! multi-valued attribute by a filter (`emails[type eq "work"].value`,
//! `members[value eq "…"]`). Pure: the result is then checked and stored
//! as a replacement would be. Attribute names match whatever their case.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::schema::{self, Attr, ResourceKind};

/// One operation of a PATCH request, as sent.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Operation {
    pub op: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

/// A parsed path: an attribute, maybe a filter on its elements, maybe a
/// sub-attribute.
#[derive(Debug, Clone, PartialEq)]
struct Path {
    attr: &'static Attr,
    filter: Option<(String, Value)>,
    sub: Option<String>,
}

fn bad_path(path: &str) -> ScimError {
    ScimError::bad_request(
        "invalidPath",
        format!("The path \"{path}\" names no attribute this resource has."),
    )
}

fn parse_path(kind: ResourceKind, raw: &str) -> Result<Path, ScimError> {
    // A schema URN before the attribute name is the core schema's.
    let text = raw.trim();
    let text = match text.strip_prefix(kind.schema_urn()) {
        Some(rest) => rest.trim_start_matches(':'),
        None => text,
    };
    let (head, filter, tail) = match text.find('[') {
        Some(open) => {
            let close = text.rfind(']').ok_or_else(|| bad_path(raw))?;
            if close < open {
                return Err(bad_path(raw));
            }
            let inner = &text[open + 1..close];
            let rest = text[close + 1..].trim_start_matches('.');
            (
                &text[..open],
                Some(parse_eq(inner).ok_or_else(|| {
                    ScimError::bad_request(
                        "invalidFilter",
                        format!(
                            "The filter in \"{raw}\" is not one this server reads: use \
                             sub-attribute eq \"value\"."
                        ),
                    )
                })?),
                (!rest.is_empty()).then(|| rest.to_string()),
            )
        }
        None => match text.split_once('.') {
            Some((a, s)) => (a, None, Some(s.to_string())),
            None => (text, None, None),
        },
    };
    let attr = schema::attr(kind, head).ok_or_else(|| bad_path(raw))?;
    if attr.read_only {
        return Err(ScimError::bad_request(
            "mutability",
            format!("{} cannot be changed.", attr.name),
        ));
    }
    let sub = match sub_name(attr, tail.as_deref()) {
        Ok(s) => s,
        Err(()) => return Err(bad_path(raw)),
    };
    if filter.is_some() && !attr.multi {
        return Err(bad_path(raw));
    }
    Ok(Path { attr, filter, sub })
}

/// The canonical name of a sub-attribute of `attr`.
fn sub_name(attr: &Attr, sub: Option<&str>) -> Result<Option<String>, ()> {
    match sub {
        None => Ok(None),
        Some(s) => attr
            .subs
            .iter()
            .find(|n| n.eq_ignore_ascii_case(s))
            .map(|n| Some((*n).to_string()))
            .ok_or(()),
    }
}

/// `name eq "value"` (a string, `true`, `false` or a number).
pub fn parse_eq(text: &str) -> Option<(String, Value)> {
    let text = text.trim();
    let mut parts = text.splitn(3, char::is_whitespace);
    let name = parts.next()?.trim();
    let op = parts.next()?.trim();
    let value = parts.next()?.trim();
    if !op.eq_ignore_ascii_case("eq") || name.is_empty() {
        return None;
    }
    let value = if let Some(s) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Value::String(s.replace("\\\"", "\""))
    } else {
        serde_json::from_str(value).ok()?
    };
    Some((name.to_string(), value))
}

/// Whether an element of a multi-valued attribute matches `sub eq value`
/// (strings whatever their case, as SCIM compares them by default).
fn matches(element: &Value, (sub, want): &(String, Value)) -> bool {
    let got = element
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(sub)))
        .map(|(_, v)| v);
    match (got, want) {
        (Some(Value::String(a)), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}

/// Applies the operations in order to `doc` (the resource's attributes).
pub fn apply(
    kind: ResourceKind,
    doc: &mut Map<String, Value>,
    ops: &[Operation],
) -> Result<(), ScimError> {
    for o in ops {
        let op = match o.op.to_ascii_lowercase().as_str() {
            "add" => Op::Add,
            "replace" => Op::Replace,
            "remove" => Op::Remove,
            other => {
                return Err(ScimError::bad_request(
                    "invalidSyntax",
                    format!("Unknown PATCH op \"{other}\": use add, replace or remove."),
                ))
            }
        };
        match o.path.as_deref().filter(|p| !p.trim().is_empty()) {
            None => {
                if op == Op::Remove {
                    return Err(ScimError::bad_request(
                        "noTarget",
                        "A remove operation needs a path.".to_string(),
                    ));
                }
                let Some(Value::Object(values)) = &o.value else {
                    return Err(ScimError::bad_request(
                        "invalidValue",
                        "An operation without a path needs an object of attributes as its value."
                            .to_string(),
                    ));
                };
                for (name, value) in values {
                    // Okta repeats the id (and some send meta) beside the
                    // changes; an extension this server does not declare
                    // (Entra's enterprise attributes) is not kept.
                    if ["schemas", "id", "meta"]
                        .iter()
                        .any(|n| name.eq_ignore_ascii_case(n))
                        || foreign_extension(kind, name)
                    {
                        continue;
                    }
                    let path = parse_path(kind, name)?;
                    set(doc, &path, op, Some(value.clone()))?;
                }
            }
            Some(raw) if foreign_extension(kind, raw) => {}
            Some(raw) => {
                let path = parse_path(kind, raw)?;
                if op != Op::Remove && o.value.is_none() {
                    return Err(ScimError::bad_request(
                        "invalidValue",
                        format!("The {} operation on \"{raw}\" has no value.", o.op),
                    ));
                }
                set(doc, &path, op, o.value.clone())?;
            }
        }
    }
    Ok(())
}

/// A path or name in a schema extension this server does not declare.
fn foreign_extension(kind: ResourceKind, path: &str) -> bool {
    let p = path.trim();
    p.to_ascii_lowercase().starts_with("urn:") && !p.starts_with(kind.schema_urn())
}

/// `value` as a list (a multi-valued attribute's new elements).
fn as_list(value: Value) -> Vec<Value> {
    match value {
        Value::Array(v) => v,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn set(
    doc: &mut Map<String, Value>,
    path: &Path,
    op: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let name = path.attr.name.to_string();
    match (&path.filter, &path.sub, path.attr.multi) {
        // The whole attribute.
        (None, None, multi) => match op {
            Op::Remove => {
                match (multi, value) {
                    // Remove the listed elements (by their value).
                    (true, Some(v)) if !v.is_null() => {
                        let gone = as_list(v);
                        if let Some(Value::Array(items)) = doc.get_mut(&name) {
                            items.retain(|e| {
                                !gone.iter().any(|g| {
                                    g.get("value").is_some_and(|gv| e.get("value") == Some(gv))
                                })
                            });
                        }
                    }
                    _ => {
                        doc.remove(&name);
                    }
                }
            }
            Op::Add if multi => {
                let items = doc.entry(name).or_insert_with(|| Value::Array(Vec::new()));
                if !items.is_array() {
                    *items = Value::Array(Vec::new());
                }
                if let Value::Array(items) = items {
                    for v in as_list(value.unwrap_or(Value::Null)) {
                        if !items.contains(&v) {
                            items.push(v);
                        }
                    }
                }
            }
            // Sub-attributes not named are left as they were.
            Op::Add | Op::Replace if path.attr.complex() => {
                let v = value.unwrap_or(Value::Null);
                match (doc.get_mut(&name), v) {
                    (Some(Value::Object(old)), Value::Object(new)) => {
                        for (k, v) in new {
                            old.insert(k, v);
                        }
                    }
                    (_, v) => {
                        doc.insert(name, v);
                    }
                }
            }
            Op::Add | Op::Replace => {
                let v = value.unwrap_or(Value::Null);
                let v = if multi { Value::Array(as_list(v)) } else { v };
                doc.insert(name, v);
            }
        },
        // A sub-attribute of a complex, single-valued attribute.
        (None, Some(sub), false) => {
            let entry = doc.entry(name).or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(o) = entry {
                match op {
                    Op::Remove => {
                        o.remove(sub);
                    }
                    _ => {
                        o.insert(sub.clone(), value.unwrap_or(Value::Null));
                    }
                }
            }
        }
        // A sub-attribute of every element of a multi-valued one.
        (None, Some(sub), true) => {
            if let Some(Value::Array(items)) = doc.get_mut(&name) {
                for e in items.iter_mut().filter_map(Value::as_object_mut) {
                    match op {
                        Op::Remove => {
                            e.remove(sub);
                        }
                        _ => {
                            e.insert(sub.clone(), value.clone().unwrap_or(Value::Null));
                        }
                    }
                }
            }
        }
        // Elements chosen by a filter, or a sub-attribute of them.
        (Some(filter), sub, _) => {
            let items = doc.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            if !items.is_array() {
                *items = Value::Array(Vec::new());
            }
            let Value::Array(items) = items else {
                return Ok(());
            };
            let any = items.iter().any(|e| matches(e, filter));
            match (op, sub) {
                (Op::Remove, None) => items.retain(|e| !matches(e, filter)),
                (Op::Remove, Some(sub)) => {
                    for e in items.iter_mut().filter(|e| matches(e, filter)) {
                        if let Some(o) = e.as_object_mut() {
                            o.remove(sub);
                        }
                    }
                }
                (_, Some(sub)) if !any => {
                    // Entra sets `emails[type eq "work"].value` on a user
                    // with no such email: the element is made.
                    let mut o = Map::new();
                    o.insert(filter.0.clone(), filter.1.clone());
                    o.insert(sub.clone(), value.unwrap_or(Value::Null));
                    items.push(Value::Object(o));
                }
                (_, Some(sub)) => {
                    for e in items.iter_mut().filter(|e| matches(e, filter)) {
                        if let Some(o) = e.as_object_mut() {
                            o.insert(sub.clone(), value.clone().unwrap_or(Value::Null));
                        }
                    }
                }
                (_, None) => {
                    let v = value.unwrap_or(Value::Null);
                    for e in items.iter_mut().filter(|e| matches(e, filter)) {
                        if let (Some(o), Value::Object(new)) = (e.as_object_mut(), &v) {
                            for (k, val) in new {
                                o.insert(k.clone(), val.clone());
                            }
                        }
                    }
                    if !any {
                        return Err(ScimError::bad_request(
                            "noTarget",
                            format!(
                                "No element of {} matches the path's filter.",
                                path.attr.name
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(op: &str, path: Option<&str>, value: Value) -> Operation {
        Operation {
            op: op.into(),
            path: path.map(str::to_string),
            value: Some(value),
        }
    }

    fn doc(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn replace_without_a_path_as_okta_sends_it() {
        let mut d = doc(json!({"userName": "a@example.com", "active": true}));
        apply(
            ResourceKind::User,
            &mut d,
            &[op(
                "Replace",
                None,
                json!({"active": false, "name": {"givenName": "A"}}),
            )],
        )
        .unwrap();
        assert_eq!(d["active"], json!(false));
        assert_eq!(d["name"], json!({"givenName": "A"}));
    }

    #[test]
    fn filtered_paths_as_entra_sends_them() {
        let mut d = doc(json!({"emails": [{"type": "work", "value": "a@example.com"}]}));
        let ops = [
            op(
                "Replace",
                Some("emails[type eq \"work\"].value"),
                json!("b@example.com"),
            ),
            op("Add", Some("name.familyName"), json!("Berg")),
        ];
        apply(ResourceKind::User, &mut d, &ops).unwrap();
        assert_eq!(
            d["emails"],
            json!([{"type": "work", "value": "b@example.com"}])
        );
        assert_eq!(d["name"], json!({"familyName": "Berg"}));
    }

    #[test]
    fn members_added_and_removed() {
        let mut d = doc(json!({"displayName": "Ops"}));
        apply(
            ResourceKind::Group,
            &mut d,
            &[op(
                "add",
                Some("members"),
                json!([{"value": "u1"}, {"value": "u2"}]),
            )],
        )
        .unwrap();
        apply(
            ResourceKind::Group,
            &mut d,
            &[Operation {
                op: "remove".into(),
                path: Some("members[value eq \"u1\"]".into()),
                value: None,
            }],
        )
        .unwrap();
        assert_eq!(d["members"], json!([{"value": "u2"}]));
        apply(
            ResourceKind::Group,
            &mut d,
            &[op("remove", Some("members"), json!([{"value": "u2"}]))],
        )
        .unwrap();
        assert_eq!(d["members"], json!([]));
    }

    #[test]
    fn bad_paths_and_ops_are_refused_in_words() {
        let mut d = Map::new();
        let e = apply(
            ResourceKind::User,
            &mut d,
            &[op("add", Some("shoeSize"), json!(4))],
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some("invalidPath"));
        let e = apply(
            ResourceKind::User,
            &mut d,
            &[op("move", Some("userName"), json!(1))],
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some("invalidSyntax"));
        let e = apply(
            ResourceKind::User,
            &mut d,
            &[op("add", Some("id"), json!("x"))],
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some("mutability"));
    }

    #[test]
    fn ids_and_undeclared_extensions_are_passed_over_and_complex_values_merged() {
        let mut d = doc(json!({"name": {"givenName": "A", "familyName": "B"}}));
        let ops = [
            op(
                "replace",
                None,
                json!({"id": "x", "name": {"givenName": "C"}}),
            ),
            op(
                "replace",
                Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"),
                json!("Ops"),
            ),
        ];
        apply(ResourceKind::User, &mut d, &ops).unwrap();
        assert_eq!(d["name"], json!({"givenName": "C", "familyName": "B"}));
        assert!(!d.contains_key("id"));
    }

    #[test]
    fn equality_filters() {
        assert_eq!(
            parse_eq("userName eq \"Ann@Example.com\""),
            Some(("userName".into(), json!("Ann@Example.com")))
        );
        assert_eq!(
            parse_eq("primary eq true"),
            Some(("primary".into(), json!(true)))
        );
        assert_eq!(parse_eq("userName sw \"a\""), None);
    }
}
