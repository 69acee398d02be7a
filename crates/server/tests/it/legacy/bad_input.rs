#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
mod common;

use common::{json, TestServer};

async fn post_raw(
    s: &TestServer,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, serde_json::Value) {
    json(
        s.client()
            .post(s.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn malformed_json_is_400_with_a_message() {
    let s = TestServer::start().await;
    let (status, body) = post_raw(&s, "/api/v1/login", "application/json", "{\"email\": ").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "bad_request");
    assert_eq!(body["message"], "The request body is not valid JSON.");
}

#[tokio::test]
async fn missing_field_names_the_field() {
    let s = TestServer::start().await;
    let (status, body) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        r#"{"email":"a@example.com"}"#,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "validation_failed");
    assert!(
        body["message"].as_str().unwrap().contains("password"),
        "{body}"
    );
}

#[tokio::test]
async fn wrong_types_and_bad_email_are_422() {
    let s = TestServer::start().await;
    let (status, _) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        r#"{"email":5,"password":[]}"#,
    )
    .await;
    assert_eq!(status, 422);
    let (status, body) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        r#"{"email":"nope","password":"x"}"#,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["message"].as_str().unwrap().contains("email"),
        "{body}"
    );
    let (status, body) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        r#"{"email":"a@example.com","password":""}"#,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "Enter your password.");
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let s = TestServer::start().await;
    let (status, body) = post_raw(&s, "/api/v1/login", "text/plain", "email=a").await;
    assert_eq!(status, 415);
    assert_eq!(body["code"], "unsupported_media_type");
}

#[tokio::test]
async fn oversized_body_is_413_not_500() {
    let s = TestServer::start().await;
    let huge = format!(
        r#"{{"email":"a@example.com","password":"{}"}}"#,
        "x".repeat(100_000)
    );
    let (status, body) = post_raw(&s, "/api/v1/login", "application/json", huge).await;
    assert_eq!(status, 413);
    assert_eq!(body["code"], "payload_too_large");
}

#[tokio::test]
async fn unknown_endpoint_and_wrong_method_are_json() {
    let s = TestServer::start().await;
    let (status, body) = json(s.client().get(s.url("/api/v1/nope")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
    let (status, body) = json(s.client().get(s.url("/api/v1/login")).send().await.unwrap()).await;
    assert_eq!(status, 405);
    assert_eq!(body["code"], "method_not_allowed");
}

#[tokio::test]
async fn invalid_utf8_and_binary_garbage_are_4xx() {
    let s = TestServer::start().await;
    let (status, _) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        vec![0xff_u8, 0xfe, 0x00, 0x7b],
    )
    .await;
    assert_eq!(status, 400);
}
