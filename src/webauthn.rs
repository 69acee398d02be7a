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

pub use words::{with_way_on, Failure, KeyKind};

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
    /// What went wrong, said of a security key.
    pub fn sentence(&self) -> String {
        self.sentence_for(KeyKind::SecurityKey)
    }

    /// What went wrong, said of the kind of key that was asked for.
    pub fn sentence_for(&self, kind: KeyKind) -> String {
        match self {
            Problem::Browser(f) => f.sentence_for(kind).to_string(),
            Problem::Server(e) => words::with_way_on(&e.user_message()),
        }
    }

    /// What went wrong with a passkey (`/login`: see
    /// [`Failure::passkey_sentence`]).
    pub fn passkey_sentence(&self) -> String {
        match self {
            Problem::Browser(f) => f.passkey_sentence().to_string(),
            Problem::Server(e) => words::with_way_on(&e.user_message()),
        }
    }

    /// The session (or the half-finished login) is gone.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, Problem::Server(e) if e.is_unauthenticated())
    }
}

/// Registers a key with the user's name for it (`None`: the server names
/// it): a passkey (`passkey`, which can sign in without the password) or a
/// security key; while logging in, the answer finishes the login.
pub async fn register(name: Option<&str>, passkey: bool) -> Result<LoginResponse, Problem> {
    let start = calls::register_start(passkey)
        .await
        .map_err(Problem::Server)?;
    let credential = ceremony(
        Ceremony::Create,
        &start.options,
        &["attestationObject"],
        false,
    )
    .await
    .map_err(Problem::Browser)?;
    let answer = calls::register_finish(&start.ceremony, name, &credential)
        .await
        .map_err(Problem::Server)?;
    if passkey {
        remember_passkey();
    }
    Ok(answer)
}

const SIGNED: &[&str] = &["authenticatorData", "signature"];

/// The login's second step with one of the user's keys; `trust`: and
/// trust this browser from now on.
pub async fn sign_in(trust: bool) -> Result<LoginResponse, Problem> {
    let start = calls::login_start().await.map_err(Problem::Server)?;
    let credential = ceremony(Ceremony::Get, &start.options, SIGNED, false)
        .await
        .map_err(Problem::Browser)?;
    calls::login_finish(&start.ceremony, &credential, trust)
        .await
        .map_err(Problem::Server)
}

/// How a passkey sign-in asks the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mediation {
    /// The browser's dialog, now (the user chose the button).
    Dialog,
    /// Offered among the email field's autofill suggestions; waits until
    /// the user picks one (or another ceremony replaces it).
    Autofill,
}

/// Sign-in with a passkey, without the password. The answer is the
/// login's next step: signed in, or a second factor when the passkey did
/// not verify its user.
pub async fn passkey_sign_in(mediation: Mediation) -> Result<LoginResponse, Problem> {
    let start = calls::passkey_start().await.map_err(Problem::Server)?;
    let autofill = mediation == Mediation::Autofill;
    let credential = ceremony(Ceremony::Get, &start.options, SIGNED, autofill)
        .await
        .map_err(Problem::Browser)?;
    let answer = calls::passkey_finish(&start.ceremony, &credential)
        .await
        .map_err(Problem::Server)?;
    remember_passkey();
    Ok(answer)
}

/// Proves one of the signed-in user's keys again (before a change that
/// needs a recent second factor).
pub async fn verify_again() -> Result<(), Problem> {
    let start = calls::verify_start().await.map_err(Problem::Server)?;
    let credential = ceremony(Ceremony::Get, &start.options, SIGNED, false)
        .await
        .map_err(Problem::Browser)?;
    calls::verify_finish(&start.ceremony, &credential)
        .await
        .map_err(Problem::Server)
}

/// Where this browser notes that it holds a passkey for the portal.
const PASSKEY_HINT: &str = "portcullis.passkey";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Notes that a passkey was made or used in this browser: the login
/// screen then offers passkeys in the email field's autofill, whose code
/// other browsers never download. (A note left by a passkey removed since
/// costs that download and nothing else.)
fn remember_passkey() {
    if let Some(s) = storage() {
        let _ = s.set_item(PASSKEY_HINT, "1");
    }
}

/// Whether to offer passkeys in autofill here: this browser made or used
/// one, and offers passkeys among its suggestions. Cheap, and called from
/// the first screen: it touches none of the ceremony code.
pub async fn offer_autofill() -> bool {
    let noted = storage()
        .and_then(|s| s.get_item(PASSKEY_HINT).ok().flatten())
        .is_some();
    noted && autofill_available().await
}

/// Whether this browser offers passkeys in autofill.
async fn autofill_available() -> bool {
    let global: JsValue = js_sys::global().into();
    let Some(class) = get(&global, "PublicKeyCredential") else {
        return false;
    };
    let Some(check) = function(&class, "isConditionalMediationAvailable") else {
        return false;
    };
    let Some(promise) = check
        .call0(&class)
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Ends a ceremony still waiting in the browser (the autofill one, when
/// the user leaves the login screen or signs in otherwise).
pub fn stop_waiting() {
    PENDING.with(|p| {
        if let Some(controller) = p.borrow_mut().take() {
            controller.abort();
        }
    });
}

thread_local! {
    /// The ceremony waiting in the browser, if any: a browser runs one at
    /// a time and refuses a second, so a new one ends the old first.
    static PENDING: std::cell::RefCell<Option<web_sys::AbortController>> =
        const { std::cell::RefCell::new(None) };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ceremony {
    Create,
    Get,
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

/// Runs `navigator.credentials.create/get` with the server's options
/// and answers the credential as JSON, checked to carry `needed`.
/// `conditional`: offered in autofill rather than in a dialog.
async fn ceremony(
    kind: Ceremony,
    options: &Value,
    needed: &[&str],
    conditional: bool,
) -> Result<Value, Failure> {
    let container = credentials().ok_or(Failure::Unsupported)?;
    let method = match kind {
        Ceremony::Create => "create",
        Ceremony::Get => "get",
    };
    let call = function(&container, method).ok_or(Failure::Unsupported)?;
    let public_key = json::public_key(options)?;
    let text = serde_json::to_string(&public_key).map_err(|_| Failure::Unreadable)?;
    let plain = JSON::parse(&text).map_err(|_| Failure::Unreadable)?;
    let parsed = match kind {
        Ceremony::Create => parse_creation_options(&plain),
        Ceremony::Get => parse_request_options(&plain),
    }
    .map_err(|_| Failure::Unreadable)?;
    let request = Object::new();
    Reflect::set(&request, &"publicKey".into(), &parsed).map_err(|_| Failure::Other)?;
    if conditional {
        Reflect::set(&request, &"mediation".into(), &"conditional".into())
            .map_err(|_| Failure::Other)?;
    }
    stop_waiting();
    let controller = web_sys::AbortController::new().map_err(|_| Failure::Other)?;
    Reflect::set(&request, &"signal".into(), &controller.signal()).map_err(|_| Failure::Other)?;
    PENDING.with(|p| *p.borrow_mut() = Some(controller));
    let promise: Promise = call
        .call1(&container, &request)
        .map_err(|e| failure_of(&e))?
        .dyn_into()
        .map_err(|_| Failure::Other)?;
    let credential = JsFuture::from(promise).await.map_err(|e| failure_of(&e));
    // Done: this ceremony no longer waits. (If another replaced it, that
    // one's controller stays.)
    PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        if pending.as_ref().is_some_and(|c| c.signal().aborted()) {
            *pending = None;
        }
    });
    let credential = credential?;
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
