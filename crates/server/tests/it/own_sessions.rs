//! The signed-in user's own sessions: listed newest first with the browser
//! in words, the address and a "this browser" marker; one ended, or all
//! the others; never another user's, never the one in use; and, for a user
//! with a second factor, only with one passed in the last 10 minutes.

use portcullis_api::{
    EndedSessions, ErrorCode, LoginResponse, SessionInfo, CSRF_HEADER, CSRF_VALUE,
};
use portcullis_server::config::Settings;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, PASSWORD};

/// No MFA required, no factor.
const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";

pub(crate) const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
pub(crate) const CHROME_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) \
     AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// Settings under which the server believes `X-Forwarded-For` from the
/// loopback address, so a test can sign in from several addresses.
pub(crate) fn behind_proxy() -> Settings {
    Settings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Settings::default()
    }
}

/// A new browser with this User-Agent, at `ip` (seen as such by a server
/// started with [`behind_proxy`]).
pub(crate) fn browser(s: &TestServer, user_agent: &str, ip: &str) -> Api {
    let mut h = HeaderMap::new();
    h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
    h.insert("user-agent", HeaderValue::from_str(user_agent).unwrap());
    h.insert("x-forwarded-for", HeaderValue::from_str(ip).unwrap());
    Api {
        base: s.base.clone(),
        http: reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(h)
            .build()
            .unwrap(),
    }
}

/// Signs `email` (whom the login lets in with the password alone) in from
/// a browser; returns it and the cookie value it was given.
async fn signed_in(s: &TestServer, email: &str, user_agent: &str, ip: &str) -> (Api, String) {
    let api = browser(s, user_agent, ip);
    let answer = api.login(email, PASSWORD).await;
    let cookie = answer.session_cookie().unwrap();
    assert!(matches!(answer.ok(), LoginResponse::Done { .. }));
    (api, cookie)
}

/// Signs in a user who has an authenticator app, from a browser.
async fn signed_in_with_code(s: &TestServer, email: &str, key: &str) -> Api {
    let api = browser(s, FIREFOX_LINUX, "203.0.113.9");
    let answer = api.login(email, PASSWORD).await.ok();
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    api.login_totp(&s.code(key, 0)).await.ok();
    s.next_step();
    api
}

pub(crate) async fn list(api: &Api) -> Vec<SessionInfo> {
    api.get("/api/v1/sessions").await.ok()
}

pub(crate) async fn end(api: &Api, id: &str) -> Answer<()> {
    let url = api.url(&format!("/api/v1/sessions/{id}"));
    Api::read(api.http.delete(url).send().await.unwrap()).await
}

pub(crate) async fn end_others(api: &Api) -> Answer<EndedSessions> {
    api.post_empty("/api/v1/sessions/end-others").await
}

async fn assert_ended(api: &Api, who: &str) {
    assert_eq!(
        api.me().await.fail(),
        (401, ErrorCode::Unauthenticated),
        "{who}"
    );
}

/// The `id` of the one session in `api`'s list that is not its own.
async fn other_id(api: &Api) -> String {
    let others: Vec<SessionInfo> = list(api).await.into_iter().filter(|s| !s.current).collect();
    assert_eq!(others.len(), 1, "{others:?}");
    others[0].id.clone()
}

