//! The password step: the session cookie, one answer for unknown emails and
//! wrong passwords, new session ids at login, logout and session timeouts.

use portcullis_api::{ErrorCode, LoginResponse, Role};

use crate::client::{session_cookie, Api};
use crate::fixtures::{headers_but_date, TestServer, BILLING_ADMIN, PASSWORD};

const ALICE: &str = "alice@example.com";

/// `name=value` of a `Set-Cookie` line: what a browser sends back.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

/// `/api/v1/me` with only this cookie, as someone who copied it would send.
async fn me_with_cookie(s: &TestServer, pair: &str) -> (u16, Option<ErrorCode>) {
    let resp = reqwest::Client::new()
        .get(s.url("/api/v1/me"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    let answer = Api::read::<portcullis_api::Me>(resp).await;
    (answer.status, answer.body.err().map(|e| e.code))
}

#[tokio::test]
async fn login_ok_sets_a_strict_httponly_cookie_and_me_works() {
    let s = TestServer::start().await;
    let api = s.api();
    // the email is normalised: case and surrounding blanks do not matter
    let answer = api.login("Alice@Example.com ", PASSWORD).await;
    let cookie = answer.session_cookie().expect("session cookie");
    assert!(cookie.starts_with("portcullis_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert_eq!(answer.status, 200);
    let LoginResponse::Done { user } = answer.ok() else {
        panic!("alice needs no second factor")
    };
    assert_eq!(user.email, ALICE);

    let me = api.me().await.ok();
    assert_eq!(me.display_name, "Alice Anders");
    assert_eq!(me.role, Role::User);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_identical_answers() {
    let s = TestServer::start().await;
    let wrong = s.api().login(ALICE, "not the password").await;
    let unknown = s
        .api()
        .login("nobody@example.com", "not the password")
        .await;
    assert!(wrong.session_cookie().is_none());
    assert!(unknown.session_cookie().is_none());
    assert_eq!(
        headers_but_date(&wrong.headers),
        headers_but_date(&unknown.headers)
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.status, unknown.status);
    let (a, b) = (wrong.err(), unknown.err());
    assert_eq!(a, b);
    assert_eq!(a.code, ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn unknown_user_costs_about_as_much_time_as_a_wrong_password() {
    // Both run one Argon2id verification. Compare medians of a few tries
    // loosely (other tests run in parallel on the same cores): this catches
    // "skip hashing for unknown users" (a ratio of 10x and more), not jitter.
    let s = TestServer::start().await;
    let mut t_known = Vec::new();
    let mut t_unknown = Vec::new();
    for i in 0..5 {
        // five tries stay within every throttle's free allowance
        let start = std::time::Instant::now();
        s.api().login("bob@example.com", &format!("wrong{i}")).await;
        t_known.push(start.elapsed());
        let start = std::time::Instant::now();
        s.api()
            .login(&format!("ghost{i}@example.com"), "wrong")
            .await;
        t_unknown.push(start.elapsed());
    }
    t_known.sort();
    t_unknown.sort();
    let (k, u) = (t_known[2].as_secs_f64(), t_unknown[2].as_secs_f64());
    // Within 5x either way: skipping Argon2 makes a login 20-50 times
    // faster, while a busy machine (the other tests) was seen to stretch
    // one median over 3x.
    assert!(
        u > k / 5.0 && u < k * 5.0,
        "known {k:.3}s vs unknown {u:.3}s"
    );
}

#[tokio::test]
async fn session_id_changes_at_login() {
    let s = TestServer::start().await;
    let api = s.api();
    let first = api.login(ALICE, PASSWORD).await.session_cookie();
    let second = api.login(ALICE, PASSWORD).await.session_cookie();
    let (first, second) = (first.expect("cookie"), second.expect("cookie"));
    assert_ne!(cookie_pair(&first), cookie_pair(&second));
    // The old id is dead, not merely replaced in this browser.
    assert_eq!(
        me_with_cookie(&s, &cookie_pair(&first)).await,
        (401, Some(ErrorCode::Unauthenticated))
    );
    assert_eq!(me_with_cookie(&s, &cookie_pair(&second)).await.0, 200);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let s = TestServer::start().await;
    let api = s.api();
    let cookie = api.login(ALICE, PASSWORD).await.session_cookie();
    let pair = cookie_pair(&cookie.expect("cookie"));
    assert_eq!(me_with_cookie(&s, &pair).await.0, 200);
    let out = api.logout().await;
    assert_eq!(out.status, 204);
    let cleared = out
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portcullis_session="))
        .expect("clearing cookie")
        .to_string();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(session_cookie(&out.headers).is_none(), "no new session");
    // Replaying the old cookie by hand must not work either.
    assert_eq!(
        me_with_cookie(&s, &pair).await,
        (401, Some(ErrorCode::Unauthenticated))
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_and_absolutely() {
    let s = TestServer::start().await;
    let idle = s.state.settings.session_idle_secs;
    let api = s.api();
    api.login(ALICE, PASSWORD).await.ok();
    s.advance(idle - 1);
    assert_eq!(api.me().await.status, 200);
    s.advance(idle - 1); // used a moment ago: still alive
    assert_eq!(api.me().await.status, 200);
    s.advance(idle);
    assert_eq!(api.me().await.fail(), (401, ErrorCode::Unauthenticated));

    // absolute: busy all the time, still ends
    let api = s.api();
    api.login(ALICE, PASSWORD).await.ok();
    let abs = s.state.settings.session_absolute_secs;
    let mut elapsed = 0;
    while elapsed + 600 < abs {
        s.advance(600);
        elapsed += 600;
        assert_eq!(api.me().await.status, 200, "after {elapsed} s");
    }
    s.advance(abs - elapsed);
    assert_eq!(api.me().await.fail(), (401, ErrorCode::Unauthenticated));
}

#[tokio::test]
async fn me_without_session_is_401_json() {
    let s = TestServer::start().await;
    assert_eq!(s.api().me().await.fail(), (401, ErrorCode::Unauthenticated));
}

#[tokio::test]
async fn demo_users_exist_for_admin_and_alice() {
    let s = TestServer::start().await;
    let alice = s.api().login(ALICE, PASSWORD).await.ok();
    assert!(
        matches!(&alice, LoginResponse::Done { user } if user.role == Role::User),
        "{alice:?}"
    );
    // The billing admin has no second factor yet, and the password alone
    // cannot set one up for an administrator: a setup link can.
    for _ in 0..2 {
        let admin = s.api().login(BILLING_ADMIN, PASSWORD).await.ok();
        assert!(matches!(admin, LoginResponse::Locked { .. }), "{admin:?}");
    }
    for _ in 0..2 {
        let token = s.setup_token(BILLING_ADMIN).await;
        let admin = s.api().welcome(&token, PASSWORD).await.ok();
        assert_eq!(
            admin,
            LoginResponse::Enroll {
                mandatory: true,
                days_left: None
            }
        );
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    assert!(n >= 12, "{n} demo users");
    // logging in is recorded: a full sign-in, and two password steps
    let count = |kind: &'static str| {
        let db = s.state.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE kind = $1")
                .bind(kind)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("login_succeeded").await, 1);
    assert_eq!(count("login_password_ok").await, 2);
}
