//! Forward-auth, as a reverse proxy drives it: the proxy asks
//! `/api/authz/forward-auth` about each request with the browser's cookie
//! and the address (nginx's `X-Original-URL`, or Caddy's and Traefik's
//! `X-Forwarded-*`); the site rule for the host decides. A browser
//! without a good enough session goes to `/api/authz/start`, then through
//! the portal's sign-in page for the site, and back. Real nginx and Caddy
//! run the same in `e2e/forward-auth.spec.ts`.

use std::net::{IpAddr, Ipv4Addr};

use portcullis_api::apps::Id;
use portcullis_api::{
    ErrorBody, Group, GroupName, LoginRequest, LoginResponse, MyApp, Site, SiteInput, SiteRule,
    SsoStep,
};
use portcullis_server::config::Settings;

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, PASSWORD};

const WIKI: &str = "https://wiki.example.com/page?x=1";

fn site(domain: &str, rule: SiteRule) -> SiteInput {
    SiteInput {
        domain: domain.into(),
        rule,
        everyone: true,
        groups: vec![],
        users: vec![],
    }
}

/// A server that trusts the test (on 127.0.0.1) as its proxy.
async fn behind_proxy() -> TestServer {
    TestServer::start_with(Settings {
        trusted_proxies: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
        ..Settings::default()
    })
    .await
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The proxy's question about `url` for the browser `api` (its cookies go
/// along, as a proxy passes the browser's on), nginx style.
async fn ask(api: &Api, url: &str) -> reqwest::Response {
    api.http
        .get(api.url("/api/authz/forward-auth"))
        .header("x-original-url", url)
        .send()
        .await
        .expect("forward-auth")
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// The sign-in request `/api/authz/start` makes for `rd`.
async fn start(s: &TestServer, rd: &str) -> (u16, String) {
    let rd: String = url::form_urlencoded::byte_serialize(rd.as_bytes()).collect();
    let r = no_redirects()
        .get(s.url(&format!("/api/authz/start?rd={rd}")))
        .send()
        .await
        .expect("start");
    let status = r.status().as_u16();
    let to = header(&r, "location");
    (status, to.strip_prefix("/sso/").unwrap_or(&to).to_string())
}

async fn step(api: &Api, id: &str) -> SsoStep {
    api.post_empty(&format!("/api/v1/sso/{id}")).await.ok()
}

#[tokio::test]
async fn the_rule_for_the_host_decides_and_a_browser_is_sent_to_sign_in_and_back() {
    let s = behind_proxy().await;
    let (admin, _) = s.admin().await;
    let staff: Group = admin
        .post(
            "/api/v1/admin/groups",
            &GroupName {
                name: "Staff".into(),
            },
        )
        .await
        .ok();
    let added: Answer<Site> = admin
        .post(
            "/api/v1/admin/sites",
            &site(" Wiki.Example.com ", SiteRule::SecondFactor),
        )
        .await;
    assert_eq!(added.status, 201);
    assert_eq!(added.ok().domain, "wiki.example.com");
    let closed: Site = admin
        .post(
            "/api/v1/admin/sites",
            &site("*.closed.example.com", SiteRule::Deny),
        )
        .await
        .ok();
    assert_eq!(closed.rule, SiteRule::Deny);

    // Signed out: nginx gets 401 with where to send the browser; Caddy a
    // redirect for a page and 401 for a script's POST.
    let browser = s.api();
    let asked = ask(&browser, WIKI).await;
    assert_eq!(asked.status(), 401);
    let start_url = format!(
        "{}/api/authz/start?rd=https%3A%2F%2Fwiki.example.com%2Fpage%3Fx%3D1",
        s.base
    );
    assert_eq!(header(&asked, "location"), start_url);
    let caddy = |method: &'static str| {
        browser
            .http
            .get(browser.url("/api/authz/forward-auth"))
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "wiki.example.com")
            .header("x-forwarded-uri", "/page?x=1")
            .header("x-forwarded-method", method)
            .send()
    };
    let page = no_redirects()
        .get(browser.url("/api/authz/forward-auth"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "wiki.example.com")
        .header("x-forwarded-uri", "/page?x=1")
        .send()
        .await
        .expect("caddy");
    assert_eq!(page.status(), 302);
    assert_eq!(header(&page, "location"), start_url);
    assert_eq!(caddy("POST").await.expect("caddy").status(), 401);

    // No rule, or a deny rule: 403 in words, whoever asks.
    let nobody = ask(&browser, "https://other.example.com/").await;
    assert_eq!(nobody.status(), 403);
    assert!(nobody.text().await.unwrap_or_default().contains("No rule"));
    assert_eq!(
        ask(&browser, "https://a.closed.example.com/")
            .await
            .status(),
        403
    );

    // The return address must be one a rule opens: never an open redirect.
    for rd in [
        "https://evil.example/",
        "https://a.closed.example.com/",
        "javascript:alert(1)",
        "/relative",
    ] {
        let (status, _) = start(&s, rd).await;
        assert_eq!(status, 400, "{rd}");
    }
    let missing = no_redirects()
        .get(s.url("/api/authz/start"))
        .send()
        .await
        .expect("start");
    assert_eq!(missing.status(), 400);

    // The browser signs in for the site: password, then the second factor
    // (required, so enrolled at once), then back to the address.
    let (user, key) = s.enrolled("ivan@example.com").await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let put = admin
        .http
        .put(admin.url(&format!("/api/v1/admin/groups/{}/members/{ivan}", staff.id)))
        .send()
        .await
        .expect("member");
    assert_eq!(put.status(), 200);
    user.logout().await.ok();
    let (status, id) = start(&s, WIKI).await;
    assert_eq!(status, 303);
    assert!(matches!(step(&user, &id).await, SsoStep::Login { .. }));
    let first: LoginResponse = user
        .post(
            "/api/v1/login",
            &LoginRequest {
                email: "ivan@example.com".into(),
                password: PASSWORD.into(),
                sso: Some(id.clone()),
            },
        )
        .await
        .ok();
    assert!(matches!(first, LoginResponse::Mfa { .. }), "{first:?}");
    user.login_totp(&s.code(&key, 0)).await.ok();
    s.next_step();
    assert_eq!(
        step(&user, &id).await,
        SsoStep::Redirect { url: WIKI.into() }
    );

    let allowed = ask(&user, WIKI).await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(header(&allowed, "remote-user"), "ivan@example.com");
    assert_eq!(header(&allowed, "remote-email"), "ivan@example.com");
    assert!(!header(&allowed, "remote-name").is_empty());
    assert_eq!(header(&allowed, "remote-groups"), "Staff");
    // The same session, through Caddy's headers.
    let through_caddy = user
        .http
        .get(user.url("/api/authz/forward-auth"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "wiki.example.com")
        .header("x-forwarded-uri", "/other")
        .send()
        .await
        .expect("caddy");
    assert_eq!(through_caddy.status(), 200);
    // A deny rule holds for a signed-in user too.
    assert_eq!(
        ask(&user, "https://x.closed.example.com/").await.status(),
        403
    );
    // The site is a tile on the user's home page; the closed one is not.
    let tiles: Vec<MyApp> = user.get("/api/v1/apps").await.ok();
    let names: Vec<&str> = tiles.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["wiki.example.com"]);
    assert_eq!(tiles[0].launch_url, "https://wiki.example.com/");
    // Signed out, the proxy sends the browser to sign in again.
    user.logout().await.ok();
    assert_eq!(ask(&user, WIKI).await.status(), 401);
}

#[tokio::test]
async fn a_site_for_some_people_refuses_others_and_a_password_only_session_is_stepped_up() {
    let s = behind_proxy().await;
    let (admin, _) = s.admin().await;
    let (user, key) = s.enrolled("ivan@example.com").await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let mut payroll = site("payroll.example.com", SiteRule::SecondFactor);
    payroll.everyone = false;
    payroll.users = vec![Id(ivan.clone()), Id(ivan)];
    let added: Answer<Site> = admin.post("/api/v1/admin/sites", &payroll).await;
    assert_eq!(added.status, 201, "a person listed twice is assigned once");
    let mut open = site("intranet.example.com:8443", SiteRule::PasswordOnly);
    open.everyone = true;
    admin.post::<Site>("/api/v1/admin/sites", &open).await.ok();

    // Trusted browsers: ivan's next login passes the password alone.
    let body = serde_json::json!({ "trusted_browser_days": 30 });
    let set = admin
        .http
        .patch(admin.url("/api/v1/admin/settings"))
        .json(&body)
        .send()
        .await
        .expect("settings");
    assert_eq!(set.status().as_u16(), 200);
    user.logout().await.ok();
    user.login("ivan@example.com", PASSWORD).await.ok();
    let trusted = user
        .post::<LoginResponse>(
            "/api/v1/login/totp",
            &portcullis_api::LoginCodeRequest {
                code: s.code(&key, 0),
                trust_browser: true,
            },
        )
        .await;
    assert_eq!(trusted.status, 200);
    s.next_step();
    user.logout().await.ok();
    let spared = user.login("ivan@example.com", PASSWORD).await.ok();
    assert!(matches!(spared, LoginResponse::Done { .. }), "{spared:?}");

    // Password only is enough for the intranet (on its port only) ...
    assert_eq!(
        ask(&user, "https://intranet.example.com:8443/")
            .await
            .status(),
        200
    );
    assert_eq!(
        ask(&user, "https://intranet.example.com/").await.status(),
        403
    );
    // ... not for payroll: the browser is sent to step up, which asks only
    // for the missing factor, then back.
    let url = "https://payroll.example.com/slips";
    assert_eq!(ask(&user, url).await.status(), 401);
    let (_, id) = start(&s, url).await;
    match step(&user, &id).await {
        SsoStep::StepUp { app, factors } => {
            assert_eq!(app, "payroll.example.com");
            assert_eq!(factors, vec![portcullis_api::FactorKind::Totp]);
        }
        other => panic!("{other:?}"),
    }
    user.verify(&s.code(&key, 0)).await.ok();
    assert_eq!(
        step(&user, &id).await,
        SsoStep::Redirect { url: url.into() }
    );
    assert_eq!(ask(&user, url).await.status(), 200);

    // Someone else is not let in, in words.
    let (other, _) = s.enrolled("alice@example.com").await;
    let refused = ask(&other, url).await;
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap_or_default()
        .contains("ask your administrator"));
}

