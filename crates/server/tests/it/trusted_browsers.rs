//! Trusted browsers ("Don't ask again on this browser for N days"): off
//! until an administrator sets the days; a browser trusted at the second
//! step gets a cookie of its own, and the password alone then signs its
//! user in there — into a session without a second factor. The token is
//! refused after a revocation (one or all), after its days, for another
//! user, after a factor reset or Reset MFA, and once the setting is off;
//! administrators are never offered it; the database holds only a hash.

use portcullis_api::{
    ErrorCode, LoginCodeRequest, LoginResponse, MfaSettings, TrustedBrowser, CSRF_HEADER,
    CSRF_VALUE,
};
use portcullis_server::audit;
use portcullis_server::rules::requirement::DAY;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, BILLING_ADMIN, PASSWORD};

const ALICE: &str = "alice@example.com";
const CAROL: &str = "carol@example.com";
const LIST: &str = "/api/v1/trusted-browsers";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// Sets the days browsers may be trusted (`None`: off) as an administrator.
async fn allow(s: &TestServer, days: Option<u32>) -> Answer<MfaSettings> {
    let (admin, _) = s.admin().await;
    patch_settings(&admin, &json!({ "trusted_browser_days": days })).await
}

async fn patch_settings(admin: &Api, body: &Value) -> Answer<MfaSettings> {
    let resp = admin
        .http
        .patch(admin.url("/api/v1/admin/settings"))
        .json(body)
        .send()
        .await
        .expect("request");
    Api::read(resp).await
}

/// A browser-like client that says it is Firefox on Linux.
fn firefox(s: &TestServer) -> Api {
    let mut h = HeaderMap::new();
    h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
    Api {
        base: s.base.clone(),
        http: reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(h)
            .user_agent(FIREFOX)
            .build()
            .expect("client"),
    }
}

/// The second step with a code, asking to trust the browser.
async fn code_trusting(s: &TestServer, api: &Api, key: &str) -> Answer<LoginResponse> {
    let req = LoginCodeRequest {
        code: s.code(key, 0),
        trust_browser: true,
    };
    let answer = api.post("/api/v1/login/totp", &req).await;
    s.next_step();
    answer
}

/// Logs `email` in on `api` (password, then a code) and trusts the browser.
async fn trust(s: &TestServer, api: &Api, email: &str, key: &str) -> Answer<LoginResponse> {
    let first = api.login(email, PASSWORD).await.ok();
    assert!(matches!(first, LoginResponse::Mfa { .. }), "{first:?}");
    let done = code_trusting(s, api, key).await;
    assert_eq!(done.status, 200, "{done:?}");
    done
}

/// The trust cookie an answer set (`Set-Cookie`), if any.
fn trust_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portcullis_trust="))
        .map(str::to_string)
}

/// Logs out and in again with the password on the same browser (its trust
/// cookie, if any, goes along).
async fn again(api: &Api, email: &str) -> Answer<LoginResponse> {
    api.logout().await;
    api.login(email, PASSWORD).await
}

fn is_done(a: &LoginResponse) -> bool {
    matches!(a, LoginResponse::Done { .. })
}

fn is_mfa(a: &LoginResponse) -> bool {
    matches!(a, LoginResponse::Mfa { .. })
}

