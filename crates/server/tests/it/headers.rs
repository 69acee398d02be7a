//! Response headers (security headers everywhere, caching, HSTS over TLS)
//! and serving the SPA's files: compression, and nothing outside its
//! directory.

use base64::Engine;
use portcullis_server::config::Settings;
use reqwest::header::HeaderMap;
use sha2::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fixtures::{self, TestServer, PRECOMPRESSED_BR};

const JS: &str = "/app-0123456789abcdef.js";
const CSS: &str = "/app-0123456789abcdef.css";

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("missing {name}"))
}

fn assert_common(h: &HeaderMap) {
    assert_eq!(header(h, "x-content-type-options"), "nosniff");
    assert_eq!(header(h, "referrer-policy"), "no-referrer");
    assert_eq!(header(h, "x-frame-options"), "DENY");
    let csp = header(h, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

/// A GET with a plain client (no cookies, no CSRF header needed for GET).
async fn get(s: &TestServer, path: &str, accept_encoding: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(s.url(path))
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .unwrap()
}

/// Sends `GET <target>` over a bare TCP connection, the request target
/// exactly as written (an HTTP client library would normalise `..` and
/// `%2e%2e` away before sending). Returns the status and the whole raw
/// answer, headers and body.
async fn raw_get(s: &TestServer, target: &str) -> (u16, String) {
    let addr = s.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer to {target}: {text}"));
    (status, text)
}

#[tokio::test]
async fn api_answers_carry_security_headers_and_no_store() {
    let s = TestServer::start().await;
    for path in ["/api/v1/me", "/api/v1/nope", "/api/openapi.json"] {
        let r = get(&s, path, "identity").await;
        assert_common(r.headers());
        assert_eq!(header(r.headers(), "cache-control"), "no-store", "{path}");
    }
    // state-changing answers too, also refusals made before any handler
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_common(r.headers());
    assert_eq!(header(r.headers(), "cache-control"), "no-store");
}

#[tokio::test]
async fn spa_page_allows_its_inline_loader_by_hash_and_wasm() {
    let s = TestServer::start().await;
    for path in ["/", "/login", "/some/deep/link"] {
        let r = get(&s, path, "identity").await;
        assert_eq!(r.status(), 200, "{path}");
        assert_common(r.headers());
        let csp = header(r.headers(), "content-security-policy").to_string();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert_eq!(header(r.headers(), "cache-control"), "no-cache");
        let body = r.text().await.unwrap();
        assert_eq!(body, fixtures::SPA_INDEX);
        // the hash is of exactly the inline script in the page
        let script = body
            .split("<script type=\"module\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        let want = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest(script.as_bytes()));
        assert!(
            csp.contains(&format!("'sha256-{want}'")),
            "{csp} lacks {want}"
        );
    }
}

#[tokio::test]
async fn static_files_are_compressed_and_cached_for_good() {
    let s = TestServer::start().await;
    let r = get(&s, JS, "br").await;
    assert_eq!(r.status(), 200);
    assert_common(r.headers());
    assert_eq!(header(r.headers(), "content-encoding"), "br");
    assert_eq!(
        header(r.headers(), "cache-control"),
        "public, max-age=31536000, immutable"
    );
    // compressed for real: smaller than the file
    let plain = "export default 1;".repeat(100);
    let body = r.bytes().await.unwrap();
    assert!(body.len() < plain.len() / 2, "{} bytes", body.len());
}

#[tokio::test]
async fn precompressed_copies_are_served_as_they_are() {
    let s = TestServer::start().await;
    let r = get(&s, CSS, "br").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(r.headers(), "content-encoding"), "br");
    assert_eq!(header(r.headers(), "content-type"), "text/css");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PRECOMPRESSED_BR);
    // a client without brotli gets the plain file
    let r = get(&s, CSS, "identity").await;
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.text().await.unwrap(), "body{}".repeat(100));
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_origin_is_https() {
    let s = TestServer::start_with(Settings {
        public_origin: "https://portal.example".into(),
        ..Settings::default()
    })
    .await;
    for path in ["/", JS, "/api/v1/me", "/api/v1/nope"] {
        let r = get(&s, path, "identity").await;
        let hsts = header(r.headers(), "strict-transport-security");
        assert!(hsts.starts_with("max-age="), "{path}: {hsts}");
        let age: u64 = hsts
            .trim_start_matches("max-age=")
            .split(';')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // at least a year, as preload lists ask
        assert!(age >= 31_536_000, "{path}: {hsts}");
    }
}

#[tokio::test]
async fn no_hsts_over_plain_http() {
    // HSTS over plain HTTP would be ignored at best, and would break a
    // local http setup if a browser ever kept it.
    let s = TestServer::start().await;
    assert!(!s.state.settings.is_https());
    for path in ["/", JS, "/api/v1/me"] {
        let r = get(&s, path, "identity").await;
        assert!(
            r.headers().get("strict-transport-security").is_none(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn path_traversal_does_not_reach_files_outside_the_spa_directory() {
    let s = TestServer::start().await;
    // the file the attempts aim at exists, next to the SPA directory
    let outside = fixtures::spa_dir(&s).join("../outside-secret.txt");
    assert_eq!(std::fs::read_to_string(outside).unwrap(), "do not serve");
    // the raw client does reach files inside it
    let (status, text) = raw_get(&s, JS).await;
    assert_eq!(status, 200);
    assert!(text.contains("export default 1;"), "{text}");

    for target in [
        "/../outside-secret.txt",
        "/%2e%2e/outside-secret.txt",
        "/%2E%2E/outside-secret.txt",
        "/..%2foutside-secret.txt",
        "/..%2Foutside-secret.txt",
        "/%2e%2e%2foutside-secret.txt",
        "/..%5coutside-secret.txt",
        "/./../outside-secret.txt",
        "/app-0123456789abcdef.js/../../outside-secret.txt",
        "/assets/../../outside-secret.txt",
        "//../outside-secret.txt",
    ] {
        let (status, text) = raw_get(&s, target).await;
        assert!(!text.contains("do not serve"), "{target}: {status}\n{text}");
        assert!(status < 500, "{target}: {status}\n{text}");
    }
}
