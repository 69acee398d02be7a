//! Bodies of the WebAuthn routes: security keys and passkeys. The ceremony
//! messages themselves are `webauthn-rs-proto`'s types, which read and
//! write the JSON forms of the browser's `PublicKeyCredential` (binary
//! fields as base64url); each ceremony is named by an opaque `ceremony` id
//! the server hands out with its options and takes back with the answer.
//! Those messages need the `webauthn` feature; the SPA leaves it off and
//! passes the ceremony JSON to the browser as it came (see `src/webauthn.rs`
//! there), so only the key list and names below are always compiled.

use serde::{Deserialize, Serialize};
#[cfg(feature = "webauthn")]
pub use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

/// Longest name of a key, in characters (after trimming).
pub const KEY_NAME_MAX_CHARS: usize = 64;

/// `POST /api/v1/webauthn/register/start`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationStart {
    /// `true`: a passkey (the authenticator must verify the user, by PIN
    /// or biometrics); `false` or absent: a security key, user presence
    /// is enough.
    #[serde(default)]
    pub passkey: bool,
}

/// The options for `navigator.credentials.create()`.
#[cfg(feature = "webauthn")]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationOptions {
    /// Send back with the answer; good once, for five minutes, in this session.
    pub ceremony: String,
    /// `{"publicKey": {…}}`: binary fields are base64url strings.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: CreationChallengeResponse,
}

/// `POST /api/v1/webauthn/register/finish`.
#[cfg(feature = "webauthn")]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationFinish {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub ceremony: String,
    /// What to call the key; absent: "Security key 2" and the like.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// The browser's `PublicKeyCredential` from `create()`, as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: RegisterPublicKeyCredential,
}

/// The options for `navigator.credentials.get()`.
#[cfg(feature = "webauthn")]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthenticationOptions {
    /// Send back with the answer; good once, for five minutes, in this session.
    pub ceremony: String,
    /// `{"publicKey": {…}}`: binary fields are base64url strings.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: RequestChallengeResponse,
}

/// `POST /api/v1/login/webauthn/finish`.
#[cfg(feature = "webauthn")]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthenticationFinish {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub ceremony: String,
    /// The browser's `PublicKeyCredential` from `get()`, as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: PublicKeyCredential,
    /// At `/api/v1/login/webauthn/finish` only: "Don't ask again on this
    /// browser", honoured when the organisation allows it; absent: `false`.
    #[serde(default)]
    pub trust_browser: bool,
}

/// One of the user's security keys or passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyInfo {
    /// Names it in `/api/v1/webauthn/credentials/{id}`.
    pub id: String,
    pub name: String,
    /// Unix seconds.
    pub added_at: i64,
    /// Unix seconds; absent: never used to log in.
    pub last_used_at: Option<i64>,
    /// The credential may be synchronised to other devices (a passkey in
    /// a password manager).
    pub backup_eligible: bool,
    /// It is synchronised now.
    pub backed_up: bool,
    /// A discoverable (resident) credential; absent: not reported.
    pub discoverable: Option<bool>,
    /// How the browser reaches it: "usb", "nfc", "ble", "internal", "hybrid".
    pub transports: Vec<String>,
    /// The authenticator model's AAGUID, when its attestation named it.
    pub aaguid: Option<String>,
}

/// `PATCH /api/v1/webauthn/credentials/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRename {
    /// 1 to 64 characters, blanks around it trimmed.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = r"\S")
    )]
    pub name: String,
}

#[cfg(all(test, feature = "webauthn"))]
mod tests {
    use super::*;

    /// What `PublicKeyCredential.toJSON()` gives in a browser, with the
    /// fields newer browsers add: it must read as the ceremony types.
    #[test]
    fn browser_json_reads_as_the_ceremony_types() {
        let created = r#"{
            "id": "AQID", "rawId": "AQID", "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "response": {
                "clientDataJSON": "e30", "attestationObject": "oA",
                "transports": ["usb", "nfc"],
                "publicKeyAlgorithm": -7, "publicKey": "AQID", "authenticatorData": "AQID"
            },
            "clientExtensionResults": {"credProps": {"rk": false}}
        }"#;
        let reg: Result<RegisterPublicKeyCredential, _> = serde_json::from_str(created);
        let reg = reg.map_err(|e| e.to_string());
        assert!(reg.is_ok(), "{reg:?}");
        let asserted = r#"{
            "id": "AQID", "rawId": "AQID", "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": "e30", "authenticatorData": "AQID",
                "signature": "AQID", "userHandle": null
            },
            "clientExtensionResults": {}
        }"#;
        let got: Result<PublicKeyCredential, _> = serde_json::from_str(asserted);
        let got = got.map_err(|e| e.to_string());
        assert!(got.is_ok(), "{got:?}");
        // Bodies name their fields as the routes document them.
        let rename = serde_json::to_value(KeyRename { name: "Key".into() }).unwrap_or_default();
        assert_eq!(rename["name"], "Key");
        let start: Result<RegistrationStart, _> = serde_json::from_str("{}");
        assert_eq!(start.ok(), Some(RegistrationStart { passkey: false }));
    }
}
