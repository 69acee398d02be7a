//! The one HTTP client of the device API: builds, signs and sends each
//! request, and turns every failure into an [`Error`] in words.

use std::cell::Cell;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clock::{device_now, portal_now};
use crate::signing;
use crate::state::State;
use crate::Error;
use portcullis_api::protect::{
    DeviceEnrollRequest, DeviceEnrolled, DeviceStatus, PendingPush, PushApproval, PushOutcome,
};
use serde::Deserialize;

/// Longest long-poll the API allows (`wait` is 0..=30).
pub const MAX_WAIT: u32 = 30;
/// How far a signed request's time may be from the portal's clock.
const SIGNATURE_WINDOW_SECS: i64 = 300;
/// The header with the portal's clock on every device API answer.
const SERVER_TIME_HEADER: &str = "x-protect-server-time";

fn http() -> Result<Client, Error> {
    Client::builder()
        .connect_timeout(Duration::from_secs(10))
        // A long-poll holds the request up to MAX_WAIT seconds.
        .timeout(Duration::from_secs(u64::from(MAX_WAIT) + 20))
        .user_agent(concat!("protect/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Protocol(format!("cannot set up HTTP: {e}")))
}

/// `POST /api/device/v1/enroll` (not signed: the token is the proof).
pub fn enroll(portal: &str, body: &DeviceEnrollRequest) -> Result<DeviceEnrolled, Error> {
    let url = format!("{portal}/api/device/v1/enroll");
    let resp = http()?.post(&url).json(body).send();
    read(portal, resp, Kind::Enroll)
}

/// A signed client of one enrolled device.
pub struct Device<'a> {
    state: &'a State,
    key: SigningKey,
    http: Client,
    /// Portal time minus device time, as last learned.
    offset: Cell<i64>,
}

impl<'a> Device<'a> {
    pub fn new(state: &'a State) -> Result<Device<'a>, Error> {
        // A state file written by hand (or by an older `protect`) may name
        // a plain http:// portal elsewhere: refused as the link would be.
        let portal = url::Url::parse(&state.portal).map_err(|e| {
            Error::State(format!(
                "The portal address {:?} is unusable: {e}",
                state.portal
            ))
        })?;
        crate::link::check_transport(&portal).map_err(Error::State)?;
        Ok(Device {
            key: state.key()?,
            state,
            http: http()?,
            offset: Cell::new(state.clock_offset_secs),
        })
    }

    /// The clock offset this client signs with now (learned again when the
    /// portal refused a request for its time).
    pub fn clock_offset_secs(&self) -> i64 {
        self.offset.get()
    }

    pub fn status(&self) -> Result<DeviceStatus, Error> {
        self.call(Method::GET, "/api/device/v1/status", None::<&()>)
    }

    pub fn pending(&self, wait: u32) -> Result<Vec<PendingPush>, Error> {
        let target = format!("/api/device/v1/pending?wait={}", wait.min(MAX_WAIT));
        self.call(Method::GET, &target, None::<&()>)
    }

    pub fn approve(
        &self,
        id: &str,
        number: u32,
        user_verified: bool,
    ) -> Result<PushOutcome, Error> {
        let body = PushApproval {
            number: i64::from(number),
            user_verified,
        };
        self.call(Method::POST, &request_path(id, "approve"), Some(&body))
    }

    pub fn deny(&self, id: &str) -> Result<PushOutcome, Error> {
        self.call(Method::POST, &request_path(id, "deny"), None::<&()>)
    }

    /// "This wasn't me".
    pub fn report(&self, id: &str) -> Result<PushOutcome, Error> {
        self.call(Method::POST, &request_path(id, "report"), None::<&()>)
    }

    fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        target: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, Error> {
        let portal = &self.state.portal;
        let url = reqwest::Url::parse(&format!("{portal}{target}"))
            .map_err(|e| Error::State(format!("The portal address {portal:?} is unusable: {e}")))?;
        // Sign the target as it will go on the wire (after the URL parser's
        // normalisation), not as it was written here.
        let sent_target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let bytes = match body {
            Some(b) => serde_json::to_vec(b)
                .map_err(|e| Error::Protocol(format!("cannot write the request: {e}")))?,
            None => Vec::new(),
        };
        let body = body.map(|_| bytes.as_slice());
        let time = portal_now(self.offset.get());
        let answer = self.send(&method, &url, &sent_target, time, body);
        let resp = answer.map_err(|e| unreachable(portal, &e))?;
        // Refused for its time: the portal's clock moved since the offset
        // was learned (or this one did). Learn it again from the answer and
        // sign once more; a second refusal stands.
        let server_time = resp
            .headers()
            .get(SERVER_TIME_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<i64>().ok());
        let relearned = server_time.and_then(|server| {
            offset_to_relearn(resp.status().as_u16(), server, time, device_now())
        });
        let resp = match relearned {
            Some(offset) => {
                self.offset.set(offset);
                // Not saving it costs only this refusal again next time.
                self.state.remember_offset(offset).ok();
                let time = portal_now(offset);
                self.send(&method, &url, &sent_target, time, body)
                    .map_err(|e| unreachable(portal, &e))?
            }
            _ => resp,
        };
        read(portal, Ok(resp), Kind::Signed)
    }

    /// Signs and sends one request at `time` (portal time).
    fn send(
        &self,
        method: &Method,
        url: &reqwest::Url,
        target: &str,
        time: i64,
        body: Option<&[u8]>,
    ) -> reqwest::Result<Response> {
        let nonce = signing::nonce();
        let headers = signing::headers(
            &self.key,
            &self.state.portal,
            &self.state.device_id,
            method.as_str(),
            target,
            time,
            &nonce,
            body.unwrap_or_default(),
        );
        let mut req = self.http.request(method.clone(), url.clone());
        for (name, value) in headers {
            req = req.header(name, value);
        }
        if let Some(bytes) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.to_vec());
        }
        req.send()
    }
}

