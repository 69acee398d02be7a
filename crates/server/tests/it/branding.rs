//! The organisation's branding (`/api/v1/admin/branding`, the public
//! `/api/v1/branding`, the logo at `/branding/logo` and the served page):
//! set by billing administrators with a fresh second factor, each change
//! recorded in words, bad input refused in words with nothing changed, the
//! logo served so that an SVG cannot run script, and the name and accent
//! written into the page (escaped; the style allowed by its hash).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use portcullis_api::branding::{Branding, BrandingSettings};
use portcullis_api::{ErrorCode, LoginResponse};
use portcullis_server::mfa::totp::STEP_SECS;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::admin_settings::{changes_at, plain_admin};
use crate::client::{Answer, Api};
use crate::fixtures::TestServer;

const PATH: &str = "/api/v1/admin/branding";
const LOGO: &str = "/api/v1/admin/branding/logo";

async fn get(api: &Api) -> Answer<BrandingSettings> {
    api.get(PATH).await
}

async fn send(
    api: &Api,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> Answer<BrandingSettings> {
    let mut req = api.http.request(method, api.url(path));
    if let Some(body) = body {
        req = req.json(body);
    }
    Api::read(req.send().await.expect("request")).await
}

async fn put(api: &Api, body: &Value) -> Answer<BrandingSettings> {
    send(api, reqwest::Method::PUT, PATH, Some(body)).await
}

async fn put_logo(api: &Api, bytes: &[u8]) -> Answer<BrandingSettings> {
    let body = json!({ "data": STANDARD.encode(bytes) });
    send(api, reqwest::Method::PUT, LOGO, Some(&body)).await
}

fn texts(name: &str, accent: &str, help: &str) -> Value {
    json!({ "org_name": name, "accent": accent, "help_text": help })
}

async fn public(s: &TestServer) -> Branding {
    Api::new(&s.url("")).get("/api/v1/branding").await.ok()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn branding_is_set_read_back_and_recorded_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let was = get(&admin).await.ok();
    assert_eq!(was.branding, Branding::default());
    assert!(was.may_change);
    assert_eq!(public(&s).await, Branding::default());

    let at = s.now();
    let now = put(
        &admin,
        &texts(
            "  Acme Ltd  ",
            "#0B5FFF",
            "Call the service desk on 1234.\n<b>not bold</b>",
        ),
    )
    .await
    .ok();
    let expected = Branding {
        org_name: Some("Acme Ltd".into()),
        accent: Some("#0b5fff".into()),
        help_text: Some("Call the service desk on 1234.\n<b>not bold</b>".into()),
        logo_url: None,
    };
    assert_eq!(now.branding, expected);
    assert_eq!(public(&s).await, expected);
    assert_eq!(
        changes_at(&admin, at).await,
        [
            "accent colour: the portal's → #0b5fff",
            "help text: set (46 characters)",
            "organisation name: none → “Acme Ltd”",
        ]
    );
    // the same again changes nothing and records nothing
    s.advance(10);
    put(
        &admin,
        &texts(
            "Acme Ltd",
            "#0b5fff",
            "Call the service desk on 1234.\n<b>not bold</b>",
        ),
    )
    .await
    .ok();
    assert!(changes_at(&admin, s.now()).await.is_empty());
    // empty is none
    let cleared = put(&admin, &texts("", "", "")).await.ok();
    assert_eq!(cleared.branding, Branding::default());
    assert_eq!(
        changes_at(&admin, s.now()).await,
        [
            "accent colour: #0b5fff → the portal's",
            "help text: removed",
            "organisation name: “Acme Ltd” → none",
        ]
    );
}

#[tokio::test]
async fn bad_branding_is_refused_in_words_and_changes_nothing() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let long_name = "x".repeat(61);
    let long_help = "y".repeat(501);
    for (body, words) in [
        (
            texts(&long_name, "", ""),
            "The organisation's name can be at most 60 characters (this one has 61).",
        ),
        (
            texts("Acme", "blue", ""),
            "The accent colour must be # and six hexadecimal digits",
        ),
        // blank but longer than the seven characters the document allows
        (
            texts("Acme", "        ", ""),
            "The accent colour must be # and six hexadecimal digits",
        ),
        (
            texts("Acme", "#1d4ed8;}", ""),
            "The accent colour must be # and six hexadecimal digits",
        ),
        (
            texts("Acme", "#FFCC00", ""),
            "White text on #ffcc00 has a contrast of only 1.5:1; buttons need at least 4.5:1. Choose a darker colour.",
        ),
        (
            texts("Acme", "#777777", ""),
            "has a contrast of only 4.4:1",
        ),
        (
            texts("Acme", "", &long_help),
            "The help text can be at most 500 characters (this one has 501).",
        ),
    ] {
        let answer = put(&admin, &body).await;
        let status = answer.status;
        let err = answer.err();
        assert_eq!((status, err.code), (422, ErrorCode::ValidationFailed), "{body}");
        assert!(err.message.contains(words), "{body}: {}", err.message);
    }
    assert_eq!(get(&admin).await.ok().branding, Branding::default());
    assert!(changes_at(&admin, s.now()).await.is_empty());
}

