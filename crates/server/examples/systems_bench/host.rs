//! A host's side, as `pam_portcullis.so` speaks: registered by the
//! administrator, enrolled with its own Ed25519 key, every request signed
//! (`portcullis_api::signing`, scheme `portcullis-host-v1`).

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use portcullis_api::hosts::{
    HostEnrolled, HostEnrollment, HostPushWait, HOST_HEADER, HOST_NONCE_HEADER,
    HOST_SIGNATURE_HEADER, HOST_SIGNATURE_SCHEME, HOST_TIME_HEADER,
};
use portcullis_api::protect::{PushStarted, PushStatus};
use portcullis_protect::client::Device;
use portcullis_protect::state::State;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::browser::Browser;

/// Time for the host's wait to park before the approval is sent.
const PARKED: Duration = Duration::from_millis(100);

pub struct Host {
    id: String,
    portal: String,
    key: SigningKey,
    http: reqwest::blocking::Client,
}

impl Host {
    /// Registered by `admin`, enrolled with a new key.
    pub fn register(admin: &mut Browser, base: &str) -> anyhow::Result<Host> {
        let (status, text) = admin.post_json(
            base,
            "/api/v1/admin/hosts",
            &serde_json::json!({ "name": "bench-host", "mfa": true, "unknown_users": "deny", "everyone": true }),
        )?;
        ensure!(status == 201, "registering the host: {status} {text}");
        let made: HostEnrollment = serde_json::from_str(&text)?;
        let key = SigningKey::generate(&mut OsRng);
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let enrolled: HostEnrolled = http
            .post(format!("{base}/api/host/v1/enroll"))
            .json(&serde_json::json!({
                "token": made.token,
                "public_key": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
            }))
            .send()?
            .error_for_status()?
            .json()?;
        Ok(Host {
            id: enrolled.host_id,
            portal: enrolled.portal,
            key,
            http,
        })
    }

    fn send<T: serde::de::DeserializeOwned>(
        &self,
        base: &str,
        target: &str,
        body: Option<&serde_json::Value>,
    ) -> anyhow::Result<T> {
        let bytes = body
            .map(serde_json::to_vec)
            .transpose()?
            .unwrap_or_default();
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
            .to_string();
        let mut raw = [0u8; 16];
        OsRng.fill_bytes(&mut raw);
        let nonce = URL_SAFE_NO_PAD.encode(raw);
        let digest = hex::encode(Sha256::digest(&bytes));
        let message = portcullis_api::signing::message(
            HOST_SIGNATURE_SCHEME,
            &portcullis_api::signing::Parts {
                portal: &self.portal,
                signer: &self.id,
                method: "POST",
                target,
                time: &time,
                nonce: &nonce,
                body_sha256_hex: &digest,
            },
        );
        let signature = URL_SAFE_NO_PAD.encode(self.key.sign(message.as_bytes()).to_bytes());
        let mut req = self
            .http
            .post(format!("{base}{target}"))
            .header(HOST_HEADER, &self.id)
            .header(HOST_TIME_HEADER, &time)
            .header(HOST_NONCE_HEADER, &nonce)
            .header(HOST_SIGNATURE_HEADER, signature);
        if body.is_some() {
            req = req.header("content-type", "application/json").body(bytes);
        }
        let resp = req.send()?;
        let status = resp.status();
        let text = resp.text()?;
        ensure!(status.is_success(), "POST {target}: {status} {text}");
        serde_json::from_str(&text).context("the host API's answer")
    }

    /// One timed push for `email`: from just before the phone's signed
    /// approve is sent until the host's wait answers "approved".
    pub fn push_round(&self, base: &str, email: &str, phone: &State) -> anyhow::Result<Duration> {
        let push: PushStarted = self.send(
            base,
            "/api/host/v1/login/push",
            Some(&serde_json::json!({ "user": email })),
        )?;
        let device = Device::new(phone)?;
        let pending = device.pending(0)?;
        ensure!(pending.iter().any(|p| p.id == push.id), "{email}: no push");
        let wait = format!("/api/host/v1/login/push/{}/wait?wait=30", push.id);
        std::thread::scope(|s| {
            let waiting = s.spawn(|| {
                let answer: HostPushWait = self.send(base, &wait, None)?;
                anyhow::Ok((Instant::now(), answer))
            });
            std::thread::sleep(PARKED);
            let t0 = Instant::now();
            let approved = device.approve(&push.id, u32::from(push.number), false);
            let waited = waiting
                .join()
                .map_err(|_| anyhow::anyhow!("the host's wait panicked"))?;
            approved?;
            let (t1, answer) = waited?;
            ensure!(answer.status == PushStatus::Approved, "{email}: {answer:?}");
            Ok(t1.saturating_duration_since(t0))
        })
    }
}
