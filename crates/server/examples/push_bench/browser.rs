//! The browser's side, as the SPA sends it: JSON with the CSRF header and
//! the portal's Origin, the session cookie of each person's login. One
//! HTTP client (its connection pool) serves every browser; each keeps only
//! its cookie, and names the instance for each request, as a load balancer
//! would pick one.

use std::time::Duration;

use anyhow::{bail, Context};
use portcullis_api::{LoginResponse, CSRF_HEADER, CSRF_VALUE};
use reqwest::blocking::Client;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;

use crate::instances::PASSWORD;

/// The client every browser shares; `public_url` is the page's origin.
pub fn client(public_url: &str) -> anyhow::Result<Client> {
    let mut h = HeaderMap::new();
    h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
    h.insert(header::ORIGIN, HeaderValue::from_str(public_url)?);
    Ok(Client::builder()
        .default_headers(h)
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
        // Above the longest wait the benchmark asks for (30 s).
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// One person's browser: the cookies its login set.
pub struct Browser<'a> {
    http: &'a Client,
    cookie: String,
}

impl<'a> Browser<'a> {
    /// Signs `email` in with the password at `base`: the browser and the
    /// login's answer.
    pub fn login(
        http: &'a Client,
        base: &str,
        email: &str,
    ) -> anyhow::Result<(Browser<'a>, LoginResponse)> {
        let resp = http
            .post(format!("{base}/api/v1/login"))
            .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
            .send()?;
        let cookie = cookies(&resp);
        let answer = read(resp).with_context(|| format!("login of {email}"))?;
        Ok((Browser { http, cookie }, answer))
    }

    /// Opens a one-time setup link (`token`) with the benchmark's password:
    /// the browser, at its first factor's setup.
    #[allow(dead_code)] // systems_bench's
    pub fn welcome(http: &'a Client, base: &str, token: &str) -> anyhow::Result<Browser<'a>> {
        let resp = http
            .post(format!("{base}/api/v1/welcome"))
            .json(&serde_json::json!({ "token": token, "password": PASSWORD }))
            .send()?;
        let cookie = cookies(&resp);
        let _: LoginResponse = read(resp).context("the setup link")?;
        Ok(Browser { http, cookie })
    }

    /// `POST base+path` with `body`: the status and the body. A new
    /// session cookie in the answer (a login finished) replaces the old.
    #[allow(dead_code)] // systems_bench's
    pub fn post_json(
        &mut self,
        base: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<(u16, String)> {
        let resp = self
            .http
            .post(format!("{base}{path}"))
            .header(header::COOKIE, &self.cookie)
            .json(body)
            .send()?;
        let renewed = cookies(&resp);
        if !renewed.is_empty() {
            self.cookie = renewed;
        }
        let status = resp.status().as_u16();
        Ok((status, resp.text()?))
    }

    /// `POST base+path` with an empty JSON body: the status and the body.
    pub fn post_raw(&self, base: &str, path: &str) -> anyhow::Result<(u16, String)> {
        let resp = self
            .http
            .post(format!("{base}{path}"))
            .header(header::COOKIE, &self.cookie)
            .json(&serde_json::json!({}))
            .send()?;
        let status = resp.status().as_u16();
        Ok((status, resp.text()?))
    }

    /// The same, read as `T`; any answer but 2xx is an error.
    pub fn post<T: DeserializeOwned>(&self, base: &str, path: &str) -> anyhow::Result<T> {
        let (status, text) = self.post_raw(base, path)?;
        if !(200..300).contains(&status) {
            bail!("POST {path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text)?)
    }
}

/// The cookies an answer sets, as a request sends them back.
fn cookies(resp: &reqwest::blocking::Response) -> String {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

fn read<T: DeserializeOwned>(resp: reqwest::blocking::Response) -> anyhow::Result<T> {
    let status = resp.status();
    let text = resp.text()?;
    if !status.is_success() {
        bail!("{status} {text}");
    }
    Ok(serde_json::from_str(&text)?)
}
