//! Security keys and passkeys: the list, rename, remove, and the two
//! requests of each ceremony. The ceremony JSON is kept as it comes
//! (`serde_json::Value`, see `crate::webauthn`). Only lazily loaded screens
//! call these.

use portcullis_api::webauthn::{KeyInfo, KeyRename, RegistrationStart};
use portcullis_api::LoginResponse;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::{delete, get, post, send_json};
use super::ApiError;
use crate::paths::encode_component;

/// A ceremony the server started: its id and the browser's options
/// (`{"publicKey": …}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Ceremony {
    pub ceremony: String,
    pub options: Value,
}

#[derive(Serialize)]
struct Finish<'a> {
    ceremony: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    credential: &'a Value,
    /// At the login's second step: trust this browser from now on.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    trust_browser: bool,
}

/// The signed-in user's keys, oldest first.
pub async fn keys() -> Result<Vec<KeyInfo>, ApiError> {
    get("/webauthn/credentials").await
}

fn key_path(id: &str) -> String {
    format!("/webauthn/credentials/{}", encode_component(id))
}

pub async fn rename_key(id: &str, name: &str) -> Result<KeyInfo, ApiError> {
    let body = KeyRename {
        name: name.to_string(),
    };
    send_json("PATCH", &key_path(id), &body).await
}

pub async fn remove_key(id: &str) -> Result<(), ApiError> {
    delete(&key_path(id)).await
}

/// A security key (user presence is enough), or a passkey (a
/// discoverable credential that can sign in without the password).
pub async fn register_start(passkey: bool) -> Result<Ceremony, ApiError> {
    post("/webauthn/register/start", &RegistrationStart { passkey }).await
}

pub async fn register_finish(
    ceremony: &str,
    name: Option<&str>,
    credential: &Value,
) -> Result<LoginResponse, ApiError> {
    let body = Finish {
        ceremony,
        name,
        credential,
        trust_browser: false,
    };
    post("/webauthn/register/finish", &body).await
}

pub async fn login_start() -> Result<Ceremony, ApiError> {
    post("/login/webauthn/start", &()).await
}

pub async fn login_finish(
    ceremony: &str,
    credential: &Value,
    trust_browser: bool,
) -> Result<LoginResponse, ApiError> {
    let body = Finish {
        ceremony,
        name: None,
        credential,
        trust_browser,
    };
    post("/login/webauthn/finish", &body).await
}

/// Sign-in with a passkey, without the password.
pub async fn passkey_start() -> Result<Ceremony, ApiError> {
    post("/login/passkey/start", &()).await
}

pub async fn passkey_finish(ceremony: &str, credential: &Value) -> Result<LoginResponse, ApiError> {
    let body = Finish {
        ceremony,
        name: None,
        credential,
        trust_browser: false,
    };
    post("/login/passkey/finish", &body).await
}

/// Proving a key again in a signed-in session.
pub async fn verify_start() -> Result<Ceremony, ApiError> {
    post("/mfa/verify/webauthn/start", &()).await
}

pub async fn verify_finish(ceremony: &str, credential: &Value) -> Result<(), ApiError> {
    let body = Finish {
        ceremony,
        name: None,
        credential,
        trust_browser: false,
    };
    post("/mfa/verify/webauthn/finish", &body).await
}
