#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
mod common;

use common::TestServer;

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("missing {name}"))
}

fn assert_common(r: &reqwest::Response) {
    assert_eq!(header(r, "x-content-type-options"), "nosniff");
    assert_eq!(header(r, "referrer-policy"), "no-referrer");
    let csp = header(r, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn api_answers_carry_security_headers_and_no_store() {
    let s = TestServer::start().await;
    for path in ["/api/v1/me", "/api/v1/nope", "/api/openapi.json"] {
        let r = s.client().get(s.url(path)).send().await.unwrap();
        assert_common(&r);
        assert_eq!(header(&r, "cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn spa_page_allows_its_inline_loader_by_hash_and_wasm() {
    let s = TestServer::start().await;
    for path in ["/", "/login", "/some/deep/link"] {
        let r = s.client().get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_common(&r);
        let csp = header(&r, "content-security-policy").to_string();
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert_eq!(header(&r, "cache-control"), "no-cache");
        let body = r.text().await.unwrap();
        // the hash is of exactly the inline script in the page
        let script = body
            .split("<script type=\"module\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        use base64::Engine;
        use sha2::Digest;
        let want = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest(script.as_bytes()));
        assert!(csp.contains(&want), "{csp} lacks {want}");
    }
}

#[tokio::test]
async fn static_files_are_compressed_and_cached_for_good() {
    let s = TestServer::start().await;
    let r = s
        .client()
        .get(s.url("/app-0123456789abcdef.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_common(&r);
    assert_eq!(header(&r, "content-encoding"), "br");
    assert_eq!(
        header(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn precompressed_copies_are_served_as_they_are() {
    let s = TestServer::start().await;
    let r = s
        .client()
        .get(s.url("/app-0123456789abcdef.css"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-encoding"), "br");
    assert_eq!(header(&r, "content-type"), "text/css");
    assert_eq!(r.bytes().await.unwrap().as_ref(), common::PRECOMPRESSED_BR);
    // a client without brotli gets the plain file
    let r = s
        .client()
        .get(s.url("/app-0123456789abcdef.css"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.text().await.unwrap(), "body{}".repeat(100));
}