async fn user_id(s: &TestServer, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

async fn trusted_rows(s: &TestServer, email: &str) -> i64 {
    let id = user_id(s, email).await;
    sqlx::query_scalar("SELECT COUNT(*) FROM trusted_browsers WHERE user_id = $1")
        .bind(&id)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

async fn event_details(s: &TestServer, email: &str, kind: &str) -> Vec<String> {
    let id = user_id(s, email).await;
    audit::about(&s.state.db, &id, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.detail)
        .collect()
}

#[tokio::test]
async fn off_by_default_so_asking_trusts_nothing() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let settings: MfaSettings = admin.get("/api/v1/admin/settings").await.ok();
    assert_eq!(settings.trusted_browser_days, None);

    let (api, key) = s.enrolled(ALICE).await;
    s.next_step();
    let first = again(&api, ALICE).await.ok();
    assert!(is_mfa(&first), "{first:?}");
    assert_eq!(api.mfa().await.ok().trust_days, None);
    let done = code_trusting(&s, &api, &key).await;
    assert!(is_done(&done.body.as_ref().unwrap().clone()));
    assert_eq!(trust_cookie(&done.headers), None);
    assert_eq!(trusted_rows(&s, ALICE).await, 0);
    // the next login asks again
    assert!(is_mfa(&again(&api, ALICE).await.ok()));
}

#[tokio::test]
async fn the_days_are_validated_and_recorded_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    for bad in [json!(0), json!(91), json!(1.5), json!("7")] {
        let (status, code) = patch_settings(&admin, &json!({ "trusted_browser_days": bad }))
            .await
            .fail();
        assert_eq!((status, code), (422, ErrorCode::ValidationFailed), "{bad}");
    }
    let e = patch_settings(&admin, &json!({ "trusted_browser_days": 91 }))
        .await
        .err();
    assert!(e.message.contains("1 to 90 days"), "{}", e.message);

    let on = allow(&s, Some(30)).await.ok();
    assert_eq!(on.trusted_browser_days, Some(30));
    // absent: unchanged; null: off
    let same = patch_settings(&admin, &json!({ "require_new_users": false }))
        .await
        .ok();
    assert_eq!(same.trusted_browser_days, Some(30));
    let off = allow(&s, None).await.ok();
    assert_eq!(off.trusted_browser_days, None);

    let admin_id = user_id(&s, BILLING_ADMIN).await;
    let changes: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE kind = 'admin_setting_changed' AND actor_id = $1 ORDER BY at",
    )
    .bind(&admin_id)
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    assert_eq!(
        changes,
        [
            "trusted browsers: off → 30 days",
            "trusted browsers: 30 days → off"
        ]
    );
}

#[tokio::test]
async fn a_trusted_browser_is_spared_the_code_but_never_the_password() {
    let s = TestServer::start().await;
    allow(&s, Some(30)).await.ok();
    let (api, key) = s.enrolled(ALICE).await;
    api.logout().await;
    let first = api.login(ALICE, PASSWORD).await.ok();
    assert!(is_mfa(&first), "{first:?}");
    // the prompt offers it, for the organisation's days
    assert_eq!(api.mfa().await.ok().trust_days, Some(30));
    let done = code_trusting(&s, &api, &key).await;
    let cookie = trust_cookie(&done.headers).expect("a trust cookie");
    assert!(is_done(&done.ok()));
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=2592000"] {
        assert!(cookie.contains(flag), "{flag}: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let token = cookie
        .strip_prefix("portcullis_trust=")
        .and_then(|r| r.split(';').next())
        .unwrap()
        .to_string();
    assert_eq!(token.len(), 43, "256 bits in base64url");

    // The database holds no token in clear.
    let stored: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT id, token_hash, browser, ip FROM trusted_browsers")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(stored.len(), 1);
    for column in [&stored[0].0, &stored[0].1, &stored[0].2, &stored[0].3] {
        assert!(!column.contains(&token), "the token in clear");
    }

    // A wrong password still fails, trusted browser or not.
    api.logout().await;
    let wrong = api.login(ALICE, "not the password at all").await.fail();
    assert_eq!(wrong, (401, ErrorCode::InvalidCredentials));
    // The right one signs in without a code.
    s.advance(60);
    let answer = api.login(ALICE, PASSWORD).await;
    assert_eq!(trust_cookie(&answer.headers), None, "the cookie stays");
    assert!(is_done(&answer.ok()));
    assert_eq!(api.me().await.ok().email, ALICE);
    let logins = event_details(&s, ALICE, "login_succeeded").await;
    assert_eq!(logins[0], "password + trusted browser");

    // The session holds no second factor: what needs a recent one asks.
    let (methods, second): (String, Option<i64>) = sqlx::query_as(
        "SELECT methods, second_factor_at FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(user_id(&s, ALICE).await)
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert_eq!((methods.as_str(), second), ("pwd trust", None));
    let refused = api
        .post_empty::<Value>("/api/v1/recovery-codes")
        .await
        .fail();
    assert_eq!(refused, (403, ErrorCode::ReauthenticationRequired));

    // Recorded, last use noted, and an email says when, which browser, where.
    let trusted = event_details(&s, ALICE, "browser_trusted").await;
    assert_eq!(trusted, ["Unknown browser trusted for 30 days"]);
    let list: Vec<TrustedBrowser> = api.get(LIST).await.ok();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].last_used_at, Some(s.now()));
    assert_eq!(list[0].expires_at, list[0].created_at + 30 * DAY);
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE user_id = $1 AND kind = 'browser_trusted'",
    )
    .bind(user_id(&s, ALICE).await)
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    assert_eq!(bodies.len(), 1);
    for words in [
        "When: ",
        "Browser: Unknown browser",
        "IP address: 127.0.0.1",
        "Trusted until: ",
        "If this was not you",
    ] {
        assert!(bodies[0].contains(words), "{words}: {}", bodies[0]);
    }
    assert!(!bodies[0].contains(&token));
}

