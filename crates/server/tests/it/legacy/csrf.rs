#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
mod common;

use common::{json, TestServer, PASSWORD};
use serde_json::json;

#[tokio::test]
async fn state_change_without_the_csrf_header_is_refused() {
    let s = TestServer::start().await;
    let plain = reqwest::Client::new();
    let resp = plain
        .post(s.url("/api/v1/login"))
        .json(&json!({"email": "alice@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("set-cookie").is_none());
    let (status, body) = json(resp).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "csrf_rejected");
}

#[tokio::test]
async fn cross_site_requests_are_refused_even_with_the_header() {
    let s = TestServer::start().await;
    for (k, v) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let (status, body) = json(
            s.client()
                .post(s.url("/api/v1/login"))
                .header(k, v)
                .json(&json!({"email": "alice@example.com", "password": PASSWORD}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 403, "{k}: {v}");
        assert_eq!(body["code"], "csrf_rejected");
    }
}

#[tokio::test]
async fn same_origin_browser_request_passes() {
    let s = TestServer::start().await;
    let origin = s.base.clone();
    let resp = s
        .client()
        .post(s.url("/api/v1/login"))
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"email": "alice@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn logout_without_the_header_does_not_end_the_session() {
    let s = TestServer::start().await;
    // A client with only the cookie, as a cross-site form post would have.
    let resp = s.login(&s.client(), "alice@example.com", PASSWORD).await;
    let value = common::session_cookie(&resp).unwrap();
    let value = value.split(';').next().unwrap().to_string();
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/logout"))
        .header("cookie", value.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/me"))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