#[tokio::test]
async fn only_a_trusted_proxy_may_ask_and_bad_questions_get_words() {
    // Not started with --trusted-proxy: nobody may ask.
    let plain = TestServer::start().await;
    let r = ask(&plain.api(), WIKI).await;
    assert_eq!(r.status(), 403);
    assert!(r
        .text()
        .await
        .unwrap_or_default()
        .contains("--trusted-proxy"));

    let s = behind_proxy().await;
    let api = s.api();
    let none = api
        .http
        .get(api.url("/api/authz/forward-auth"))
        .send()
        .await
        .expect("ask");
    assert_eq!(none.status(), 400);
    assert!(none
        .text()
        .await
        .unwrap_or_default()
        .contains("X-Original-URL"));
    for bad in ["not a url", "ftp://wiki.example.com/", "https://[::1]/"] {
        assert_eq!(ask(&api, bad).await.status(), 400, "{bad}");
    }
    let relative = api
        .http
        .get(api.url("/api/authz/forward-auth"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "wiki.example.com")
        .header("x-forwarded-uri", "page")
        .send()
        .await
        .expect("ask");
    assert_eq!(relative.status(), 400);

    // The admin API refuses what no rule can be, in words.
    let (admin, _) = s.admin().await;
    for bad in [
        "https://wiki.example.com",
        "wiki.example.com/x",
        "*.*.example.com",
        "",
    ] {
        let r: Answer<Site> = admin
            .post("/api/v1/admin/sites", &site(bad, SiteRule::Deny))
            .await;
        assert_eq!(r.status, 422, "{bad}");
        let ErrorBody { message, .. } = r.body.expect_err("refused");
        assert!(!message.is_empty());
    }
    admin
        .post::<Site>(
            "/api/v1/admin/sites",
            &site("wiki.example.com", SiteRule::Deny),
        )
        .await
        .ok();
    let twice: Answer<Site> = admin
        .post(
            "/api/v1/admin/sites",
            &site("WIKI.example.com", SiteRule::Deny),
        )
        .await;
    assert_eq!(twice.status, 409);
    // Sites and apps are kept apart: a site is not an app to the apps API.
    let listed: Vec<Site> = admin.get("/api/v1/admin/sites").await.ok();
    assert_eq!(listed.len(), 1);
    let as_app = admin
        .get::<portcullis_api::App>(&format!("/api/v1/admin/apps/{}", listed[0].id))
        .await;
    assert_eq!(as_app.status, 404);
    let apps: Vec<portcullis_api::App> = admin.get("/api/v1/admin/apps").await.ok();
    assert!(apps.is_empty());
    let gone = admin
        .http
        .delete(admin.url(&format!("/api/v1/admin/sites/{}", listed[0].id)))
        .send()
        .await
        .expect("delete");
    assert_eq!(gone.status(), 204);
    let after: Vec<Site> = admin.get("/api/v1/admin/sites").await.ok();
    assert!(after.is_empty());
}