/// The offset to sign with again after a refusal (`status`) whose answer
/// said the portal's time is `server`, when the request's `time` was out
/// of the portal's window; `None` otherwise. The portal's header is the
/// portal's to choose: no value of it overflows here.
fn offset_to_relearn(status: u16, server: i64, time: i64, device: i64) -> Option<i64> {
    (status == 401 && server.abs_diff(time) > SIGNATURE_WINDOW_SECS.unsigned_abs())
        .then(|| server.saturating_sub(device))
}

/// `/api/device/v1/requests/{id}/{action}`, the id percent-encoded as one
/// path segment (it is opaque: the server may choose any characters).
fn request_path(id: &str, action: &str) -> String {
    let mut url = match reqwest::Url::parse("http://x/api/device/v1/requests") {
        Ok(u) => u,
        Err(_) => return format!("/api/device/v1/requests/{id}/{action}"),
    };
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(id).push(action);
    }
    url.path().to_string()
}

/// The portal's error body, read leniently: only its words matter here, and
/// a newer portal's error code must not make them unreadable.
#[derive(Deserialize)]
struct Refusal {
    message: String,
    #[serde(default)]
    retry_after: Option<u64>,
}

#[derive(Clone, Copy)]
enum Kind {
    Enroll,
    Signed,
}

fn read<T: DeserializeOwned>(
    portal: &str,
    resp: reqwest::Result<Response>,
    kind: Kind,
) -> Result<T, Error> {
    let resp = resp.map_err(|e| unreachable(portal, &e))?;
    let status = resp.status().as_u16();
    let text = resp.text().map_err(|e| unreachable(portal, &e))?;
    if (200..300).contains(&status) {
        return serde_json::from_str(&text).map_err(|e| Error::Protocol(e.to_string()));
    }
    let body: Option<Refusal> = serde_json::from_str(&text).ok();
    let message = match (body, status, kind) {
        (Some(b), _, _) => {
            let mut m = b.message;
            if let Some(secs) = b.retry_after {
                m.push_str(&format!(" Try again in {secs} s."));
            }
            m
        }
        // Words for the answers the contract names, should a proxy in
        // between have replaced the portal's body.
        (None, 401, Kind::Enroll) => "This enrollment link has expired or was used already. \
             Show a new QR code on the Security page."
            .to_string(),
        (None, 401, Kind::Signed) => "This device is not enrolled any more (it was removed or \
             replaced). Enroll it again from the portal's Security page."
            .to_string(),
        (None, 404, Kind::Enroll) => format!(
            "{portal} does not offer Protect enrollment (no device API there): is this the right portal?"
        ),
        (None, s, _) => format!("The portal answered HTTP {s} without an explanation."),
    };
    Err(Error::Refused { status, message })
}

fn unreachable(portal: &str, e: &reqwest::Error) -> Error {
    let detail = if e.is_timeout() {
        "no answer in time".to_string()
    } else if e.is_connect() {
        // The innermost cause says "Connection refused" or the DNS error.
        let mut source: &dyn std::error::Error = e;
        while let Some(s) = source.source() {
            source = s;
        }
        source.to_string()
    } else {
        e.to_string()
    };
    Error::Unreachable {
        portal: portal.to_string(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_at(portal: &str) -> State {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        State::new(
            crate::state::Details {
                portal: portal.to_string(),
                device_id: "d".into(),
                user_email: "a@b.c".into(),
                label: "l".into(),
                device_type: "t".into(),
                os: "o".into(),
                app_version: "v".into(),
                user_verification: "none".into(),
                clock_offset_secs: 0,
                enrolled_at: 0,
            },
            &key,
        )
    }

    #[test]
    fn a_state_naming_a_plain_http_portal_elsewhere_is_refused() {
        let remote = state_at("http://mfa.example.org");
        match Device::new(&remote) {
            Err(Error::State(m)) => assert!(m.contains("uses http://"), "{m}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("an http:// portal elsewhere was taken"),
        }
        for local in [
            "http://localhost:8080",
            "http://127.0.0.1:9",
            "http://[::1]:9",
            "https://mfa.example.org",
        ] {
            assert!(Device::new(&state_at(local)).is_ok(), "{local}");
        }
    }

    #[test]
    fn a_nonsense_offset_from_the_portal_does_not_overflow() {
        // The portal's clock header and the enrollment's offset are the
        // portal's to choose; a hostile one must not panic the client.
        assert_eq!(portal_now(i64::MAX), i64::MAX);
        assert!(portal_now(i64::MIN) < 0);
        let now = 1_800_000_000;
        assert_eq!(offset_to_relearn(401, i64::MIN, now, now), Some(i64::MIN));
        assert_eq!(
            offset_to_relearn(401, i64::MAX, i64::MIN, now),
            Some(i64::MAX - now)
        );
        assert_eq!(offset_to_relearn(401, now + 301, now, now), Some(301));
        // Within the window, or refused for another reason: nothing to learn.
        assert_eq!(offset_to_relearn(401, now + 300, now, now), None);
        assert_eq!(offset_to_relearn(403, i64::MIN, now, now), None);
    }

    #[test]
    fn request_ids_are_one_path_segment() {
        assert_eq!(
            request_path("0193-abc_D", "approve"),
            "/api/device/v1/requests/0193-abc_D/approve"
        );
        assert_eq!(
            request_path("a/b?c", "deny"),
            "/api/device/v1/requests/a%2Fb%3Fc/deny"
        );
    }
}
