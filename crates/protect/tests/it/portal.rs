//! The portal as a browser uses it: cookies kept, the CSRF header on every
//! request, answers read into the shared API types.

use portcullis_api::protect::{ProtectEnrollment, PushStarted, PushWait};
use portcullis_api::{LoginResponse, CSRF_HEADER, CSRF_VALUE};
use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;

use crate::server::{Server, PASSWORD};

pub struct Browser {
    base: String,
    http: Client,
}

impl Browser {
    pub fn new(server: &Server) -> Browser {
        let mut h = HeaderMap::new();
        h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
        Browser {
            base: server.base.clone(),
            http: Client::builder()
                .cookie_store(true)
                .default_headers(h)
                .user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .unwrap(),
        }
    }

    fn read<T: DeserializeOwned>(resp: reqwest::blocking::Response) -> Result<T, (u16, String)> {
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        if (200..300).contains(&status) {
            let text = if text.is_empty() { "null" } else { &text };
            Ok(serde_json::from_str(text).unwrap_or_else(|e| panic!("{status} {e}: {text}")))
        } else {
            Err((status, text))
        }
    }

    pub fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, (u16, String)> {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .unwrap();
        Self::read(resp)
    }

    pub fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, (u16, String)> {
        let resp = self
            .http
            .put(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .unwrap();
        Self::read(resp)
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, (u16, String)> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .unwrap();
        Self::read(resp)
    }

    /// Signs in with the demo password: the first step's answer.
    pub fn login(&self, email: &str) -> LoginResponse {
        self.post(
            "/api/v1/login",
            serde_json::json!({ "email": email, "password": PASSWORD }),
        )
        .unwrap()
    }

    /// An enrollment link for the signed-in user.
    pub fn enrollment_link(&self) -> String {
        let e: ProtectEnrollment = self
            .post("/api/v1/protect/enroll", serde_json::json!({}))
            .unwrap();
        e.uri
    }

    /// Starts the login's push: its id and the number to show.
    pub fn start_push(&self) -> PushStarted {
        self.post("/api/v1/login/push", serde_json::json!({}))
            .unwrap()
    }

    /// The push's state after up to `wait` seconds.
    pub fn wait(&self, id: &str, wait: u32) -> PushWait {
        self.post(
            &format!("/api/v1/login/push/{id}/wait?wait={wait}"),
            serde_json::json!({}),
        )
        .unwrap()
    }

    /// Moves a `--fake-clock` server's time on.
    pub fn advance_clock(&self, seconds: i64) {
        let _: serde_json::Value = self
            .post("/api/test/clock", serde_json::json!({ "seconds": seconds }))
            .unwrap();
    }

    pub fn delete(&self, path: &str) -> u16 {
        self.http
            .delete(format!("{}{path}", self.base))
            .send()
            .unwrap()
            .status()
            .as_u16()
    }
}
