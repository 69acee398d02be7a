//! Malformed requests get a 4xx with the JSON error body and a readable
//! message, never a 500 or a framework's plain-text page.

use portcullis_api::{ErrorBody, ErrorCode};

use crate::client::Api;
use crate::fixtures::TestServer;

/// A POST with this content type and body from a browser-like client (the
/// CSRF header is there, so only the body can be wrong); the answer must
/// be an error with the JSON error body.
async fn post_raw(
    s: &TestServer,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, ErrorBody) {
    let api = s.api();
    let resp = api
        .http
        .post(api.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let answer = Api::read::<serde_json::Value>(resp).await;
    (answer.status, answer.err())
}

#[tokio::test]
async fn malformed_json_is_400_with_a_message() {
    let s = TestServer::start().await;
    let (status, body) = post_raw(&s, "/api/v1/login", "application/json", "{\"email\": ").await;
    assert_eq!(status, 400);
    assert_eq!(body.code, ErrorCode::BadRequest);
    assert_eq!(body.message, "The request body is not valid JSON.");
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
    assert_eq!(body.code, ErrorCode::ValidationFailed);
    assert!(body.message.contains("password"), "{body:?}");
}

#[tokio::test]
async fn wrong_types_and_bad_email_are_422() {
    let s = TestServer::start().await;
    let (status, body) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        r#"{"email":5,"password":[]}"#,
    )
    .await;
    assert_eq!((status, body.code), (422, ErrorCode::ValidationFailed));
    let (status, body) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        r#"{"email":"nope","password":"x"}"#,
    )
    .await;
    assert_eq!((status, body.code), (422, ErrorCode::ValidationFailed));
    assert!(body.message.contains("email"), "{body:?}");
    let (status, body) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        r#"{"email":"a@example.com","password":""}"#,
    )
    .await;
    assert_eq!((status, body.code), (422, ErrorCode::ValidationFailed));
    assert_eq!(body.message, "Enter your password.");
}

#[tokio::test]
async fn a_code_that_is_not_six_digits_is_422() {
    let s = TestServer::start().await;
    // bob has an authenticator app: the login stops at the code
    let (api, _) = s.password_login("bob@example.com").await;
    for code in ["12345", "1234567", "abcdef", ""] {
        let (status, code_err) = api.login_totp(code).await.fail();
        assert_eq!(
            (status, code_err),
            (422, ErrorCode::ValidationFailed),
            "{code:?}"
        );
    }
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let s = TestServer::start().await;
    let (status, body) = post_raw(&s, "/api/v1/login", "text/plain", "email=a").await;
    assert_eq!(status, 415);
    assert_eq!(body.code, ErrorCode::UnsupportedMediaType);
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
    assert_eq!(body.code, ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn unknown_endpoint_and_wrong_method_are_json() {
    let s = TestServer::start().await;
    let api = s.api();
    let (status, code) = api.get::<serde_json::Value>("/api/v1/nope").await.fail();
    assert_eq!((status, code), (404, ErrorCode::NotFound));
    let answer = api.get::<serde_json::Value>("/api/v1/login").await;
    // a 405 says which methods the endpoint takes
    assert!(
        answer
            .headers
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("POST")),
        "{:?}",
        answer.headers
    );
    assert_eq!(answer.fail(), (405, ErrorCode::MethodNotAllowed));
}

#[tokio::test]
async fn invalid_utf8_and_binary_garbage_are_4xx() {
    let s = TestServer::start().await;
    let (status, body) = post_raw(
        &s,
        "/api/v1/login",
        "application/json",
        vec![0xff_u8, 0xfe, 0x00, 0x7b],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body.code, ErrorCode::BadRequest);
}
