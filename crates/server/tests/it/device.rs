//! A software Protect device for the tests: an Ed25519 key of its own,
//! enrolled through the one-time link, signing every request as the
//! contract says (portal, device id, method, target, time, nonce, body
//! hash: `portcullis_api::protect::signed_message`). Tests can bend each
//! part of a request to see it refused.
#![allow(dead_code)] // shared helpers; not every test uses every one

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use portcullis_api::protect::{
    DeviceEnrollRequest, DeviceEnrolled, DeviceStatus, PendingPush, ProtectEnrollment,
    PushApproval, PushOutcome, PushStarted, PushStatus, PushWait, UserVerification,
};
use portcullis_api::LoginResponse;
use portcullis_server::clock::{Clock, ManualClock};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::client::{Answer, Api};
use crate::fixtures::TestServer;

/// What a test changes about a signed request.
#[derive(Default, Clone)]
pub struct Bend {
    /// Seconds added to the time the request states (and signs).
    pub time_off: i64,
    /// Sign with this key instead of the device's.
    pub key: Option<SigningKey>,
    /// Send this nonce (e.g. one used before).
    pub nonce: Option<String>,
    /// Sign this body, send the real one.
    pub signed_body: Option<Vec<u8>>,
    /// Sign this target, send the real one.
    pub signed_target: Option<String>,
    /// Leave the signature header out.
    pub unsigned: bool,
    /// Sign for this portal origin instead of the one enrolled with.
    pub signed_portal: Option<String>,
    /// Sign for this device id, send the real one.
    pub signed_device: Option<String>,
    /// Send (and sign) this x-protect-time header as it is.
    pub raw_time: Option<String>,
    /// Send this x-protect-signature instead of a real one.
    pub raw_signature: Option<String>,
}

pub struct Device {
    pub base: String,
    /// The portal's origin as the enrollment named it (what is signed).
    pub portal: String,
    pub id: String,
    pub key: SigningKey,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    /// The nonce of the last request sent.
    pub last_nonce: std::sync::Mutex<String>,
}

pub fn new_key() -> SigningKey {
    SigningKey::generate(&mut OsRng)
}

