//! A real server on a real SQLite file in a temp dir, with a manual clock,
//! listening on a loopback port; tests talk to it over HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use portcullis_api::{CSRF_HEADER, CSRF_VALUE};
use portcullis_server::clock::ManualClock;
use portcullis_server::state::{AppState, Settings};
use portcullis_server::{app, db, demo};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct horse battery";
/// Stands for a precompressed file in the SPA fixture.
pub const PRECOMPRESSED_BR: &[u8] = b"precompressed-brotli-bytes";
/// 2026-11-22T00:00:00Z
pub const T0: i64 = 1_795_305_600;

pub struct TestServer {
    pub base: String,
    pub clock: ManualClock,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(Some(spa_fixture())).await
    }

    pub async fn start_with(spa: Option<PathBuf>) -> TestServer {
        Self::start_with_settings(spa, Settings::default()).await
    }

    pub async fn start_with_settings(spa: Option<PathBuf>, settings: Settings) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = db::default_url(dir.path());
        let pool = db::connect(&url).await.expect("database");
        let clock = ManualClock::new(T0);
        let state = AppState::new(pool, Arc::new(clock.clone()), settings).expect("state");
        demo::seed(&state, PASSWORD).await.expect("seed");
        let router = app::build(state.clone(), spa.map(|_| dir.path().join("spa")));
        if let Some(src) = spa_fixture_src() {
            std::fs::create_dir_all(dir.path().join("spa")).expect("spa dir");
            std::fs::write(dir.path().join("spa/index.html"), src).expect("index");
            std::fs::write(
                dir.path().join("spa/app-0123456789abcdef.js"),
                "export default 1;".repeat(100),
            )
            .expect("js");
            // a precompressed copy, as scripts/build-spa writes (marked so
            // tests can tell it from on-the-fly compression)
            std::fs::write(
                dir.path().join("spa/app-0123456789abcdef.css"),
                "body{}".repeat(100),
            )
            .expect("css");
            std::fs::write(
                dir.path().join("spa/app-0123456789abcdef.css.br"),
                PRECOMPRESSED_BR,
            )
            .expect("br");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .ok();
        });
        TestServer {
            base: format!("http://{addr}"),
            clock,
            state,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, sends the CSRF header.
    pub fn client(&self) -> reqwest::Client {
        let mut h = HeaderMap::new();
        h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
        reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(h)
            .build()
            .expect("client")
    }

    pub async fn login(
        &self,
        c: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        c.post(self.url("/api/v1/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request")
    }
}

fn spa_fixture() -> PathBuf {
    PathBuf::from("spa")
}

/// A page shaped like Trunk's output: an inline module script that loads the app.
fn spa_fixture_src() -> Option<&'static str> {
    Some(
        r#"<!DOCTYPE html><html><head><script type="module">import init from '/app-0123456789abcdef.js';init();</script></head><body></body></html>"#,
    )
}

pub async fn json(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, v)
}

pub fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portcullis_session="))
        .map(str::to_string)
}
