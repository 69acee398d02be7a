//! Checks on the ceremony JSON, which the SPA keeps opaque
//! (`serde_json::Value`): the server's options go to the browser's own
//! parser and the browser's answer back to the server, so all the SPA
//! needs is to be sure of the few fields it touches. Pure.

use serde_json::{Map, Value};

use super::Failure;

/// The `publicKey` member of the server's options, ready for the browser's
/// `parse…OptionsFromJSON`: members that are `null` are left out, since
/// those parsers accept a missing optional member but refuse a null one.
pub fn public_key(options: &Value) -> Result<Value, Failure> {
    match options.get("publicKey") {
        Some(inner @ Value::Object(_)) if inner.get("challenge").is_some_and(Value::is_string) => {
            Ok(without_nulls(inner.clone()))
        }
        _ => Err(Failure::Unreadable),
    }
}

fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// What `credential.toJSON()` gave, if it has the shape of a public-key
/// credential whose `response` carries `needed` (the attestation when
/// registering, the signature when signing in) as base64url text.
pub fn credential(v: Value, needed: &[&str]) -> Result<Value, Failure> {
    let text = |field: Option<&Value>| field.and_then(Value::as_str).is_some_and(is_base64url);
    let response = v.get("response").filter(|r| r.is_object());
    let fits = v.get("type").and_then(Value::as_str) == Some("public-key")
        && text(v.get("id"))
        && text(v.get("rawId"))
        && response.is_some_and(|r| {
            text(r.get("clientDataJSON")) && needed.iter().all(|f| text(r.get(*f)))
        });
    if fits {
        Ok(v)
    } else {
        Err(Failure::Unreadable)
    }
}

/// Non-empty, and only the base64url alphabet (no padding).
fn is_base64url(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