pub fn public_key(key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes())
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 18];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The token of an enrollment link.
pub fn token_of(uri: &str) -> String {
    uri.split("token=")
        .nth(1)
        .expect("a token in the link")
        .split('&')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// An enrollment request for `token` and `key`, with plausible details.
pub fn enroll_request(token: &str, key: &SigningKey, now: i64) -> DeviceEnrollRequest {
    DeviceEnrollRequest {
        token: token.to_string(),
        public_key: public_key(key),
        label: "Ada's phone".into(),
        device_type: "iPhone 8".into(),
        os: "iOS 17.2".into(),
        app_version: "protect 0.1.0".into(),
        user_verification: UserVerification::Biometric,
        clock: now,
    }
}

/// Asks the portal for a link (as the signed-in `api`).
pub async fn link(api: &Api) -> ProtectEnrollment {
    api.post_empty("/api/v1/protect/enroll").await.ok()
}

/// Signs `email` in with the password and a push that `device` approves:
/// a session with a fresh second factor.
pub async fn sign_in(s: &TestServer, email: &str, device: &Device) -> Api {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    device
        .approve(&started.id, i64::from(started.number))
        .await
        .ok();
    let w: PushWait = api
        .post_empty(&format!("/api/v1/login/push/{}/wait?wait=5", started.id))
        .await
        .ok();
    assert_eq!(w.status, PushStatus::Approved);
    api
}

impl Device {
    /// Enrolls a new device with `token`; panics unless it is accepted.
    pub async fn enroll(s: &TestServer, token: &str) -> Device {
        let key = new_key();
        let answer: Answer<DeviceEnrolled> = Api::new(&s.base)
            .post(
                "/api/device/v1/enroll",
                &enroll_request(token, &key, s.now()),
            )
            .await;
        let enrolled = answer.ok();
        Device {
            base: s.base.clone(),
            portal: enrolled.portal,
            id: enrolled.device_id,
            key,
            clock: s.clock.clone(),
            http: reqwest::Client::new(),
            last_nonce: std::sync::Mutex::new(String::new()),
        }
    }

    /// Enrolls a device for the user signed in as `api` (fresh second factor
    /// needed if they have one).
    pub async fn for_user(s: &TestServer, api: &Api) -> Device {
        let link = link(api).await;
        Device::enroll(s, &token_of(&link.uri)).await
    }

    /// [`Device::for_user`] for a device that can verify its user this way.
    pub async fn for_user_with(s: &TestServer, api: &Api, uv: UserVerification) -> Device {
        let link = link(api).await;
        let key = new_key();
        let mut request = enroll_request(&token_of(&link.uri), &key, s.now());
        request.user_verification = uv;
        let enrolled: DeviceEnrolled = Api::new(&s.base)
            .post("/api/device/v1/enroll", &request)
            .await
            .ok();
        Device {
            base: s.base.clone(),
            portal: enrolled.portal,
            id: enrolled.device_id,
            key,
            clock: s.clock.clone(),
            http: reqwest::Client::new(),
            last_nonce: std::sync::Mutex::new(String::new()),
        }
    }

    /// The same device talking to another instance.
    pub fn at(&self, base: &str) -> Device {
        Device {
            base: base.to_string(),
            portal: self.portal.clone(),
            id: self.id.clone(),
            key: self.key.clone(),
            clock: self.clock.clone(),
            http: reqwest::Client::new(),
            last_nonce: std::sync::Mutex::new(String::new()),
        }
    }

    /// Sends a signed request, bent as `bend` says.
    pub async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        target: &str,
        body: Option<&serde_json::Value>,
        bend: &Bend,
    ) -> Answer<T> {
        let bytes = body
            .map(|b| serde_json::to_vec(b).expect("json"))
            .unwrap_or_default();
        let time = bend
            .raw_time
            .clone()
            .unwrap_or_else(|| (self.clock.now() + bend.time_off).to_string());
        let nonce = bend.nonce.clone().unwrap_or_else(new_nonce);
        *self.last_nonce.lock().expect("lock") = nonce.clone();
        let signed_body = bend.signed_body.as_deref().unwrap_or(&bytes);
        let signed_target = bend.signed_target.as_deref().unwrap_or(target);
        let message = portcullis_api::protect::signed_message(
            bend.signed_portal.as_deref().unwrap_or(&self.portal),
            bend.signed_device.as_deref().unwrap_or(&self.id),
            method,
            signed_target,
            &time,
            &nonce,
            &hex::encode(Sha256::digest(signed_body)),
        );
        let key = bend.key.as_ref().unwrap_or(&self.key);
        let signature = bend
            .raw_signature
            .clone()
            .unwrap_or_else(|| URL_SAFE_NO_PAD.encode(key.sign(message.as_bytes()).to_bytes()));
        let mut req = self
            .http
            .request(
                method.parse().expect("method"),
                format!("{}{target}", self.base),
            )
            .header("x-protect-device", &self.id)
            .header("x-protect-time", &time)
            .header("x-protect-nonce", &nonce);
        if !bend.unsigned {
            req = req.header("x-protect-signature", signature);
        }
        if body.is_some() {
            req = req.header("content-type", "application/json").body(bytes);
        }
        Api::read(req.send().await.expect("request")).await
    }

    pub async fn get<T: serde::de::DeserializeOwned>(&self, target: &str) -> Answer<T> {
        self.send("GET", target, None, &Bend::default()).await
    }

    pub async fn status(&self) -> Answer<DeviceStatus> {
        self.get("/api/device/v1/status").await
    }

    pub async fn pending(&self, wait: u64) -> Answer<Vec<PendingPush>> {
        self.get(&format!("/api/device/v1/pending?wait={wait}"))
            .await
    }

    pub async fn approve(&self, id: &str, number: i64) -> Answer<PushOutcome> {
        let body = serde_json::to_value(PushApproval {
            number,
            user_verified: true,
        })
        .expect("json");
        self.send(
            "POST",
            &format!("/api/device/v1/requests/{id}/approve"),
            Some(&body),
            &Bend::default(),
        )
        .await
    }

    /// An approval saying whether the device verified its user.
    pub async fn approve_with(
        &self,
        id: &str,
        number: i64,
        user_verified: bool,
    ) -> Answer<PushOutcome> {
        let body = serde_json::to_value(PushApproval {
            number,
            user_verified,
        })
        .expect("json");
        self.send(
            "POST",
            &format!("/api/device/v1/requests/{id}/approve"),
            Some(&body),
            &Bend::default(),
        )
        .await
    }

    /// "This wasn't me".
    pub async fn report(&self, id: &str) -> Answer<PushOutcome> {
        self.send(
            "POST",
            &format!("/api/device/v1/requests/{id}/report"),
            None,
            &Bend::default(),
        )
        .await
    }

    pub async fn deny(&self, id: &str) -> Answer<PushOutcome> {
        self.send(
            "POST",
            &format!("/api/device/v1/requests/{id}/deny"),
            None,
            &Bend::default(),
        )
        .await
    }
}
