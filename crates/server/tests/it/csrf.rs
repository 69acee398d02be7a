//! CSRF defence: state-changing requests need the custom header and, when
//! the browser names an origin, the configured public origin — which is
//! never compared with the `Host` header the sender chooses.

use portcullis_api::{ErrorCode, LoginRequest, LoginResponse, Me};
use portcullis_server::config::Settings;

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, PASSWORD};

const ALICE: &str = "alice@example.com";

fn alice() -> LoginRequest {
    LoginRequest {
        email: ALICE.into(),
        password: PASSWORD.into(),
        sso: None,
    }
}

/// A login from a browser-like client (with the CSRF header) plus `headers`.
async fn login_with(s: &TestServer, headers: &[(&str, &str)]) -> Answer<LoginResponse> {
    let api = s.api();
    let mut req = api.http.post(api.url("/api/v1/login")).json(&alice());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    Api::read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn state_change_without_the_csrf_header_is_refused() {
    let s = TestServer::start().await;
    let resp = reqwest::Client::new()
        .post(s.url("/api/v1/login"))
        .json(&alice())
        .send()
        .await
        .unwrap();
    let answer = Api::read::<LoginResponse>(resp).await;
    assert!(answer.headers.get("set-cookie").is_none());
    assert_eq!(answer.fail(), (403, ErrorCode::CsrfRejected));
}

#[tokio::test]
async fn cross_site_requests_are_refused_even_with_the_header() {
    let s = TestServer::start().await;
    for (k, v) in [
        ("origin", "http://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let answer = login_with(&s, &[(k, v)]).await;
        assert!(answer.session_cookie().is_none(), "{k}: {v}");
        assert_eq!(answer.fail(), (403, ErrorCode::CsrfRejected), "{k}: {v}");
    }
}

#[tokio::test]
async fn an_origin_that_matches_a_forged_host_is_still_refused() {
    // Whoever sends the request chooses Host; if the server compared Origin
    // with it, any site could pass by naming itself in both.
    let s = TestServer::start().await;
    let answer = login_with(&s, &[("host", "evil.test"), ("origin", "http://evil.test")]).await;
    assert!(answer.session_cookie().is_none());
    assert_eq!(answer.fail(), (403, ErrorCode::CsrfRejected));
    // The same forged Host with our own origin passes: Host plays no part.
    let answer = login_with(&s, &[("host", "evil.test"), ("origin", &s.base)]).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn same_origin_browser_request_passes() {
    let s = TestServer::start().await;
    // the fixture makes the server's own address its public origin
    assert_eq!(s.state.settings.public_origin, s.base);
    let answer = login_with(
        &s,
        &[("origin", &s.base), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert!(answer.session_cookie().is_some());
    assert!(matches!(answer.ok(), LoginResponse::Done { .. }));
}

#[tokio::test]
async fn only_the_configured_public_origin_passes_not_the_address_served_from() {
    // Behind a TLS proxy the server listens on one address and is reached
    // at another: the configured origin is the one that counts.
    let s = TestServer::start_with(Settings {
        public_origin: "https://portal.example".into(),
        ..Settings::default()
    })
    .await;
    let answer = login_with(&s, &[("origin", "https://portal.example")]).await;
    assert_eq!(answer.status, 200);
    // the origin of the URL the request was sent to (which its Host names)
    let answer = login_with(&s, &[("origin", &s.base)]).await;
    assert_eq!(answer.fail(), (403, ErrorCode::CsrfRejected));
    // and another scheme of the public host
    let answer = login_with(&s, &[("origin", "http://portal.example")]).await;
    assert_eq!(answer.fail(), (403, ErrorCode::CsrfRejected));
}

#[tokio::test]
async fn logout_without_the_header_does_not_end_the_session() {
    let s = TestServer::start().await;
    let api = s.api();
    let cookie = api.login(ALICE, PASSWORD).await.session_cookie();
    let pair = cookie
        .expect("cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    // Only the cookie, as a cross-site form post would have it.
    let resp = reqwest::Client::new()
        .post(s.url("/api/v1/logout"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    let answer = Api::read::<()>(resp).await;
    assert!(answer.headers.get("set-cookie").is_none());
    assert_eq!(answer.fail(), (403, ErrorCode::CsrfRejected));
    let resp = reqwest::Client::new()
        .get(s.url("/api/v1/me"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    let me: Answer<Me> = Api::read(resp).await;
    assert_eq!(me.ok().email, ALICE);
    // the session still works in the browser that holds it
    assert_eq!(api.me().await.status, 200);
}
