//! The OpenAPI document (`/api/openapi.json`) must describe the API exactly:
//! every route and nothing else, every status a route can answer, and the
//! rules of every request field. Schemathesis checks it against the running
//! server in `scripts/schemathesis`; these tests keep the parts that can be
//! checked cheaply here, with statuses taken from the source (which
//! extractors each handler has) and from real answers.

use std::collections::{BTreeMap, BTreeSet};

use portcullis_api::input::CODE_MAX_CHARS;
use portcullis_api::{AdminUser, ErrorCode, MfaStatus, CSRF_HEADER, CSRF_VALUE};
use portcullis_server::auth::password;
use portcullis_server::http::{BODY_LIMIT, IMPORT_BODY_LIMIT, LOGO_BODY_LIMIT};
use serde_json::Value;

use crate::client::Api;
use crate::fixtures::{TestServer, ADMIN, PASSWORD};

/// Every operation the API has; adding a route means adding it here too.
const EXPECTED: &[(&str, &str)] = &[
    ("post", "/api/v1/login"),
    ("post", "/api/v1/welcome"),
    ("post", "/api/v1/welcome/peek"),
    ("post", "/api/v1/welcome/check"),
    ("post", "/api/v1/password/check"),
    ("post", "/api/v1/password/forgot"),
    ("post", "/api/v1/password/reset"),
    ("post", "/api/v1/admin/users/{id}/password-reset"),
    ("patch", "/api/v1/admin/users/{id}"),
    ("delete", "/api/v1/admin/users/{id}"),
    ("get", "/api/v1/admin/groups"),
    ("post", "/api/v1/admin/groups"),
    ("patch", "/api/v1/admin/groups/{id}"),
    ("delete", "/api/v1/admin/groups/{id}"),
    ("put", "/api/v1/admin/groups/{id}/members/{user_id}"),
    ("delete", "/api/v1/admin/groups/{id}/members/{user_id}"),
    ("post", "/api/v1/admin/users"),
    ("post", "/api/v1/admin/users/import/preview"),
    ("post", "/api/v1/admin/users/import"),
    ("post", "/api/v1/admin/users/{id}/temporary-access"),
    ("get", "/api/v1/admin/apps"),
    ("post", "/api/v1/admin/apps"),
    ("get", "/api/v1/admin/apps/{id}"),
    ("put", "/api/v1/admin/apps/{id}"),
    ("post", "/api/v1/admin/apps/{id}/secret"),
    ("delete", "/api/v1/admin/apps/{id}"),
    ("get", "/api/v1/admin/sites"),
    ("post", "/api/v1/admin/sites"),
    ("put", "/api/v1/admin/sites/{id}"),
    ("delete", "/api/v1/admin/sites/{id}"),
    ("get", "/api/v1/admin/hosts"),
    ("post", "/api/v1/admin/hosts"),
    ("put", "/api/v1/admin/hosts/{id}"),
    ("delete", "/api/v1/admin/hosts/{id}"),
    ("post", "/api/v1/admin/hosts/{id}/token"),
    ("get", "/api/v1/admin/radius-clients"),
    ("post", "/api/v1/admin/radius-clients"),
    ("put", "/api/v1/admin/radius-clients/{id}"),
    ("delete", "/api/v1/admin/radius-clients/{id}"),
    ("post", "/api/v1/sso/{id}"),
    ("post", "/api/v1/sso/{id}/consent"),
    ("post", "/api/v1/sso/logout"),
    ("get", "/api/v1/apps"),
    ("get", "/api/v1/apps/signed-in"),
    ("delete", "/api/v1/apps/signed-in/{id}"),
    ("post", "/api/v1/login/temporary-access"),
    ("get", "/api/v1/admin/scim-tokens"),
    ("post", "/api/v1/admin/scim-tokens"),
    ("delete", "/api/v1/admin/scim-tokens/{id}"),
    ("post", "/api/v1/admin/users/{id}/invitation"),
    ("post", "/api/v1/admin/users/{id}/setup-link"),
    ("post", "/api/v1/admin/users/{id}/suspend"),
    ("post", "/api/v1/admin/users/{id}/reactivate"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/login/totp"),
    ("post", "/api/v1/login/skip-enrollment"),
    ("get", "/api/v1/mfa"),
    ("post", "/api/v1/mfa/verify"),
    ("post", "/api/v1/totp/enroll"),
    ("post", "/api/v1/totp/confirm"),
    ("post", "/api/v1/totp/reset"),
    ("get", "/api/v1/recovery-codes"),
    ("post", "/api/v1/recovery-codes"),
    ("post", "/api/v1/login/recovery-code"),
    ("get", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions/{id}"),
    ("post", "/api/v1/sessions/end-others"),
    ("post", "/api/v1/password"),
    ("post", "/api/v1/webauthn/register/start"),
    ("post", "/api/v1/webauthn/register/finish"),
    ("get", "/api/v1/webauthn/credentials"),
    ("patch", "/api/v1/webauthn/credentials/{id}"),
    ("delete", "/api/v1/webauthn/credentials/{id}"),
    ("post", "/api/v1/login/webauthn/start"),
    ("post", "/api/v1/login/webauthn/finish"),
    ("post", "/api/v1/login/passkey/start"),
    ("post", "/api/v1/login/passkey/finish"),
    ("post", "/api/v1/mfa/verify/webauthn/start"),
    ("post", "/api/v1/mfa/verify/webauthn/finish"),
    ("get", "/api/v1/trusted-browsers"),
    ("delete", "/api/v1/trusted-browsers"),
    ("delete", "/api/v1/trusted-browsers/{id}"),
    ("get", "/api/v1/admin/users"),
    ("get", "/api/v1/admin/users.csv"),
    ("get", "/api/v1/admin/users/summary"),
    ("get", "/api/v1/admin/events"),
    ("post", "/api/v1/admin/users/{id}/require-mfa"),
    ("post", "/api/v1/admin/users/{id}/unrequire-mfa"),
    ("post", "/api/v1/admin/users/{id}/reset-mfa"),
    ("post", "/api/v1/admin/users/{id}/unlock"),
    ("post", "/api/v1/admin/users/bulk/preview"),
    ("post", "/api/v1/admin/users/bulk"),
    ("get", "/api/v1/admin/settings"),
    ("patch", "/api/v1/admin/settings"),
    ("get", "/api/v1/branding"),
    ("get", "/api/v1/admin/branding"),
    ("put", "/api/v1/admin/branding"),
    ("put", "/api/v1/admin/branding/logo"),
    ("delete", "/api/v1/admin/branding/logo"),
    ("get", "/api/v1/admin/users/{id}"),
    ("delete", "/api/v1/admin/users/{id}/factors/{factor}"),
    ("post", "/api/v1/admin/users/{id}/sessions/end"),
    ("post", "/api/v1/admin/users/{id}/remind"),
    ("post", "/api/v1/protect/enroll"),
    ("get", "/api/v1/protect/device"),
    ("delete", "/api/v1/protect/device"),
    ("post", "/api/v1/login/push"),
    ("post", "/api/v1/login/push/{id}/wait"),
    ("post", "/api/v1/login/push/{id}/cancel"),
    ("post", "/api/v1/protect/merge-notice"),
    ("post", "/api/v1/mfa/verify/push"),
    ("post", "/api/v1/mfa/verify/push/{id}/wait"),
    // The device API: signed by the device's key, no cookie, no CSRF header.
    ("post", "/api/device/v1/enroll"),
    ("get", "/api/device/v1/status"),
    ("get", "/api/device/v1/pending"),
    ("post", "/api/device/v1/requests/{id}/approve"),
    ("post", "/api/device/v1/requests/{id}/deny"),
    ("post", "/api/device/v1/requests/{id}/report"),
    // The host API: signed by the host's key, no cookie, no CSRF header.
    ("post", "/api/host/v1/enroll"),
    ("post", "/api/host/v1/login"),
    ("post", "/api/host/v1/login/code"),
    ("post", "/api/host/v1/login/push"),
    ("post", "/api/host/v1/login/push/{id}/wait"),
];

/// The device API's paths: outside the CSRF check (a device signs instead).
const DEVICE_API: &str = "/api/device/";
/// The host API's: the same, signed by a host.
const HOST_API: &str = "/api/host/";

/// A path of an API whose requests are signed instead of carrying a
/// cookie and the CSRF header.
fn signed_api(path: &str) -> bool {
    path.starts_with(DEVICE_API) || path.starts_with(HOST_API)
}

/// The routes outside `/api/v1` that are registered with plain axum calls
/// on purpose: the document itself, the JSON 404 for unknown API paths, and
/// the fake clock of browser-test builds.
/// Routes outside the document: the document itself, the 404 for the
/// rest, the test clock, and forward-auth (a reverse proxy reads its
/// status and headers; it answers no JSON).
const PLAIN_ROUTES: &[&str] = &[
    "/api/openapi.json",
    "/api/{*rest}",
    "/api/test/clock",
    "/api/authz/forward-auth",
    "/api/authz/start",
];

async fn served_document(s: &TestServer) -> Value {
    let resp = reqwest::get(s.url("/api/openapi.json")).await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// (method, path) → operation object.
fn operations(doc: &Value) -> BTreeMap<(String, String), Value> {
    let mut ops = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.insert((method.clone(), path.clone()), op.clone());
        }
    }
    ops
}

fn statuses(op: &Value) -> BTreeSet<u16> {
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap_or_else(|_| panic!("status {k}")))
        .collect()
}