#[tokio::test]
async fn the_list_names_each_browser_and_revoking_one_or_all_ends_their_trust() {
    let s = TestServer::start().await;
    allow(&s, Some(30)).await.ok();
    let (setup, key) = s.enrolled(ALICE).await;
    setup.logout().await;
    s.next_step();

    let one = firefox(&s);
    trust(&s, &one, ALICE, &key).await;
    s.advance(10);
    let two = s.api();
    trust(&s, &two, ALICE, &key).await;

    let list: Vec<TrustedBrowser> = two.get(LIST).await.ok();
    assert_eq!(list.len(), 2);
    // newest first, this browser marked
    assert_eq!(list[0].browser, "Unknown browser");
    assert!(list[0].current && !list[1].current);
    assert_eq!(list[1].browser, "Firefox on Linux");
    assert_eq!(list[1].ip, "127.0.0.1");
    assert_eq!(list[1].last_used_at, None);
    let from_one: Vec<TrustedBrowser> = one.get(LIST).await.ok();
    assert!(from_one[1].current && !from_one[0].current);

    // Another user's id, or an unknown one: 404.
    let (carol, _) = s.enrolled(CAROL).await;
    let (status, code) = Api::read::<Value>(
        carol
            .http
            .delete(carol.url(&format!("{LIST}/{}", list[1].id)))
            .send()
            .await
            .unwrap(),
    )
    .await
    .fail();
    assert_eq!((status, code), (404, ErrorCode::NotFound));
    let unknown = Api::read::<Value>(
        two.http
            .delete(two.url(&format!("{LIST}/no-such-browser")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(unknown.fail(), (404, ErrorCode::NotFound));

    // Revoke Firefox from the other browser: Firefox is asked again, and
    // told to drop its cookie.
    let resp = two
        .http
        .delete(two.url(&format!("{LIST}/{}", list[1].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(trust_cookie(resp.headers()), None, "not this browser's");
    let answer = again(&one, ALICE).await;
    let cleared = trust_cookie(&answer.headers).expect("cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(is_mfa(&answer.ok()));
    let still: Vec<TrustedBrowser> = two.get(LIST).await.ok();
    assert_eq!(still.len(), 1);

    // Revoke all: this browser's cookie is cleared, and it is asked again.
    let resp = two.http.delete(two.url(LIST)).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    let cleared = trust_cookie(resp.headers()).expect("cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(trusted_rows(&s, ALICE).await, 0);
    assert!(is_mfa(&again(&two, ALICE).await.ok()));
    let revoked = event_details(&s, ALICE, "browser_trust_revoked").await;
    assert_eq!(
        revoked,
        [
            "revoked all trusted browsers (1)",
            "revoked the trust of Firefox on Linux (127.0.0.1)",
        ]
    );
}

#[tokio::test]
async fn trust_runs_out_after_its_days() {
    let s = TestServer::start().await;
    allow(&s, Some(2)).await.ok();
    let (api, key) = s.enrolled(ALICE).await;
    api.logout().await;
    s.next_step();
    trust(&s, &api, ALICE, &key).await;
    s.advance(2 * DAY - 60);
    assert!(is_done(&again(&api, ALICE).await.ok()), "within the days");
    s.advance(60);
    let answer = again(&api, ALICE).await;
    let cleared = trust_cookie(&answer.headers).expect("cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(is_mfa(&answer.ok()));
    assert_eq!(trusted_rows(&s, ALICE).await, 0);
}

#[tokio::test]
async fn one_users_trust_does_not_spare_another() {
    let s = TestServer::start().await;
    allow(&s, Some(30)).await.ok();
    let (carol, _) = s.enrolled(CAROL).await;
    carol.logout().await;
    let (api, key) = s.enrolled(ALICE).await;
    api.logout().await;
    s.next_step();
    trust(&s, &api, ALICE, &key).await;
    // Carol signs in on Alice's trusted browser: asked, and Alice's
    // cookie is left alone.
    let answer = again(&api, CAROL).await;
    assert_eq!(trust_cookie(&answer.headers), None);
    assert!(is_mfa(&answer.ok()));
    assert!(is_done(&again(&api, ALICE).await.ok()));
}

#[tokio::test]
async fn resetting_ones_own_app_forgets_every_trusted_browser() {
    let s = TestServer::start().await;
    allow(&s, Some(30)).await.ok();
    let (api, key) = s.enrolled(ALICE).await;
    api.logout().await;
    s.next_step();
    trust(&s, &api, ALICE, &key).await;
    assert_eq!(trusted_rows(&s, ALICE).await, 1);
    api.totp_reset(&s.code(&key, 0)).await.ok();
    assert_eq!(trusted_rows(&s, ALICE).await, 0);
    let answer = again(&api, ALICE).await;
    assert!(!is_done(answer.body.as_ref().unwrap()), "{answer:?}");
}

#[tokio::test]
async fn an_administrators_reset_or_removal_forgets_every_trusted_browser() {
    let s = TestServer::start().await;
    allow(&s, Some(30)).await.ok();
    let (api, key) = s.enrolled(ALICE).await;
    api.logout().await;
    s.next_step();
    trust(&s, &api, ALICE, &key).await;
    let (admin, _) = s.admin().await;
    let alice = s.user_id(&admin, ALICE).await;
    admin.reset_mfa(&alice, Some(7)).await.ok();
    assert_eq!(trusted_rows(&s, ALICE).await, 0);
    let answer = again(&api, ALICE).await;
    assert!(!is_done(answer.body.as_ref().unwrap()), "{answer:?}");

    // An administrator removing a factor: Carol, no longer required, so
    // her only factor may go.
    let (carol, carol_key) = s.enrolled(CAROL).await;
    carol.logout().await;
    s.next_step();
    trust(&s, &carol, CAROL, &carol_key).await;
    let (admin, _) = s.admin().await;
    let carol_id = s.user_id(&admin, CAROL).await;
    admin.unrequire_mfa(&carol_id).await.ok();
    let resp = admin
        .http
        .delete(admin.url(&format!("/api/v1/admin/users/{carol_id}/factors/totp")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(trusted_rows(&s, CAROL).await, 0);
}

#[tokio::test]
async fn switching_the_setting_off_forgets_every_trusted_browser() {
    let s = TestServer::start().await;
    allow(&s, Some(30)).await.ok();
    let (api, key) = s.enrolled(ALICE).await;
    api.logout().await;
    s.next_step();
    trust(&s, &api, ALICE, &key).await;
    allow(&s, None).await.ok();
    assert_eq!(trusted_rows(&s, ALICE).await, 0);
    let answer = again(&api, ALICE).await;
    assert!(trust_cookie(&answer.headers).is_some_and(|c| c.contains("Max-Age=0")));
    assert!(is_mfa(&answer.ok()));
    // Switched on again, the old cookie is still worthless.
    allow(&s, Some(30)).await.ok();
    s.next_step();
    assert!(is_mfa(&again(&api, ALICE).await.ok()));
}

#[tokio::test]
async fn administrators_are_never_offered_it() {
    let s = TestServer::start().await;
    allow(&s, Some(30)).await.ok();
    let (admin, key) = s.admin().await;
    s.next_step();
    let first = again(&admin, BILLING_ADMIN).await.ok();
    assert!(is_mfa(&first), "{first:?}");
    assert_eq!(admin.mfa().await.ok().trust_days, None);
    let done = code_trusting(&s, &admin, &key).await;
    assert_eq!(trust_cookie(&done.headers), None);
    assert!(is_done(&done.ok()));
    assert_eq!(trusted_rows(&s, BILLING_ADMIN).await, 0);
    assert!(is_mfa(&again(&admin, BILLING_ADMIN).await.ok()));
}
