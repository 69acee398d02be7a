//! Requests to the portal's host API, signed with the host's key by the
//! one scheme (`portcullis_api::signing`, first line
//! `portcullis-host-v1`), each within what is left of the login's
//! deadline.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use portcullis_api::hosts::{
    HostAllowed, HostCodeRequest, HostEnrollRequest, HostEnrolled, HostLoginRequest, HostNeed,
    HostPushWait, HOST_API, HOST_HEADER, HOST_NONCE_HEADER, HOST_SIGNATURE_HEADER,
    HOST_SIGNATURE_SCHEME, HOST_TIME_HEADER,
};
use portcullis_api::protect::PushStarted;
use portcullis_api::signing;
use portcullis_api::ErrorBody;
use rand_core::{OsRng, RngCore};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::HostConfig;

/// Why a request got no answer to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer: the portal is down or unreachable, or the deadline came.
    Unreachable(String),
    /// The portal refused, in words (a wrong code, a push muted…).
    Refused { status: u16, message: String },
}

/// The portal, as this enrolled host speaks to it until `deadline`.
pub struct Portal {
    config: HostConfig,
    key: SigningKey,
    http: reqwest::blocking::Client,
    deadline: Instant,
}

fn client() -> Result<reqwest::blocking::Client, Failure> {
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| Failure::Unreachable(e.to_string()))
}

/// Enrolls this host with an administrator's one-time token and its new
/// public key.
pub fn enroll(url: &str, token: &str, key: &SigningKey) -> Result<HostEnrolled, Failure> {
    let body = HostEnrollRequest {
        token: token.to_string(),
        public_key: URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
    };
    let resp = client()?
        .post(format!("{}{HOST_API}/enroll", url.trim_end_matches('/')))
        .timeout(Duration::from_secs(30))
        .json(&body)
        .send()
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    read(resp)
}

fn read<T: DeserializeOwned>(resp: reqwest::blocking::Response) -> Result<T, Failure> {
    let status = resp.status().as_u16();
    let bytes = resp
        .bytes()
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes)
            .map_err(|e| Failure::Unreachable(format!("an answer this module cannot read: {e}")));
    }
    if status >= 500 {
        return Err(Failure::Unreachable(format!(
            "the portal answered {status}"
        )));
    }
    let message = serde_json::from_slice::<ErrorBody>(&bytes)
        .map(|b| b.message)
        .unwrap_or_else(|_| format!("The portal refused the request ({status})."));
    Err(Failure::Refused { status, message })
}

impl Portal {
    pub fn new(config: HostConfig, key: SigningKey, deadline: Instant) -> Result<Portal, Failure> {
        Ok(Portal {
            config,
            key,
            http: client()?,
            deadline,
        })
    }

    /// The host's name, as the portal knows it.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// What is left of the login's time.
    pub fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    fn send<T: DeserializeOwned>(
        &self,
        target: &str,
        body: Option<&impl Serialize>,
        wait: Duration,
    ) -> Result<T, Failure> {
        let left = self.left();
        if left.is_zero() {
            return Err(Failure::Unreachable("the login's time ran out".into()));
        }
        let bytes = match body {
            Some(b) => serde_json::to_vec(b).map_err(|e| Failure::Unreachable(e.to_string()))?,
            None => Vec::new(),
        };
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .to_string();
        let mut raw = [0u8; 16];
        OsRng.fill_bytes(&mut raw);
        let nonce = URL_SAFE_NO_PAD.encode(raw);
        let digest = hex::encode(Sha256::digest(&bytes));
        let message = signing::message(
            HOST_SIGNATURE_SCHEME,
            &signing::Parts {
                portal: &self.config.portal,
                signer: &self.config.host_id,
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
            .post(format!("{}{target}", self.config.url.trim_end_matches('/')))
            // the server's own wait, plus room for the answer to travel
            .timeout(left.min(wait + Duration::from_secs(10)))
            .header(HOST_HEADER, &self.config.host_id)
            .header(HOST_TIME_HEADER, &time)
            .header(HOST_NONCE_HEADER, &nonce)
            .header(HOST_SIGNATURE_HEADER, signature);
        if body.is_some() {
            req = req.header("content-type", "application/json").body(bytes);
        }
        let resp = req.send().map_err(|e| {
            Failure::Unreachable(if e.is_timeout() {
                "no answer in time".into()
            } else {
                e.to_string()
            })
        })?;
        read(resp)
    }

    /// What `user` needs here now.
    pub fn need(&self, user: &str, from: Option<&str>) -> Result<HostNeed, Failure> {
        let body = HostLoginRequest {
            user: user.into(),
            from: from.map(str::to_string),
        };
        self.send(&format!("{HOST_API}/login"), Some(&body), Duration::ZERO)
    }

    /// A typed code: the authenticator app's or a recovery code.
    pub fn code(&self, user: &str, code: &str, from: Option<&str>) -> Result<HostAllowed, Failure> {
        let body = HostCodeRequest {
            user: user.into(),
            code: code.into(),
            from: from.map(str::to_string),
        };
        self.send(
            &format!("{HOST_API}/login/code"),
            Some(&body),
            Duration::ZERO,
        )
    }

    /// Sends a push to the user's phone.
    pub fn push(&self, user: &str, from: Option<&str>) -> Result<PushStarted, Failure> {
        let body = HostLoginRequest {
            user: user.into(),
            from: from.map(str::to_string),
        };
        self.send(
            &format!("{HOST_API}/login/push"),
            Some(&body),
            Duration::ZERO,
        )
    }

    /// Waits up to `secs` for the phone's answer.
    pub fn wait(&self, id: &str, secs: u64) -> Result<HostPushWait, Failure> {
        let target = format!("{HOST_API}/login/push/{id}/wait?wait={secs}");
        self.send(&target, None::<&()>, Duration::from_secs(secs))
    }
}
