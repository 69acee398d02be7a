#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
//! The OpenAPI document must describe every API route.
mod common;

use common::TestServer;

/// Every operation the API has; adding a route means adding it here too.
const EXPECTED: &[(&str, &str)] = &[
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/login/totp"),
    ("post", "/api/v1/login/skip-enrolment"),
    ("get", "/api/v1/mfa"),
    ("post", "/api/v1/totp/enrol"),
    ("post", "/api/v1/totp/confirm"),
    ("post", "/api/v1/totp/reset"),
    ("get", "/api/v1/admin/users"),
    ("post", "/api/v1/admin/users/{id}/require-mfa"),
    ("post", "/api/v1/admin/users/{id}/reset-mfa"),
];

#[tokio::test]
async fn served_document_lists_every_route() {
    let s = TestServer::start().await;
    let doc: serde_json::Value = s
        .client()
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    documented.sort();
    let mut expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);

    // Each documented operation is really routed (not 404/405).
    for (method, path) in &documented {
        let req = s
            .client()
            .request(method.to_uppercase().parse().unwrap(), s.url(path));
        let status = req
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status != 404 && status != 405, "{method} {path}: {status}");
    }
}

/// Routes can only be added through `utoipa_axum::routes!` (which documents
/// them): no plain axum `.route("/api/v1…")` calls anywhere in the server.
#[test]
fn no_undocumented_route_registration() {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut offenders = Vec::new();
    visit(std::path::Path::new(src), &mut offenders);
    assert!(offenders.is_empty(), "undocumented routes: {offenders:?}");
}

fn visit(dir: &std::path::Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            visit(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, line) in text.lines().enumerate() {
                if line.contains(".route(\"/api/v") || line.contains(".nest(\"/api/v") {
                    out.push(format!("{}:{}", p.display(), i + 1));
                }
            }
        }
    }
}