#[tokio::test]
async fn sessions_are_listed_newest_first_in_words_with_this_one_marked() {
    let s = TestServer::start_with(behind_proxy()).await;
    let (firefox, firefox_cookie) = signed_in(&s, ALICE, FIREFOX_LINUX, "203.0.113.9").await;
    let first = s.now();
    s.advance(90);
    let (chrome, chrome_cookie) = signed_in(&s, ALICE, CHROME_MAC, "198.51.100.7").await;
    let seen = list(&chrome).await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].browser, "Chrome on macOS");
    assert_eq!(seen[0].ip, "198.51.100.7");
    assert_eq!(seen[0].started_at, s.now());
    assert!(seen[0].current);
    assert_eq!(seen[1].browser, "Firefox on Linux");
    assert_eq!(seen[1].ip, "203.0.113.9");
    assert_eq!(seen[1].started_at, first);
    assert_eq!(seen[1].last_seen_at, first);
    assert!(!seen[1].current);
    // The other browser sees the same sessions, with itself marked.
    let from_firefox = list(&firefox).await;
    assert_eq!(
        from_firefox.iter().map(|s| &s.id).collect::<Vec<_>>(),
        seen.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    assert!(!from_firefox[0].current && from_firefox[1].current);

    // The ids are handles: neither a cookie value nor a stored hash.
    let hashes: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM sessions")
        .fetch_all(&s.state.db)
        .await
        .unwrap();
    for info in &seen {
        assert!(info.id.len() >= 32, "{}", info.id);
        for secret in hashes.iter().chain([&firefox_cookie, &chrome_cookie]) {
            assert!(!secret.contains(&info.id), "{} in {secret}", info.id);
        }
    }
    // Not signed in: no list.
    assert_eq!(list_answer(&s.api()).await, 401);
}

async fn list_answer(api: &Api) -> u16 {
    api.get::<Vec<SessionInfo>>("/api/v1/sessions").await.status
}

#[tokio::test]
async fn ending_one_session_ends_it_and_no_other() {
    let s = TestServer::start_with(behind_proxy()).await;
    let (this, _) = signed_in(&s, ALICE, FIREFOX_LINUX, "203.0.113.9").await;
    s.advance(1);
    let (phone, _) = signed_in(&s, ALICE, CHROME_MAC, "198.51.100.7").await;
    s.advance(1);
    let (laptop, _) = signed_in(&s, ALICE, FIREFOX_LINUX, "192.0.2.44").await;

    let phone_id = list(&phone)
        .await
        .into_iter()
        .find(|s| s.current)
        .unwrap()
        .id;
    let answer = end(&this, &phone_id).await;
    assert_eq!(answer.status, 204);
    assert_ended(&phone, "the ended session").await;
    this.me().await.ok();
    laptop.me().await.ok();
    let left: Vec<String> = list(&this).await.into_iter().map(|s| s.ip).collect();
    assert_eq!(left, ["192.0.2.44", "203.0.113.9"]);
    // Gone is gone: the same id again is not found.
    assert_eq!(
        end(&this, &phone_id).await.fail(),
        (404, ErrorCode::NotFound)
    );
    // Recorded, with words naming the session ended.
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE kind = 'sessions_ended_by_user'")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(
        details,
        ["ended a session of Chrome on macOS from 198.51.100.7"]
    );
}

#[tokio::test]
async fn another_users_session_or_an_unknown_id_is_not_found() {
    let s = TestServer::start_with(behind_proxy()).await;
    let (alice, _) = signed_in(&s, ALICE, FIREFOX_LINUX, "203.0.113.9").await;
    let (ivan, _) = signed_in(&s, IVAN, CHROME_MAC, "198.51.100.7").await;
    let ivans = list(&ivan).await;
    assert_eq!(ivans.len(), 1);
    let answer = end(&alice, &ivans[0].id).await;
    assert_eq!(answer.status, 404);
    let body = answer.err();
    assert_eq!(body.code, ErrorCode::NotFound);
    assert!(
        body.message.contains("no session with this id"),
        "{}",
        body.message
    );
    ivan.me().await.ok();
    // Nor do ivan's sessions show in alice's list.
    assert!(list(&alice).await.iter().all(|s| s.id != ivans[0].id));
    for unknown in ["0123456789abcdef0123456789abcdef", "x", "%E2%9C%93"] {
        assert_eq!(
            end(&alice, unknown).await.fail(),
            (404, ErrorCode::NotFound),
            "{unknown}"
        );
    }
    // Ending others ends only one's own.
    assert_eq!(end_others(&alice).await.ok().ended, 0);
    ivan.me().await.ok();
}

#[tokio::test]
async fn the_session_in_use_is_ended_by_logging_out_instead() {
    let s = TestServer::start_with(behind_proxy()).await;
    let (alice, _) = signed_in(&s, ALICE, FIREFOX_LINUX, "203.0.113.9").await;
    let mine = list(&alice).await;
    let answer = end(&alice, &mine[0].id).await;
    assert_eq!(answer.status, 409);
    let body = answer.err();
    assert_eq!(body.code, ErrorCode::Conflict);
    assert_eq!(
        body.message,
        "This is the session you are using: log out instead."
    );
    alice.me().await.ok();
}

