//! Security keys and passkeys in the browser: the one wrapper of
//! `navigator.credentials.create/get`. Only lazily loaded screens use it,
//! so none of it is in the first download.
//!
//! The ceremony JSON stays opaque here (see [`json`]): the server's options
//! go to `PublicKeyCredential.parse…OptionsFromJSON` and the browser's
//! credential comes back through its own `toJSON()`, so the SPA carries no
//! base64url code and no WebAuthn types (the api crate's `webauthn`
//! feature stays off). A browser without those helpers is told so.

pub mod json;
mod words;

pub use words::Failure;

use js_sys::{Function, Object, Promise, Reflect, JSON};
use portcullis_api::LoginResponse;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::{webauthn as calls, ApiError};

/// Why a ceremony failed: in the browser, or refused by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Browser(Failure),
    Server(ApiError),
}

impl Problem {
    pub fn sentence(&self) -> String {
        match self {
            Problem::Browser(f) => f.sentence().to_string(),
            Problem::Server(e) => format!("{} Try again, or use another factor.", e.user_message()),
        }
    }

    /// The session (or the half-finished login) is gone.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, Problem::Server(e) if e.is_unauthenticated())
    }
}

/// Registers a key with the user's name for it (`None`: the server names
/// it); while logging in, the answer finishes the login.
pub async fn register(name: Option<&str>) -> Result<LoginResponse, Problem> {
    let start = calls::register_start().await.map_err(Problem::Server)?;
    let credential = ceremony("create", &start.options, &["attestationObject"])
        .await
        .map_err(Problem::Browser)?;
    calls::register_finish(&start.ceremony, name, &credential)
        .await
        .map_err(Problem::Server)
}

/// The login's second step with one of the user's keys.
pub async fn sign_in() -> Result<LoginResponse, Problem> {
    let start = calls::login_start().await.map_err(Problem::Server)?;
    let credential = ceremony("get", &start.options, &["authenticatorData", "signature"])
        .await
        .map_err(Problem::Browser)?;
    calls::login_finish(&start.ceremony, &credential)
        .await
        .map_err(Problem::Server)
}

#[wasm_bindgen]
extern "C" {
    // Static helpers of `PublicKeyCredential`; `catch`: they throw on
    // options they cannot read, and where they are missing.
    #[wasm_bindgen(js_namespace = PublicKeyCredential, js_name = parseCreationOptionsFromJSON, catch)]
    fn parse_creation_options(json: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = PublicKeyCredential, js_name = parseRequestOptionsFromJSON, catch)]
    fn parse_request_options(json: &JsValue) -> Result<JsValue, JsValue>;
}

fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn function(obj: &JsValue, key: &str) -> Option<Function> {
    get(obj, key)?.dyn_into::<Function>().ok()
}

/// `navigator.credentials`, if this browser has WebAuthn with the JSON
/// helpers (checked up front, so that a missing one reads as
/// "unsupported" rather than as a failed ceremony).
fn credentials() -> Option<JsValue> {
    let global: JsValue = js_sys::global().into();
    let class = get(&global, "PublicKeyCredential")?;
    function(&class, "parseCreationOptionsFromJSON")?;
    function(&class, "parseRequestOptionsFromJSON")?;
    get(&get(&global, "navigator")?, "credentials")
}

/// The failure an exception the browser threw stands for.
fn failure_of(error: &JsValue) -> Failure {
    get(error, "name")
        .and_then(|n| n.as_string())
        .map_or(Failure::Other, |n| Failure::from_name(&n))
}

/// Runs `navigator.credentials[method]` with the server's options and
/// answers the credential as JSON, checked to carry `needed`.
async fn ceremony(method: &str, options: &Value, needed: &[&str]) -> Result<Value, Failure> {
    let container = credentials().ok_or(Failure::Unsupported)?;
    let call = function(&container, method).ok_or(Failure::Unsupported)?;
    let public_key = json::public_key(options)?;
    let text = serde_json::to_string(&public_key).map_err(|_| Failure::Unreadable)?;
    let plain = JSON::parse(&text).map_err(|_| Failure::Unreadable)?;
    let parsed = if method == "create" {
        parse_creation_options(&plain)
    } else {
        parse_request_options(&plain)
    }
    .map_err(|_| Failure::Unreadable)?;
    let request = Object::new();
    Reflect::set(&request, &"publicKey".into(), &parsed).map_err(|_| Failure::Other)?;
    let promise: Promise = call
        .call1(&container, &request)
        .map_err(|e| failure_of(&e))?
        .dyn_into()
        .map_err(|_| Failure::Other)?;
    let credential = JsFuture::from(promise).await.map_err(|e| failure_of(&e))?;
    // Nothing of the answer is trusted before it has been checked.
    let to_json = function(&credential, "toJSON").ok_or(Failure::Unsupported)?;
    let plain = to_json
        .call0(&credential)
        .map_err(|_| Failure::Unreadable)?;
    let text = JSON::stringify(&plain)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or(Failure::Unreadable)?;
    let value = serde_json::from_str(&text).map_err(|_| Failure::Unreadable)?;
    json::credential(value, needed)
}
