#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
mod common;

use common::{json, TestServer, PASSWORD};
use portcullis_server::throttle::{PASSWORD_ACCOUNT_CLIENT, PASSWORD_CLIENT};

#[tokio::test]
async fn throttling_starts_after_free_failures_and_ends_with_the_clock() {
    let s = TestServer::start().await;
    let c = s.client();
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free {
        let (status, _) = json(s.login(&c, "alice@example.com", "wrong password").await).await;
        assert_eq!(status, 401);
    }
    // Blocked now, even with the right password.
    let resp = s.login(&c, "alice@example.com", PASSWORD).await;
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "too_many_attempts");
    assert_eq!(body["retry_after"], retry);
    assert_eq!(retry, PASSWORD_ACCOUNT_CLIENT.base_secs as u64);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains(&format!("{retry} seconds")));

    // One second short: still blocked.
    s.clock.advance(retry as i64 - 1);
    assert_eq!(
        s.login(&c, "alice@example.com", PASSWORD).await.status(),
        429
    );
    // Then it ends.
    s.clock.advance(1);
    let (status, body) = json(s.login(&c, "alice@example.com", PASSWORD).await).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn delays_grow_with_further_failures() {
    let s = TestServer::start().await;
    let c = s.client();
    let mut seen = Vec::new();
    for _ in 0..(PASSWORD_ACCOUNT_CLIENT.free + 3) {
        let resp = s.login(&c, "bob@example.com", "wrong").await;
        if resp.status() == 429 {
            panic!("blocked before the wait ended");
        }
        let probe = s.login(&c, "bob@example.com", "wrong").await;
        if probe.status() == 429 {
            let wait: i64 = probe.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            seen.push(wait);
            s.clock.advance(wait);
        } else {
            assert_eq!(probe.status(), 401);
        }
    }
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[1] > w[0]),
        "delays should grow: {seen:?}"
    );
}

#[tokio::test]
async fn unknown_accounts_are_throttled_the_same_way() {
    let s = TestServer::start().await;
    let c = s.client();
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free {
        s.login(&c, "ghost@example.com", "wrong").await;
        s.login(&c, "carol@example.com", "wrong").await;
    }
    let (a_status, a) = json(s.login(&c, "ghost@example.com", "x").await).await;
    let (b_status, b) = json(s.login(&c, "carol@example.com", "x").await).await;
    assert_eq!((a_status, &a), (b_status, &b));
    assert_eq!(a_status, 429);
}

#[tokio::test]
async fn a_success_resets_the_account_counter() {
    let s = TestServer::start().await;
    let c = s.client();
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free - 1 {
        s.login(&c, "dave@example.com", "wrong").await;
    }
    assert_eq!(
        s.login(&c, "dave@example.com", PASSWORD).await.status(),
        200
    );
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free - 1 {
        assert_eq!(s.login(&c, "dave@example.com", "wrong").await.status(), 401);
    }
    assert_eq!(
        s.login(&c, "dave@example.com", PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn spraying_many_accounts_from_one_client_is_throttled() {
    let s = TestServer::start().await;
    let c = s.client();
    for i in 0..PASSWORD_CLIENT.free {
        let status = s
            .login(&c, &format!("user{i}@example.com"), "wrong")
            .await
            .status();
        assert_eq!(status, 401);
    }
    assert_eq!(
        s.login(&c, "erin@example.com", PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn an_attacker_cannot_lock_the_owner_out_for_good() {
    // Failures from this client push the account into its longest delay;
    // the delay is capped, so the owner gets in once it passes.
    let s = TestServer::start().await;
    let c = s.client();
    for _ in 0..200 {
        let resp = s.login(&c, "frank@example.com", "wrong").await;
        if resp.status() == 429 {
            let wait: i64 = resp.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(wait <= PASSWORD_ACCOUNT_CLIENT.cap_secs, "{wait}");
            s.clock.advance(wait);
        }
    }
    s.clock.advance(
        PASSWORD_CLIENT
            .cap_secs
            .max(PASSWORD_ACCOUNT_CLIENT.cap_secs),
    );
    assert_eq!(
        s.login(&c, "frank@example.com", PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_no_more_than_the_free_tries() {
    // All sent at once: without an atomic check-and-count they would all be
    // checked before the first failure was written.
    let s = std::sync::Arc::new(TestServer::start().await);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let c = s.client();
            s.login(&c, "grace@example.com", &format!("guess {i}"))
                .await
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|&&st| st == 401).count();
    let refused = statuses.iter().filter(|&&st| st == 429).count();
    assert_eq!(checked as i64, PASSWORD_ACCOUNT_CLIENT.free, "{statuses:?}");
    assert_eq!(checked + refused, 30, "{statuses:?}");
}

#[tokio::test]
async fn parallel_wrong_codes_get_no_more_than_the_free_tries() {
    use portcullis_server::throttle::CODE_ACCOUNT;
    let s = std::sync::Arc::new(TestServer::start().await);
    // bob has an authenticator app (demo): log in with the password only
    let c = s.client();
    let (_, b) = json(s.login(&c, "bob@example.com", PASSWORD).await).await;
    assert_eq!(b["next"], "mfa");
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (s, c) = (s.clone(), c.clone());
        tasks.push(tokio::spawn(async move {
            c.post(s.url("/api/v1/login/totp"))
                .json(&serde_json::json!({ "code": format!("{:06}", 100_000 + i) }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|&&st| st == 401).count();
    assert!(checked as i64 <= CODE_ACCOUNT.free, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|&&st| st == 429).count() + checked,
        12,
        "{statuses:?}"
    );
}

async fn spray_from(s: &TestServer, forwarded: &str, n: i64) -> Vec<u16> {
    let c = s.client();
    let mut out = Vec::new();
    for i in 0..n {
        let r = c
            .post(s.url("/api/v1/login"))
            .header("x-forwarded-for", forwarded)
            .json(&serde_json::json!({ "email": format!("spray{i}@example.com"), "password": "wrong" }))
            .send()
            .await
            .unwrap();
        out.push(r.status().as_u16());
    }
    out
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_proxy_is_trusted() {
    // Untrusted: inventing X-Forwarded-For does not give a fresh counter.
    let s = TestServer::start().await;
    spray_from(&s, "203.0.113.1", PASSWORD_CLIENT.free).await;
    assert_eq!(spray_from(&s, "203.0.113.2", 1).await, [429]);

    // Behind a trusted proxy (the tests connect from 127.0.0.1): each
    // forwarded client has its own counter.
    let settings = portcullis_server::state::Settings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let s = TestServer::start_with_settings(None, settings).await;
    spray_from(&s, "203.0.113.1", PASSWORD_CLIENT.free).await;
    assert_eq!(spray_from(&s, "203.0.113.1", 1).await, [429]);
    assert_eq!(spray_from(&s, "203.0.113.2", 1).await, [401]);
}
