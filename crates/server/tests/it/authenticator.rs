//! A software WebAuthn authenticator for the tests: a P-256 key that
//! answers the server's options as a browser with a real key would — a
//! none-attestation registration (authenticator data with the attested
//! credential and its COSE key, in a CBOR attestation object) and
//! assertions signed over authenticator data ‖ SHA-256(client data). Its
//! origin, relying-party id and counter can be set wrong on purpose. Like
//! Chromium, it verifies its user (the UV flag) only when the options ask
//! for verification (`preferred`, `required`, or not said): asked
//! `discouraged`, the browser does not ask for the PIN.
#![allow(dead_code)] // shared helpers; not every test uses every one

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::value::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use rand_core::{OsRng, RngCore};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_DATA: u8 = 0x40;

pub struct SoftKey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    /// The signature counter of the next answer (then counted up).
    pub counter: u32,
    /// The origin the "browser" writes into the client data.
    pub origin: String,
    /// Signs for this relying-party id instead of the one asked for.
    pub rp_id_override: Option<String>,
    /// It can check who uses it (PIN, biometrics): the UV flag is set
    /// when the options ask for verification.
    pub verifies_user: bool,
    /// The user handle it was registered with (base64url), which it
    /// answers with when the browser asks for any credential (passkey
    /// sign-in); a stranger's may be set on purpose.
    pub user_handle: Option<String>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("cbor");
    out
}

impl SoftKey {
    /// A new key used from `origin` (the portal's own, normally).
    pub fn new(origin: &str) -> SoftKey {
        let mut credential_id = vec![0u8; 32];
        OsRng.fill_bytes(&mut credential_id);
        SoftKey {
            key: SigningKey::random(&mut OsRng),
            credential_id,
            counter: 1,
            origin: origin.to_string(),
            rp_id_override: None,
            verifies_user: true,
            user_handle: None,
        }
    }

    /// A key that only sees a touch: no PIN, no biometrics.
    pub fn touch_only(origin: &str) -> SoftKey {
        SoftKey {
            verifies_user: false,
            ..SoftKey::new(origin)
        }
    }

    pub fn id(&self) -> String {
        b64(&self.credential_id)
    }

    fn rp_id<'a>(&'a self, asked: &'a str) -> &'a str {
        self.rp_id_override.as_deref().unwrap_or(asked)
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .expect("json")
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let int = |n: i64| Cbor::Integer(n.into());
        cbor(&Cbor::Map(vec![
            (int(1), int(2)),  // kty: EC2
            (int(3), int(-7)), // alg: ES256
            (int(-1), int(1)), // crv: P-256
            (int(-2), Cbor::Bytes(point.x().expect("x").to_vec())),
            (int(-3), Cbor::Bytes(point.y().expect("y").to_vec())),
        ]))
    }

    /// Whether it verifies its user for a request asking `asked` (the
    /// options' `userVerification`; `preferred` when not said).
    fn verifies(&self, asked: &Value) -> bool {
        self.verifies_user && asked.as_str() != Some("discouraged")
    }

    fn auth_data(&mut self, rp_id: &str, attested: bool, verified: bool) -> Vec<u8> {
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        let mut flags = USER_PRESENT;
        if verified {
            flags |= USER_VERIFIED;
        }
        if attested {
            flags |= ATTESTED_DATA;
        }
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        self.counter += 1;
        if attested {
            data.extend_from_slice(&[0u8; 16]); // AAGUID: none told
            let len = u16::try_from(self.credential_id.len()).expect("id length");
            data.extend_from_slice(&len.to_be_bytes());
            data.extend_from_slice(&self.credential_id);
            data.extend_from_slice(&self.cose_key());
        }
        data
    }

    /// The browser's answer to `navigator.credentials.create()` with these
    /// options (`{"publicKey": {…}}` as the server sent them).
    pub fn register(&mut self, options: &Value) -> Value {
        let pk = &options["publicKey"];
        let challenge = pk["challenge"].as_str().expect("challenge");
        let asked = pk["rp"]["id"].as_str().expect("rp id").to_string();
        let rp_id = self.rp_id(&asked).to_string();
        self.user_handle = pk["user"]["id"].as_str().map(str::to_string);
        let client_data = self.client_data("webauthn.create", challenge);
        let verified = self.verifies(&pk["authenticatorSelection"]["userVerification"]);
        let auth_data = self.auth_data(&rp_id, true, verified);
        let attestation = cbor(&Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]));
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation),
                "clientDataJSON": b64(&client_data),
                "transports": ["usb", "nfc"],
            },
            "extensions": {},
        })
    }

    /// The browser's answer to `navigator.credentials.get()`.
    pub fn assert(&mut self, options: &Value) -> Value {
        let pk = &options["publicKey"];
        let challenge = pk["challenge"].as_str().expect("challenge");
        let asked = pk["rpId"].as_str().expect("rp id").to_string();
        let rp_id = self.rp_id(&asked).to_string();
        let client_data = self.client_data("webauthn.get", challenge);
        let verified = self.verifies(&pk["userVerification"]);
        let auth_data = self.auth_data(&rp_id, false, verified);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        // Asked for any credential of the site, it names whose it is.
        let any = pk["allowCredentials"]
            .as_array()
            .is_none_or(|allowed| allowed.is_empty());
        let user_handle = if any {
            json!(self.user_handle)
        } else {
            Value::Null
        };
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": user_handle,
            },
            "extensions": {},
        })
    }
}
