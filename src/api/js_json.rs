//! Reading and writing the login path's JSON through the browser's own
//! `JSON.parse`/`JSON.stringify` instead of serde_json, whose parser would
//! otherwise sit in the first download (about 4 KB brotli measured): the
//! login screen needs only these few shapes. Every other call uses the
//! serde readers, which live in the lazily loaded parts.
//!
//! Each reader answers `None` for an answer that does not have the shape.

use js_sys::{Array, Object, Reflect, JSON};
use portcullis_api::wire::LoginResponseWire;
use portcullis_api::{ErrorBody, ErrorCode, FactorKind, LoginRequest, LoginResponse, Me, Role};
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::Deserialize;
use wasm_bindgen::JsValue;

fn parse(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok().filter(|v| v.is_object())
}

fn field(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn string(obj: &JsValue, key: &str) -> Option<String> {
    field(obj, key)?.as_string()
}

/// A snake_case wire name, read by the type's own serde derive (no
/// serde_json involved), so unknown codes still become `Unknown`.
fn from_name<'de, T: Deserialize<'de>>(name: &'de str) -> Option<T> {
    T::deserialize(StrDeserializer::<ValueError>::new(name)).ok()
}

/// `{"email": …, "password": …}`, with `"sso": …` for a login that an
/// app's sign-in request started.
pub fn login_request(req: &LoginRequest) -> Option<String> {
    let obj = Object::new();
    Reflect::set(&obj, &"email".into(), &req.email.as_str().into()).ok()?;
    Reflect::set(&obj, &"password".into(), &req.password.as_str().into()).ok()?;
    if let Some(id) = &req.sso {
        Reflect::set(&obj, &"sso".into(), &id.as_str().into()).ok()?;
    }
    JSON::stringify(&obj).ok()?.as_string()
}

fn me_from(obj: &JsValue) -> Option<Me> {
    Some(Me {
        id: string(obj, "id")?,
        email: string(obj, "email")?,
        display_name: string(obj, "display_name")?,
        role: Role::parse(&string(obj, "role")?)?,
    })
}

/// `GET /me`'s answer.
pub fn me(text: &str) -> Option<Me> {
    me_from(&parse(text)?)
}

/// The answer to a login step: `{"next": "done" | "mfa" | "enroll" | "locked", …}`,
/// read into the flat wire shape whose `TryFrom` picks the variant.
pub fn login_response(text: &str) -> Option<LoginResponse> {
    let obj = parse(text)?;
    let wire = LoginResponseWire {
        next: string(&obj, "next")?,
        user: field(&obj, "user").and_then(|u| me_from(&u)),
        factors: field(&obj, "factors").map(|f| {
            Array::from(&f)
                .iter()
                .filter_map(|k| from_name::<FactorKind>(&k.as_string()?))
                .collect()
        }),
        mandatory: field(&obj, "mandatory").and_then(|m| m.as_bool()),
        days_left: field(&obj, "days_left")
            .and_then(|d| d.as_f64())
            .map(|d| d as u32),
        message: string(&obj, "message"),
    };
    LoginResponse::try_from(wire).ok()
}

/// `{"code", "message", "retry_after"?}`, the body of every error answer.
// Natively (the logic tests) errors are read through serde instead.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn error_body(text: &str) -> Option<ErrorBody> {
    let obj = parse(text)?;
    let code = string(&obj, "code")?;
    Some(ErrorBody {
        code: from_name::<ErrorCode>(&code)?,
        message: string(&obj, "message")?,
        retry_after: field(&obj, "retry_after")
            .and_then(|r| r.as_f64())
            .map(|r| r as u64),
    })
}