/// The security schemes an operation names (any of its requirements).
fn schemes(op: &Value) -> BTreeSet<String> {
    op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|req| req.as_object().unwrap().keys().cloned())
        .collect()
}

#[tokio::test]
async fn served_document_lists_every_route() {
    let s = TestServer::start().await;
    let doc = served_document(&s).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let documented: Vec<(String, String)> = operations(&doc).into_keys().collect();
    let mut expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);

    // Each documented operation is really routed (not 404/405): without a
    // session or CSRF header every one is refused before its handler runs,
    // with its own 401 or 403 rather than the router's answer.
    let anonymous = reqwest::Client::new();
    for (method, path) in &documented {
        let path = path.replace("{id}", "someone").replace("{factor}", "totp");
        let status = anonymous
            .request(method.to_uppercase().parse().unwrap(), s.url(&path))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status != 404 && status != 405, "{method} {path}: {status}");
    }
}

#[tokio::test]
async fn the_security_schemes_are_the_session_cookie_and_the_csrf_header() {
    let s = TestServer::start().await;
    let doc = served_document(&s).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["type"], "apiKey");
    assert_eq!(schemes["session"]["in"], "cookie");
    // the cookie's name over plain HTTP, as this server runs
    assert_eq!(schemes["session"]["name"], "portcullis_session");
    assert_eq!(schemes["csrf"]["type"], "apiKey");
    assert_eq!(schemes["csrf"]["in"], "header");
    assert_eq!(schemes["csrf"]["name"], CSRF_HEADER);
    // The device API's signature (its description names all four headers).
    assert_eq!(schemes["device"]["type"], "apiKey");
    assert_eq!(schemes["device"]["in"], "header");
    assert_eq!(schemes["device"]["name"], "x-protect-signature");
    let words = schemes["device"]["description"].as_str().unwrap();
    for h in ["x-protect-device", "x-protect-time", "x-protect-nonce"] {
        assert!(words.contains(h), "{h}");
    }
    // The host API's: the same scheme with its own headers.
    assert_eq!(schemes["host"]["name"], "x-portcullis-signature");
    let words = schemes["host"]["description"].as_str().unwrap();
    for h in [
        "x-portcullis-host",
        "x-portcullis-time",
        "x-portcullis-nonce",
    ] {
        assert!(words.contains(h), "{h}");
    }
    assert_eq!(schemes.as_object().unwrap().len(), 4, "{schemes}");
}