#[tokio::test]
async fn ending_the_others_leaves_only_this_one() {
    let s = TestServer::start_with(behind_proxy()).await;
    let mut others = Vec::new();
    for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        others.push(signed_in(&s, ALICE, CHROME_MAC, ip).await.0);
        s.advance(1);
    }
    let (this, _) = signed_in(&s, ALICE, FIREFOX_LINUX, "203.0.113.9").await;
    // Another user's session is not one of them.
    let (ivan, _) = signed_in(&s, IVAN, CHROME_MAC, "198.51.100.7").await;

    assert_eq!(end_others(&this).await.ok(), EndedSessions { ended: 3 });
    for (n, api) in others.iter().enumerate() {
        assert_ended(api, &format!("other session {n}")).await;
    }
    this.me().await.ok();
    ivan.me().await.ok();
    let left = list(&this).await;
    assert_eq!(left.len(), 1);
    assert!(left[0].current);
    // Nothing left to end is no error.
    assert_eq!(end_others(&this).await.ok().ended, 0);
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE kind = 'sessions_ended_by_user' ORDER BY at, detail",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    assert_eq!(
        details,
        ["ended 0 other sessions", "ended 3 other sessions"]
    );
}

#[tokio::test]
async fn with_a_factor_ending_sessions_needs_one_passed_in_the_last_ten_minutes() {
    let s = TestServer::start_with(behind_proxy()).await;
    let (first, key) = s.enrolled(ALICE).await;
    first.logout().await.ok();
    let this = signed_in_with_code(&s, ALICE, &key).await;
    let other = signed_in_with_code(&s, ALICE, &key).await;
    // A login still at its second step is no session to list.
    let (_half, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    assert_eq!(list(&this).await.len(), 2);
    // Fresh from the login: allowed at once.
    let id = other_id(&this).await;
    assert_eq!(end(&this, &id).await.status, 204);
    assert_ended(&other, "ended at once").await;

    let other = signed_in_with_code(&s, ALICE, &key).await;
    s.advance(11 * 60);
    other.me().await.ok();
    let id = other_id(&this).await;
    assert_eq!(
        end(&this, &id).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    assert_eq!(
        end_others(&this).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    other.me().await.ok();
    // Proving the app again lets the change through.
    this.verify(&s.code(&key, 0)).await.ok();
    s.next_step();
    assert_eq!(end(&this, &id).await.status, 204);
    assert_ended(&other, "ended after proving again").await;

    // And again for ending all the others, 11 minutes on.
    let other = signed_in_with_code(&s, ALICE, &key).await;
    s.advance(11 * 60);
    other.me().await.ok();
    this.me().await.ok();
    assert_eq!(
        end_others(&this).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    this.verify(&s.code(&key, 0)).await.ok();
    // Nine minutes later it is still fresh enough.
    s.advance(9 * 60);
    other.me().await.ok();
    assert_eq!(end_others(&this).await.ok().ended, 1);
    assert_ended(&other, "ended with the others").await;
}

#[tokio::test]
async fn without_a_factor_the_session_alone_is_enough() {
    let s = TestServer::start_with(behind_proxy()).await;
    let (this, _) = signed_in(&s, ALICE, FIREFOX_LINUX, "203.0.113.9").await;
    let (other, _) = signed_in(&s, ALICE, CHROME_MAC, "198.51.100.7").await;
    s.advance(11 * 60);
    this.me().await.ok();
    other.me().await.ok();
    let id = other_id(&this).await;
    assert_eq!(end(&this, &id).await.status, 204);
    assert_ended(&other, "ended without a factor").await;
    let (other, _) = signed_in(&s, ALICE, CHROME_MAC, "198.51.100.7").await;
    s.advance(11 * 60);
    this.me().await.ok();
    other.me().await.ok();
    assert_eq!(end_others(&this).await.ok().ended, 1);
    assert_ended(&other, "ended with the others").await;
}
