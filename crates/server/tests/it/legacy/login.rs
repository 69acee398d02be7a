#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
mod common;

use common::{json, session_cookie, TestServer, PASSWORD};

#[tokio::test]
async fn login_ok_sets_a_strict_httponly_cookie_and_me_works() {
    let s = TestServer::start().await;
    let c = s.client();
    let resp = s.login(&c, "Alice@Example.com ", PASSWORD).await;
    let cookie = session_cookie(&resp).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    let (status, body) = json(resp).await;
    assert_eq!(status, 200);
    assert_eq!(body["next"], "done");
    assert_eq!(body["user"]["email"], "alice@example.com");

    let (status, me) = json(c.get(s.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(me["display_name"], "Alice Anders");
    assert_eq!(me["role"], "user");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_identical_answers() {
    let s = TestServer::start().await;
    let wrong = s
        .login(&s.client(), "alice@example.com", "not the password")
        .await;
    let unknown = s
        .login(&s.client(), "nobody@example.com", "not the password")
        .await;
    assert!(session_cookie(&wrong).is_none());
    assert!(session_cookie(&unknown).is_none());
    let hdrs = |r: &reqwest::Response| {
        let mut v: Vec<_> = r
            .headers()
            .iter()
            .filter(|(k, _)| *k != "date")
            .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("")))
            .collect();
        v.sort();
        v
    };
    assert_eq!(hdrs(&wrong), hdrs(&unknown));
    let (a_status, a) = json(wrong).await;
    let (b_status, b) = json(unknown).await;
    assert_eq!(a_status, 401);
    assert_eq!((a_status, &a), (b_status, &b));
    assert_eq!(a["code"], "invalid_credentials");
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
        s.login(&s.client(), "bob@example.com", &format!("wrong{i}"))
            .await;
        t_known.push(start.elapsed());
        let start = std::time::Instant::now();
        s.login(&s.client(), &format!("ghost{i}@example.com"), "wrong")
            .await;
        t_unknown.push(start.elapsed());
    }
    t_known.sort();
    t_unknown.sort();
    let (k, u) = (t_known[2].as_secs_f64(), t_unknown[2].as_secs_f64());
    assert!(
        u > k / 3.0 && u < k * 3.0,
        "known {k:.3}s vs unknown {u:.3}s"
    );
}

#[tokio::test]
async fn session_id_changes_at_login() {
    let s = TestServer::start().await;
    let c = s.client();
    let first = session_cookie(&s.login(&c, "alice@example.com", PASSWORD).await).expect("cookie");
    let second = session_cookie(&s.login(&c, "alice@example.com", PASSWORD).await).expect("cookie");
    assert_ne!(first, second);
    // The old id is dead, not merely replaced in this browser.
    let old_value = first.split(';').next().unwrap().to_string();
    let (status, _) = json(
        reqwest::Client::new()
            .get(s.url("/api/v1/me"))
            .header("cookie", old_value)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let s = TestServer::start().await;
    let c = s.client();
    let cookie = session_cookie(&s.login(&c, "alice@example.com", PASSWORD).await).expect("cookie");
    let resp = c.post(s.url("/api/v1/logout")).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    let cleared = session_cookie(&resp).expect("clearing cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // Replaying the old cookie by hand must not work either.
    let value = cookie.split(';').next().unwrap().to_string();
    let resp = reqwest::Client::new()
        .get(s.url("/api/v1/me"))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthenticated");
}

#[tokio::test]
async fn sessions_expire_when_idle_and_absolutely() {
    let s = TestServer::start().await;
    let idle = s.state.settings.session_idle_secs;
    let c = s.client();
    s.login(&c, "alice@example.com", PASSWORD).await;
    s.clock.advance(idle - 1);
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        200
    );
    s.clock.advance(idle - 1); // used a moment ago: still alive
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        200
    );
    s.clock.advance(idle);
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        401
    );

    // absolute: busy all the time, still ends
    let c = s.client();
    s.login(&c, "alice@example.com", PASSWORD).await;
    let abs = s.state.settings.session_absolute_secs;
    let mut elapsed = 0;
    while elapsed + 600 < abs {
        s.clock.advance(600);
        elapsed += 600;
        assert_eq!(
            c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
            200
        );
    }
    s.clock.advance(abs - elapsed);
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        401
    );
}

#[tokio::test]
async fn me_without_session_is_401_json() {
    let s = TestServer::start().await;
    let (status, body) = json(s.client().get(s.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthenticated");
}

#[tokio::test]
async fn demo_users_exist_for_admin_and_alice() {
    let s = TestServer::start().await;
    for email in ["admin@example.com", "alice@example.com"] {
        let (status, body) = json(s.login(&s.client(), email, PASSWORD).await).await;
        assert_eq!(status, 200, "{email}: {body}");
    }
    let (_, body) = json(s.login(&s.client(), "admin@example.com", PASSWORD).await).await;
    assert_eq!(body["user"]["role"], "billing_admin");
    let n = portcullis_server::users::count(&s.state.db).await.unwrap();
    assert!(n >= 12, "{n} demo users");
    // logging in is recorded
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'login_succeeded'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(events, 3);
}