/// Routes can only be added through `utoipa_axum::routes!` (which documents
/// them): no plain axum `.route("/api/…")` (or `.nest`, `.route_service`)
/// call anywhere in the server but the few in [`PLAIN_ROUTES`].
#[test]
fn no_undocumented_route_registration() {
    let mut offenders = Vec::new();
    for (file, text) in sources("src") {
        // without white space, so a call split over lines is found too
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for call in [
            ".route(\"",
            ".nest(\"",
            ".route_service(\"",
            ".nest_service(\"",
        ] {
            for (at, _) in flat.match_indices(call) {
                let rest = &flat[at + call.len()..];
                let path = &rest[..rest.find('"').unwrap()];
                if path.starts_with("/api") && !PLAIN_ROUTES.contains(&path) {
                    offenders.push(format!("{file}: {path}"));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "undocumented routes: {offenders:?}");
}

/// What each extractor a handler can take may answer, and what the
/// document must then say: (statuses, needs a request body, security
/// scheme). A new extractor must be added here, which makes whoever adds
/// it think about what it answers.
fn extractor_answers(ty: &str) -> Option<(&'static [u16], bool, Option<&'static str>)> {
    let name = ty.split('<').next().unwrap_or(ty);
    Some(match name {
        "State" | "ClientInfo" | "SessionCookie" | "TrustCookie" | "DeviceCookie" => {
            (&[], false, None)
        }
        // syntax / too large / not JSON / a field missing or wrong
        "ApiJson" => (&[400, 413, 415, 422], true, None),
        "AnySession" | "SignedIn" => (&[401], false, Some("session")),
        // a session is read when there is one; none is no refusal
        "MaybeSignedIn" => (&[], false, None),
        // no session / not an administrator or no second factor
        "Admin" => (&[401, 403], false, Some("session")),
        // a path segment that is not UTF-8 / an id that names nothing
        "Path" => (&[400, 404], false, None),
        // not signed, a bad signature, time, nonce, or no such device
        "DeviceSigned" => (&[401], false, Some("device")),
        // the same, then the body as `ApiJson`
        "DeviceJson" => (&[400, 401, 413, 415, 422], true, Some("device")),
        // the same for a host's signature
        "HostSigned" => (&[401], false, Some("host")),
        "HostJson" => (&[400, 401, 413, 415, 422], true, Some("host")),
        "Query" => (&[400], false, None),
        _ => return None,
    })
}

/// A documented handler as its source shows it.
#[derive(Debug)]
struct Handler {
    name: String,
    method: String,
    path: String,
    /// The types of its parameters (its extractors).
    extractors: Vec<String>,
}

/// Every `#[utoipa::path]` handler in `src/http/`.
fn handlers() -> Vec<Handler> {
    let mut out = Vec::new();
    for (file, text) in sources("src/http") {
        for block in text.split("#[utoipa::path(").skip(1) {
            let method = block
                .trim_start()
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap()
                .to_string();
            let path = block.split("path = \"").nth(1).unwrap();
            let path = path[..path.find('"').unwrap()].to_string();
            let sig = &block[block.find("pub async fn ").unwrap() + "pub async fn ".len()..];
            let area = std::path::Path::new(&file).file_stem().unwrap();
            let name = format!(
                "{}::{}",
                area.to_str().unwrap(),
                &sig[..sig.find('(').unwrap()]
            );
            let params = &sig[sig.find('(').unwrap() + 1..sig.find(") ->").unwrap()];
            let extractors = split_top_level(params)
                .into_iter()
                .map(|p| {
                    p.rsplit_once(':')
                        .map_or(p.clone(), |(_, t)| t.trim().to_string())
                })
                .collect();
            assert!(!method.is_empty(), "{file}: {name}");
            out.push(Handler {
                name,
                method,
                path,
                extractors,
            });
        }
    }
    assert!(out.len() >= EXPECTED.len(), "{out:?}");
    out
}

/// Splits a parameter list at the commas outside `<…>` and `(…)`.
fn split_top_level(params: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in params.chars() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Each described handler is registered (`routes!(area::handler)` in
/// `http.rs`, `routes!(handler)` in the own routers of `http/login.rs` and
/// `http/user_import.rs`) and each registered one described, so none is
/// described but unreachable.
#[test]
fn every_documented_handler_is_registered() {
    let read = |file: &str| {
        std::fs::read_to_string(format!("{}/src/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let names = |text: &str, prefix: &str| -> Vec<String> {
        text.split("routes!(")
            .skip(1)
            .map(|rest| format!("{prefix}{}", rest[..rest.find(')').unwrap()].trim()))
            .collect()
    };
    let mut registered: BTreeSet<String> = names(&read("http.rs"), "").into_iter().collect();
    registered.extend(names(&read("http/login.rs"), "login::"));
    registered.extend(names(&read("http/user_import.rs"), "user_import::"));
    registered.extend(names(&read("http/branding.rs"), "branding::"));
    let described: BTreeSet<String> = handlers().into_iter().map(|h| h.name).collect();
    assert_eq!(registered, described);
}

/// The statuses, request body and security each operation declares follow
/// from its handler's extractors and method: anything but a GET passes the
/// CSRF check (403), a JSON body can be malformed (400), too large (413),
/// not JSON (415) or invalid (422), a session can be missing (401), an
/// administrator's session can lack the role or a second factor (403).
#[tokio::test]
async fn every_operation_declares_what_its_extractors_can_answer() {
    let s = TestServer::start().await;
    let ops = operations(&served_document(&s).await);
    let handlers = handlers();
    assert_eq!(handlers.len(), ops.len());
    for h in &handlers {
        let op = ops
            .get(&(h.method.clone(), h.path.clone()))
            .unwrap_or_else(|| panic!("{} {} ({}) is not documented", h.method, h.path, h.name));
        let mut must = BTreeSet::new();
        let mut body = false;
        let mut security = BTreeSet::new();
        // Every method but GET changes something: the CSRF check applies
        // (but to the device API, whose requests are signed instead).
        if h.method != "get" && !signed_api(&h.path) {
            must.insert(403);
            security.insert("csrf".to_string());
        }
        for ty in &h.extractors {
            let (codes, takes_body, scheme) = extractor_answers(ty)
                .unwrap_or_else(|| panic!("{}: what can extractor `{ty}` answer?", h.name));
            must.extend(codes.iter().copied());
            body |= takes_body;
            security.extend(scheme.map(str::to_string));
        }
        let declared = statuses(op);
        let missing: Vec<_> = must.difference(&declared).collect();
        assert!(missing.is_empty(), "{}: undocumented {missing:?}", h.name);
        assert_eq!(
            op["requestBody"].is_object(),
            body,
            "{}: request body",
            h.name
        );
        if body {
            assert_eq!(op["requestBody"]["required"], true, "{}", h.name);
        }
        assert_eq!(schemes(op), security, "{}: security", h.name);
        // Only what some extractor or the handler's domain call can give:
        // never the blanket 500 (a server error is a bug to fix, not a
        // contract), and every error is an ErrorBody.
        assert!(!declared.contains(&500), "{}", h.name);
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/ErrorBody",
                    "{} {status}",
                    h.name
                );
            }
            if status == "429" || status == "503" {
                assert!(
                    response["headers"]["Retry-After"].is_object(),
                    "{} {status}: Retry-After",
                    h.name
                );
            }
        }
    }
}

/// The same from the other end: what the middleware and the extractors
/// really answer, for each operation, is what they should answer and is
/// among the statuses the operation documents.
#[tokio::test]
async fn real_refusals_are_documented() {
    let s = TestServer::start().await;
    let ops = operations(&served_document(&s).await);
    let (admin, _) = s.admin().await;
    let target = s.user_id(&admin, ADMIN).await;
    let bare = reqwest::Client::new();
    for ((method, path), op) in &ops {
        let declared = statuses(op);
        let takes_session = schemes(op).contains("session");
        let path = &path.replace("{factor}", "totp");
        let url = s.url(&path.replace("{id}", &target));
        let method: reqwest::Method = method.to_uppercase().parse().unwrap();
        let send = |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().status() };
        // (what was sent, the status it must get if the route's extractors
        // decide it, the status it got)
        let mut seen: Vec<(&str, Option<u16>, reqwest::StatusCode)> = Vec::new();

        let device_api = signed_api(path);
        let signed = schemes(op).contains("device") || schemes(op).contains("host");
        let refused = if device_api {
            // no CSRF check; a signed route wants its signature
            signed.then_some(401)
        } else if method != reqwest::Method::GET {
            Some(403) // the CSRF check
        } else {
            takes_session.then_some(401)
        };
        let got = send(bare.request(method.clone(), &url)).await;
        seen.push(("no CSRF header, no session", refused, got));
        let got = send(
            bare.request(method.clone(), &url)
                .header(CSRF_HEADER, CSRF_VALUE)
                .json(&serde_json::json!("not an object")),
        )
        .await;
        seen.push(("no session", (takes_session || signed).then_some(401), got));
        // Signed in as an administrator with a fresh second factor, so
        // every session check passes and the body's checks answer.
        // (A signed route checks the signature before it reads a body.)
        if op["requestBody"].is_object() && !signed {
            let admin_req = || admin.http.request(method.clone(), &url);
            let json = || admin_req().header("content-type", "application/json");
            let limit = if path.contains("/users/import") {
                IMPORT_BODY_LIMIT
            } else if path.ends_with("/branding/logo") {
                LOGO_BODY_LIMIT
            } else {
                BODY_LIMIT
            };
            let too_large = format!("{{\"x\":\"{}\"}}", "x".repeat(limit));
            for (what, expected, req) in [
                ("no content type", 415, admin_req().body("{}")),
                ("bad syntax", 400, json().body("{")),
                ("too large", 413, json().body(too_large)),
                ("not an object", 422, json().body("[]")),
            ] {
                seen.push((what, Some(expected), send(req).await));
            }
        }
        if path.contains("{id}") {
            // a path segment that is not UTF-8 once decoded
            let bad = s.url(&path.replace("{id}", "%FF"));
            let got = send(admin.http.request(method.clone(), bad)).await;
            seen.push(("an id that is not UTF-8", Some(400), got));
        }
        for (what, expected, got) in seen {
            let got = got.as_u16();
            if let Some(expected) = expected {
                assert_eq!(got, expected, "{method} {path}: {what}");
            }
            assert!(
                declared.contains(&got),
                "{method} {path}: {what} → {got}, documented {declared:?}"
            );
        }
    }
}

/// Every string a request body carries is bounded in the document (the
/// server refuses longer ones), so no client or fuzzer is told that a
/// megabyte-long field is fine.
#[tokio::test]
async fn every_request_body_string_has_a_max_length() {
    let s = TestServer::start().await;
    let doc = served_document(&s).await;
    let mut strings = Vec::new();
    for ((method, path), op) in operations(&doc) {
        let Some(content) = op["requestBody"]["content"].as_object() else {
            continue;
        };
        for media in content.values() {
            collect_strings(
                &doc,
                &media["schema"],
                &format!("{method} {path}"),
                &mut strings,
            );
        }
    }
    // the three request types: email, password, code
    assert!(strings.len() >= 3, "{strings:?}");
    for (at, schema) in strings {
        assert!(
            schema["maxLength"].is_u64(),
            "{at}: no maxLength in {schema}"
        );
    }
}

/// The string schemas in `schema` (following `$ref`s), with where they are.
fn collect_strings(doc: &Value, schema: &Value, at: &str, out: &mut Vec<(String, Value)>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/components/schemas/").unwrap();
        let target = &doc["components"]["schemas"][name];
        return collect_strings(doc, target, &format!("{at} {name}"), out);
    }
    let is_string = match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(ts) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if is_string && schema["enum"].is_null() {
        out.push((at.to_string(), schema.clone()));
    }
    if let Some(props) = schema["properties"].as_object() {
        for (name, prop) in props {
            collect_strings(doc, prop, &format!("{at}.{name}"), out);
        }
    }
    for key in ["items", "additionalProperties"] {
        if schema[key].is_object() {
            collect_strings(doc, &schema[key], &format!("{at}[]"), out);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            collect_strings(doc, branch, at, out);
        }
    }
}

/// The documented limits are the ones the server applies.
#[tokio::test]
async fn documented_limits_are_the_servers() {
    let s = TestServer::start().await;
    let doc = served_document(&s).await;
    let schemas = &doc["components"]["schemas"];
    let code = &schemas["CodeRequest"]["properties"]["code"];
    assert_eq!(code["maxLength"], CODE_MAX_CHARS);
    let recovery = &schemas["RecoveryCodeRequest"]["properties"]["code"];
    assert_eq!(
        recovery["maxLength"],
        portcullis_api::input::RECOVERY_CODE_MAX_CHARS
    );
    let login = &schemas["LoginRequest"]["properties"];
    assert_eq!(login["password"]["maxLength"], password::MAX_LEN);
    assert_eq!(login["email"]["maxLength"], 254);
    let period = &schemas["EnrollmentPeriodRequest"]["properties"]["period_days"];
    assert_eq!(
        period["minimum"],
        portcullis_server::rules::requirement::MIN_PERIOD_DAYS
    );
    assert_eq!(
        period["maximum"],
        portcullis_server::rules::requirement::MAX_PERIOD_DAYS
    );

    // And at the edges the server agrees. The longest code the document
    // allows is taken for a code (alice has no app: 409); one character
    // more is refused as malformed.
    let alice = s.api();
    alice.login("alice@example.com", PASSWORD).await.ok();
    let longest = format!("123 456{}", "-".repeat(CODE_MAX_CHARS - 7));
    assert_eq!(longest.chars().count(), CODE_MAX_CHARS);
    assert_eq!(
        alice.verify(&longest).await.fail(),
        (409, ErrorCode::FactorNotSetUp)
    );
    let (status, code) = alice.verify(&format!("{longest}-")).await.fail();
    assert_eq!((status, code), (422, ErrorCode::ValidationFailed));
    // JSON Schema's integers include 7.0, and so does the server.
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, "ivan@example.com").await;
    let resp = admin
        .http
        .post(s.url(&format!("/api/v1/admin/users/{id}/require-mfa")))
        .header("content-type", "application/json")
        .body(r#"{"period_days":7.0}"#)
        .send()
        .await
        .unwrap();
    let user = Api::read::<AdminUser>(resp).await.ok();
    assert_eq!(user.mfa, MfaStatus::EnrollmentPeriod { days_left: 7 });
}

/// The document bounds the email and the password in characters (JSON
/// Schema's `maxLength` counts characters), the server in UTF-8 bytes: an
/// address of 212 characters, 412 bytes, is valid by the document and
/// refused as too long (422) instead of being checked (401).
#[tokio::test]
async fn lengths_are_counted_in_characters_as_documented() {
    let s = TestServer::start().await;
    let email = format!("{}@example.com", "é".repeat(200));
    assert!(email.chars().count() <= 254 && email.len() > 254);
    let answer = s.api().login(&email, PASSWORD).await;
    assert_eq!(answer.fail(), (401, ErrorCode::InvalidCredentials));
    let password = "é".repeat(password::MAX_LEN);
    let answer = s.api().login("alice@example.com", &password).await;
    assert_eq!(answer.fail(), (401, ErrorCode::InvalidCredentials));
}

/// The server's Rust files under `dir` (relative to the crate), with text.
fn sources(dir: &str) -> Vec<(String, String)> {
    fn visit(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                visit(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    visit(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        &mut out,
    );
    out.sort();
    out
}

/// The request timeout (`http::timeout`) leaves out exactly the
/// long-polls, which wait on purpose: each is a route of the API (a route
/// renamed would otherwise be cut off at 30 s), and every other operation
/// documents the timeout's 503.
#[tokio::test]
async fn the_timeout_spares_the_long_polls_and_is_documented_everywhere_else() {
    use portcullis_server::http::timeout::LONG_POLLS;
    let s = TestServer::start().await;
    let ops = operations(&served_document(&s).await);
    let paths: BTreeSet<&str> = ops.keys().map(|(_, p)| p.as_str()).collect();
    for route in LONG_POLLS {
        assert!(paths.contains(route), "{route} is not a route");
    }
    for ((method, path), op) in &ops {
        let long_poll = LONG_POLLS.contains(&path.as_str());
        assert_eq!(
            statuses(op).contains(&503),
            !long_poll,
            "{method} {path}: the timeout's 503"
        );
    }
}