#[tokio::test]
async fn only_billing_administrators_change_it_with_a_recent_second_factor() {
    let s = TestServer::start().await;
    let body = texts("Acme", "#0b5fff", "");
    // A user: not the admin routes.
    let (alice, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    assert_eq!(get(&alice).await.fail(), (403, ErrorCode::Forbidden));
    assert_eq!(put(&alice, &body).await.fail(), (403, ErrorCode::Forbidden));
    // An administrator who is not a billing administrator reads it only.
    let (ops, _) = plain_admin(&s).await;
    assert!(!get(&ops).await.ok().may_change);
    let refused = put(&ops, &body).await;
    assert_eq!(refused.status, 403);
    assert!(refused
        .err()
        .message
        .contains("Only a billing administrator"),);
    assert_eq!(
        put_logo(&ops, PNG).await.fail(),
        (403, ErrorCode::Forbidden)
    );
    assert_eq!(
        send(&ops, reqwest::Method::DELETE, LOGO, None).await.fail(),
        (403, ErrorCode::Forbidden)
    );
    // A billing administrator whose second factor is not recent.
    let (admin, key) = s.admin().await;
    s.advance(s.state.settings.fresh_mfa_secs + STEP_SECS);
    assert_eq!(
        put(&admin, &body).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    assert_eq!(
        put_logo(&admin, PNG).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    assert_eq!(public(&s).await, Branding::default());
    admin.verify(&s.code(&key, 0)).await.ok();
    assert_eq!(
        put(&admin, &body).await.ok().branding.org_name.as_deref(),
        Some("Acme")
    );
}

#[tokio::test]
async fn the_logo_is_checked_served_so_an_svg_cannot_run_script_and_removable() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let web = reqwest::Client::new();

    // Bad files, in words.
    let gif = b"GIF89a\x01\x00\x01\x00".to_vec();
    let mut big = PNG.to_vec();
    big.resize(64 * 1024 + 1, 0);
    for (bytes, words) in [
        (gif, "The logo must be a PNG or SVG image."),
        (
            b"<html><script>alert(1)</script></html>".to_vec(),
            "The logo must be a PNG or SVG image.",
        ),
        (big, "The logo is 65 KB; it can be at most 64 KB."),
    ] {
        let answer = put_logo(&admin, &bytes).await;
        let status = answer.status;
        let err = answer.err();
        assert_eq!((status, err.code), (422, ErrorCode::ValidationFailed));
        assert!(err.message.contains(words), "{}", err.message);
    }
    let not_base64 = send(
        &admin,
        reqwest::Method::PUT,
        LOGO,
        Some(&json!({ "data": "%%%" })),
    )
    .await;
    assert!(not_base64.err().message.contains("base64"));
    assert_eq!(
        web.get(s.url("/branding/logo"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // An SVG with a script: stored, served as an image that cannot run it.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><rect width="10" height="10"/></svg>"#;
    let at = s.now();
    let set = put_logo(&admin, svg).await.ok();
    assert_eq!(set.logo_type.as_deref(), Some("image/svg+xml"));
    let url = set.branding.logo_url.clone().unwrap();
    assert!(url.starts_with("/branding/logo?v="), "{url}");
    assert_eq!(public(&s).await.logo_url, Some(url.clone()));
    assert_eq!(changes_at(&admin, at).await, ["logo: SVG image set"]);
    let r = web.get(s.url(&url)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/svg+xml");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("script-src"), "{csp}");
    assert_eq!(r.bytes().await.unwrap().as_ref(), svg.as_slice());
    // cached by its version
    let etag = h["etag"].to_str().unwrap();
    let again = web
        .get(s.url(&url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // A PNG replaces it under a new address.
    s.advance(1);
    let png = put_logo(&admin, PNG).await.ok();
    assert_eq!(png.logo_type.as_deref(), Some("image/png"));
    assert_ne!(png.branding.logo_url, Some(url));
    let r = web.get(s.url("/branding/logo")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");

    // Removed: gone, and recorded.
    s.advance(1);
    let removed = send(&admin, reqwest::Method::DELETE, LOGO, None).await.ok();
    assert_eq!((removed.logo_type, removed.branding.logo_url), (None, None));
    assert_eq!(changes_at(&admin, s.now()).await, ["logo: removed"]);
    assert_eq!(
        web.get(s.url("/branding/logo"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

fn sha256_b64(s: &str) -> String {
    STANDARD.encode(Sha256::digest(s.as_bytes()))
}

#[tokio::test]
async fn the_page_carries_the_escaped_name_and_its_style_by_hash() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let page = || async {
        let r = reqwest::get(s.url("/login")).await.unwrap();
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        (csp, r.text().await.unwrap())
    };
    // Nothing set: the page as built.
    let (csp, body) = page().await;
    assert_eq!(body, crate::fixtures::SPA_INDEX);
    assert!(csp.contains("style-src 'self';"), "{csp}");

    put(
        &admin,
        &texts(r#"<script>alert("x")</script> Acme"#, "#0b5fff", "Help"),
    )
    .await
    .ok();
    let (csp, body) = page().await;
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Acme"),
        "{body}"
    );
    assert!(
        !body.contains("Help"),
        "the help text is fetched by the footer: {body}"
    );
    let style = body
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .unwrap();
    assert!(style.contains("--org-accent:#0b5fff"), "{style}");
    assert!(
        csp.contains(&format!("style-src 'self' 'sha256-{}'", sha256_b64(style))),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // every inline script, the branding's too, is allowed by its hash
    for script in body.split("<script").skip(1) {
        let inner = script
            .split_once('>')
            .unwrap()
            .1
            .split("</script>")
            .next()
            .unwrap();
        assert!(csp.contains(&sha256_b64(inner)), "{inner}: {csp}");
    }
}

#[tokio::test]
async fn the_public_read_answers_a_method_it_does_not_take_with_405_not_a_csrf_refusal() {
    let s = TestServer::start().await;
    let http = reqwest::Client::new();
    for method in [reqwest::Method::PUT, reqwest::Method::TRACE] {
        let r = http
            .request(method.clone(), s.url("/api/v1/branding"))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 405, "{method}");
    }
    // a state-changing method on a route that takes it still needs the header
    let r = http
        .put(s.url(PATH))
        .json(&texts("Acme", "", ""))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 403);
}
