//! Throttling: growing delays after free failures (per account and client,
//! per client, per account), who counts as a client behind proxies, the
//! suspension after 100 failures in a row, the limit on successful logins,
//! and the bounded queue in front of Argon2.

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

use portcullis_api::{ErrorCode, LoginResponse, CSRF_HEADER, CSRF_VALUE};
use portcullis_server::auth::throttle::{
    CODE_ACCOUNT, CONSECUTIVE_CAP, PASSWORD_ACCOUNT, PASSWORD_ACCOUNT_CLIENT, PASSWORD_CLIENT,
};
use portcullis_server::config::Settings;
use portcullis_server::secret::Secret;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::client::{Answer, Api};
use crate::fixtures::{headers_but_date, TestServer, PASSWORD};

const ALICE: &str = "alice@example.com";
const GHOST: &str = "ghost@example.com";
const IVAN: &str = "ivan@example.com";

/// The seconds an answer says to wait, from its `Retry-After` header (which
/// must agree with the body's `retry_after`).
#[track_caller]
fn retry_after<T: std::fmt::Debug>(a: Answer<T>) -> i64 {
    let header: u64 = a
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("no Retry-After: {a:?}"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = a.err();
    assert_eq!(body.retry_after, Some(header), "{body:?}");
    i64::try_from(header).unwrap()
}

/// Settings of a server behind a reverse proxy on 127.0.0.1 (where the
/// tests connect from), so `X-Forwarded-For` names the client.
pub(crate) fn behind_a_proxy() -> Settings {
    Settings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Settings::default()
    }
}

/// A browser-like client whose every request carries this
/// `X-Forwarded-For` (as if a proxy had added it).
pub(crate) fn forwarded(s: &TestServer, forwarded_for: &str) -> Api {
    let mut h = HeaderMap::new();
    h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
    h.insert(
        "x-forwarded-for",
        HeaderValue::from_str(forwarded_for).unwrap(),
    );
    Api {
        base: s.base.clone(),
        http: reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(h)
            .build()
            .unwrap(),
    }
}

/// `n` wrong passwords for as many accounts (named after `tag`), all with
/// this `X-Forwarded-For`; the statuses.
async fn spray_from(s: &TestServer, forwarded_for: &str, tag: &str, n: i64) -> Vec<u16> {
    let api = forwarded(s, forwarded_for);
    let mut out = Vec::new();
    for i in 0..n {
        let email = format!("spray-{tag}-{i}@example.com");
        out.push(api.login(&email, "wrong").await.status);
    }
    out
}

/// The longest delay any password counter imposes: waiting this long after
/// a failure always ends its block.
fn longest_password_delay() -> i64 {
    [PASSWORD_ACCOUNT_CLIENT, PASSWORD_CLIENT, PASSWORD_ACCOUNT]
        .iter()
        .map(|p| p.cap_secs)
        .max()
        .unwrap()
}

#[tokio::test]
async fn throttling_starts_after_free_failures_and_ends_with_the_clock() {
    let s = TestServer::start().await;
    let api = s.api();
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free {
        let failed = api.login(ALICE, "wrong password").await;
        assert_eq!(failed.fail(), (401, ErrorCode::InvalidCredentials));
    }
    // Blocked now, even with the right password.
    let blocked = api.login(ALICE, PASSWORD).await;
    assert!(blocked.session_cookie().is_none());
    assert_eq!(blocked.status, 429);
    let body = blocked.body.as_ref().unwrap_err().clone();
    assert_eq!(body.code, ErrorCode::TooManyAttempts);
    let retry = retry_after(blocked);
    assert_eq!(retry, PASSWORD_ACCOUNT_CLIENT.base_secs);
    assert!(
        body.message.contains(&format!("{retry} seconds")),
        "{body:?}"
    );

    // One second short: still blocked.
    s.advance(retry - 1);
    let blocked = api.login(ALICE, PASSWORD).await;
    assert_eq!(blocked.fail(), (429, ErrorCode::TooManyAttempts));
    // Then it ends.
    s.advance(1);
    assert!(matches!(
        api.login(ALICE, PASSWORD).await.ok(),
        LoginResponse::Done { .. }
    ));
}

#[tokio::test]
async fn delays_grow_with_further_failures() {
    let s = TestServer::start().await;
    let api = s.api();
    let mut seen = Vec::new();
    for _ in 0..(PASSWORD_ACCOUNT_CLIENT.free + 3) {
        let failed = api.login("bob@example.com", "wrong").await;
        assert_eq!(
            failed.fail(),
            (401, ErrorCode::InvalidCredentials),
            "blocked before the wait ended"
        );
        let probe = api.login("bob@example.com", "wrong").await;
        if probe.status == 429 {
            let wait = retry_after(probe);
            seen.push(wait);
            s.advance(wait);
        } else {
            assert_eq!(probe.fail(), (401, ErrorCode::InvalidCredentials));
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
    let api = s.api();
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free {
        api.login(GHOST, "wrong").await;
        api.login("carol@example.com", "wrong").await;
    }
    let ghost = api.login(GHOST, "x").await;
    let carol = api.login("carol@example.com", "x").await;
    assert_eq!(
        headers_but_date(&ghost.headers),
        headers_but_date(&carol.headers)
    );
    assert_eq!(ghost.status, 429);
    assert_eq!(ghost.status, carol.status);
    assert_eq!(ghost.err(), carol.err());
}

#[tokio::test]
async fn a_success_resets_the_account_counter() {
    let s = TestServer::start().await;
    let api = s.api();
    let dave = "dave@example.com";
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free - 1 {
        assert_eq!(api.login(dave, "wrong").await.status, 401);
    }
    assert_eq!(api.login(dave, PASSWORD).await.status, 200);
    // without the reset, the first of these would reach the block
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free - 1 {
        assert_eq!(api.login(dave, "wrong").await.status, 401);
    }
    assert_eq!(api.login(dave, PASSWORD).await.status, 200);
}

#[tokio::test]
async fn spraying_many_accounts_from_one_client_is_throttled() {
    let s = TestServer::start().await;
    let api = s.api();
    for i in 0..PASSWORD_CLIENT.free {
        let email = format!("user{i}@example.com");
        assert_eq!(api.login(&email, "wrong").await.status, 401);
    }
    let blocked = api.login("erin@example.com", PASSWORD).await;
    assert_eq!(blocked.fail(), (429, ErrorCode::TooManyAttempts));
}

#[tokio::test]
async fn below_the_cap_an_attacker_only_delays_the_owner() {
    // Failures from one client push the account into its longest delays;
    // the delays are capped, so the owner gets in once one passes — from
    // another address after at most the account-wide cap.
    let s = TestServer::start_with(behind_a_proxy()).await;
    let attacker = forwarded(&s, "203.0.113.66");
    let frank = "frank@example.com";
    let mut counted = 0;
    // well below the suspension
    while counted < 40 {
        let answer = attacker.login(frank, "wrong").await;
        if answer.status == 429 {
            let wait = retry_after(answer);
            assert!(wait <= PASSWORD_ACCOUNT_CLIENT.cap_secs, "{wait}");
            s.advance(wait);
        } else {
            assert_eq!(answer.fail(), (401, ErrorCode::InvalidCredentials));
            counted += 1;
        }
    }
    let owner = forwarded(&s, "198.51.100.7");
    let wait = retry_after(owner.login(frank, PASSWORD).await);
    assert!(wait <= PASSWORD_ACCOUNT.cap_secs, "{wait}");
    s.advance(wait);
    // frank has an app: the password is accepted and the code comes next
    assert!(matches!(
        owner.login(frank, PASSWORD).await.ok(),
        LoginResponse::Mfa { .. }
    ));
    // and the attacker's own address is held up longer, but not for good
    assert_eq!(attacker.login(frank, PASSWORD).await.status, 429);
    s.advance(PASSWORD_ACCOUNT_CLIENT.cap_secs);
    assert_eq!(attacker.login(frank, PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_no_more_than_the_free_tries() {
    // All sent at once: without an atomic check-and-count they would all be
    // checked before the first failure was written.
    let s = Arc::new(TestServer::start().await);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.api()
                .login("grace@example.com", &format!("guess {i}"))
                .await
                .status
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
    let s = Arc::new(TestServer::start().await);
    // bob has an authenticator app (demo): log in with the password only
    let (api, answer) = s.password_login("bob@example.com").await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let mut tasks = Vec::new();
    for i in 0..12 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            api.login_totp(&format!("{:06}", 100_000 + i)).await.status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|&&st| st == 401).count();
    let refused = statuses.iter().filter(|&&st| st == 429).count();
    assert!(checked as i64 <= CODE_ACCOUNT.free, "{statuses:?}");
    assert_eq!(checked + refused, 12, "{statuses:?}");
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_proxy_is_trusted() {
    // Untrusted: inventing X-Forwarded-For does not give a fresh counter.
    let s = TestServer::start().await;
    let first = spray_from(&s, "203.0.113.1", "a", PASSWORD_CLIENT.free).await;
    assert!(first.iter().all(|&st| st == 401), "{first:?}");
    assert_eq!(spray_from(&s, "203.0.113.2", "b", 1).await, [429]);

    // Behind a trusted proxy (the tests connect from 127.0.0.1): each
    // forwarded client has its own counter.
    let s = TestServer::start_with(behind_a_proxy()).await;
    let first = spray_from(&s, "203.0.113.1", "a", PASSWORD_CLIENT.free).await;
    assert!(first.iter().all(|&st| st == 401), "{first:?}");
    assert_eq!(spray_from(&s, "203.0.113.1", "b", 1).await, [429]);
    assert_eq!(spray_from(&s, "203.0.113.2", "c", 1).await, [401]);
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64() {
    // One customer usually holds a whole /64: counting single addresses
    // would let them step through 2^64 fresh counters.
    let s = TestServer::start_with(behind_a_proxy()).await;
    let first = spray_from(&s, "2001:db8:1:2::1", "a", PASSWORD_CLIENT.free).await;
    assert!(first.iter().all(|&st| st == 401), "{first:?}");
    // another address of the same /64 shares the counter
    for same_64 in ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2:abcd::9"] {
        assert_eq!(spray_from(&s, same_64, "b", 1).await, [429], "{same_64}");
    }
    // the neighbouring /64 does not
    assert_eq!(spray_from(&s, "2001:db8:1:3::1", "c", 1).await, [401]);
}

#[tokio::test]
async fn forwarded_for_is_read_from_the_right_and_entries_may_carry_ports() {
    let s = TestServer::start_with(Settings {
        // the outer proxy (where the tests connect from) and an inner one
        trusted_proxies: vec!["127.0.0.1".parse().unwrap(), "10.0.0.1".parse().unwrap()],
        ..Settings::default()
    })
    .await;
    // The client wrote 198.51.100.9 itself; 203.0.113.5:4711 is what our
    // inner proxy 10.0.0.1 saw, and the outer proxy appended 10.0.0.1.
    let chain = "198.51.100.9, 203.0.113.5:4711, 10.0.0.1";
    let first = spray_from(&s, chain, "a", PASSWORD_CLIENT.free).await;
    assert!(first.iter().all(|&st| st == 401), "{first:?}");
    // all counted for 203.0.113.5, however it is written
    for same in [
        "203.0.113.5",
        "203.0.113.5:80",
        "6.6.6.6, 203.0.113.5",
        "203.0.113.5, 10.0.0.1",
    ] {
        assert_eq!(spray_from(&s, same, "b", 1).await, [429], "{same}");
    }
    // not for the invented entry, nor for the proxies, nor a neighbour
    for other in ["198.51.100.9", "203.0.113.6", "10.0.0.2, 203.0.113.7"] {
        assert_eq!(spray_from(&s, other, "c", 1).await, [401], "{other}");
    }

    // IPv6 entries with a port are bracketed
    let first = spray_from(&s, "[2001:db8::1]:443", "d", PASSWORD_CLIENT.free).await;
    assert!(first.iter().all(|&st| st == 401), "{first:?}");
    for same in [
        "2001:db8::1",
        "[2001:db8::2]",
        "[2001:db8::1]:8443, 10.0.0.1",
    ] {
        assert_eq!(spray_from(&s, same, "e", 1).await, [429], "{same}");
    }
    assert_eq!(spray_from(&s, "2001:db8:0:1::1", "f", 1).await, [401]);

    // the audit log names the client the same way (another one: the
    // sprayed address is blocked now)
    let api = forwarded(&s, "198.51.100.9, 203.0.113.8:4711, 10.0.0.1");
    api.login(ALICE, PASSWORD).await.ok();
    let alice: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(ALICE)
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    let events = portcullis_server::audit::about(&s.state.db, &alice, 1)
        .await
        .unwrap();
    assert_eq!(events[0].kind, "login_succeeded");
    assert_eq!(events[0].client_ip, "203.0.113.8");
}

#[tokio::test]
async fn a_hundred_wrong_passwords_in_a_row_suspend_signing_in_until_an_admin_unlocks() {
    let s = TestServer::start_with(behind_a_proxy()).await;
    // One attacking address per account, so that neither's per-client
    // counter holds up the other; an unknown email goes through the same.
    let at_alice = forwarded(&s, "203.0.113.10");
    let at_ghost = forwarded(&s, "203.0.113.11");
    for i in 0..CONSECUTIVE_CAP {
        if i == CONSECUTIVE_CAP / 2 {
            // More than a day of quiet: the delays start over, the count of
            // failures in a row does not.
            s.advance(25 * 3600);
        }
        for (api, email) in [(&at_alice, ALICE), (&at_ghost, GHOST)] {
            let failed = api.login(email, "wrong password").await;
            assert_eq!(
                failed.fail(),
                (401, ErrorCode::InvalidCredentials),
                "{email}, failure {}",
                i + 1
            );
        }
        s.advance(longest_password_delay());
    }

    // The next attempt is refused even with the right password, and the
    // unknown email is refused alike.
    let alice = at_alice.login(ALICE, PASSWORD).await;
    let ghost = at_ghost.login(GHOST, PASSWORD).await;
    assert!(alice.session_cookie().is_none());
    assert!(
        alice.headers.get("retry-after").is_none(),
        "no end in sight"
    );
    assert_eq!(
        headers_but_date(&alice.headers),
        headers_but_date(&ghost.headers)
    );
    assert_eq!((alice.status, ghost.status), (423, 423));
    let (alice, ghost) = (alice.err(), ghost.err());
    assert_eq!(alice, ghost);
    assert_eq!(alice.code, ErrorCode::Suspended);
    assert_eq!(alice.retry_after, None);
    assert!(
        alice.message.contains("suspended") && alice.message.contains("administrator"),
        "{alice:?}"
    );

    // It is the account that is suspended, from anywhere, and it stays so.
    let owner = forwarded(&s, "198.51.100.20");
    let refused = owner.login(ALICE, PASSWORD).await;
    assert_eq!(refused.fail(), (423, ErrorCode::Suspended));
    s.advance(30 * 24 * 3600);
    let refused = owner.login(ALICE, PASSWORD).await;
    assert_eq!(refused.fail(), (423, ErrorCode::Suspended));

    // The billing admin lifts it; the refusals are in the log meanwhile, so
    // an administrator can see why someone cannot sign in.
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    let events = portcullis_server::audit::about(&s.state.db, &id, 50)
        .await
        .unwrap();
    assert!(
        events.iter().any(|e| e.kind == "login_suspended"),
        "{events:?}"
    );
    admin.unlock(&id).await.ok();
    assert!(matches!(
        owner.login(ALICE, PASSWORD).await.ok(),
        LoginResponse::Done { .. }
    ));
    // the unknown email stays suspended: no one to unlock it for
    let ghost = at_ghost.login(GHOST, PASSWORD).await;
    assert_eq!(ghost.fail(), (423, ErrorCode::Suspended));
}

/// Settings where a login in progress outlives a hundred code delays, so
/// one password step can take all the wrong codes.
fn long_logins() -> Settings {
    Settings {
        partial_session_secs: 2 * 24 * 3600,
        ..Settings::default()
    }
}

/// `CONSECUTIVE_CAP` wrong codes for `email`'s app at the login's code
/// step, waiting out each delay, with more than a day of quiet halfway;
/// returns the login in progress.
async fn wrong_codes_up_to_the_cap(s: &TestServer, email: &str, key: &str) -> Api {
    let (mut api, _) = s.password_login(email).await;
    for i in 0..CONSECUTIVE_CAP {
        if i == CONSECUTIVE_CAP / 2 {
            // the quiet does not reset the count (the login in progress
            // does end: start another)
            s.advance(25 * 3600);
            api = s.password_login(email).await.0;
        }
        let failed = api.login_totp(&s.wrong_code(key)).await;
        assert_eq!(
            failed.fail(),
            (401, ErrorCode::WrongCode),
            "failure {}",
            i + 1
        );
        s.advance(CODE_ACCOUNT.cap_secs);
    }
    api
}

#[tokio::test]
async fn a_hundred_wrong_codes_in_a_row_suspend_the_app_until_an_admin_unlocks() {
    let s = TestServer::start_with(long_logins()).await;
    let (_, key) = s.enrolled(IVAN).await;
    let api = wrong_codes_up_to_the_cap(&s, IVAN, &key).await;

    // Even the right code is refused now, and a new login does not help.
    let refused = api.login_totp(&s.code(&key, 0)).await;
    assert!(refused.session_cookie().is_none());
    assert!(refused.headers.get("retry-after").is_none());
    let body = refused.err();
    assert_eq!(body.code, ErrorCode::Suspended);
    assert!(
        body.message.contains("authenticator app") && body.message.contains("administrator"),
        "{body:?}"
    );
    let (again, _) = s.password_login(IVAN).await;
    let refused = again.login_totp(&s.code(&key, 0)).await;
    assert_eq!(refused.fail(), (423, ErrorCode::Suspended));
    // and it does not wear off
    s.advance(30 * 24 * 3600);
    let (again, _) = s.password_login(IVAN).await;
    let refused = again.login_totp(&s.code(&key, 0)).await;
    assert_eq!(refused.fail(), (423, ErrorCode::Suspended));

    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    admin.unlock(&id).await.ok();
    let (api, _) = s.password_login(IVAN).await;
    let done = api.login_totp(&s.code(&key, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

#[tokio::test]
async fn resetting_the_mfa_of_a_suspended_app_lets_the_user_set_up_a_new_one() {
    let s = TestServer::start_with(long_logins()).await;
    let (_, key) = s.enrolled(IVAN).await;
    let api = wrong_codes_up_to_the_cap(&s, IVAN, &key).await;
    let refused = api.login_totp(&s.code(&key, 0)).await;
    assert_eq!(refused.fail(), (423, ErrorCode::Suspended));

    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    admin.reset_mfa(&id, Some(7)).await.ok();
    // The next login asks for a new app; its first code (checked by the
    // same per-user counter) is accepted.
    let (api, new_key) = s.enroll_at_login(IVAN).await;
    assert_ne!(new_key, key);
    assert_eq!(api.me().await.ok().email, IVAN);
}

#[tokio::test]
async fn successful_logins_are_limited_per_account() {
    let s = TestServer::start_with(Settings {
        logins_per_window: 3,
        ..Settings::default()
    })
    .await;
    let window = s.state.settings.login_window_secs;
    for _ in 0..3 {
        s.api().login(ALICE, PASSWORD).await.ok();
    }
    let refused = s.api().login(ALICE, PASSWORD).await;
    assert!(refused.session_cookie().is_none());
    assert_eq!(refused.status, 429);
    let wait = retry_after(refused);
    assert!(0 < wait && wait <= window, "{wait}");
    // another account is not affected
    s.api().login(IVAN, PASSWORD).await.ok();
    // until the window ends, and Retry-After says how long is left of it
    s.advance(window - 10);
    let refused = s.api().login(ALICE, PASSWORD).await;
    assert_eq!(retry_after(refused), 10);
    s.advance(9);
    let refused = s.api().login(ALICE, PASSWORD).await;
    assert_eq!(refused.fail(), (429, ErrorCode::TooManyAttempts));
    s.advance(1);
    assert!(matches!(
        s.api().login(ALICE, PASSWORD).await.ok(),
        LoginResponse::Done { .. }
    ));
}

fn one_hash_at_a_time() -> Settings {
    Settings {
        hash_concurrency: 1,
        hash_queue: 0,
        ..Settings::default()
    }
}

#[tokio::test]
async fn parallel_logins_beyond_the_hashing_queue_get_503_never_500() {
    let s = Arc::new(TestServer::start_with(one_hash_at_a_time()).await);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let (email, password) = if i % 2 == 0 {
                (ALICE, PASSWORD)
            } else {
                (GHOST, "wrong")
            };
            s.api().login(email, password).await
        }));
    }
    for t in tasks {
        let answer = t.await.unwrap();
        match answer.status {
            200 | 401 => {}
            503 => {
                assert_eq!(
                    answer.body.as_ref().unwrap_err().code,
                    ErrorCode::Unavailable
                );
                assert!(retry_after(answer) >= 1);
            }
            _ => panic!("{answer:?}"),
        }
    }
}

#[tokio::test]
async fn a_full_hashing_queue_answers_503_at_once_and_counts_no_guess() {
    let s = TestServer::start_with(one_hash_at_a_time()).await;
    // Take the only hashing place from inside: a check polled once is
    // admitted and stays so until it is finished, however long that is.
    let held = loop {
        let mut check = Box::pin(s.state.hasher.verify(Secret::new("held".to_string()), None));
        let first = std::future::poll_fn(|cx| Poll::Ready(check.as_mut().poll(cx))).await;
        if first.is_pending() {
            break check;
        }
        // finished within its first poll (never in practice): again
    };

    for (email, password) in [(ALICE, PASSWORD), (GHOST, "wrong"), (ALICE, "wrong")] {
        let busy = s.api().login(email, password).await;
        assert!(busy.session_cookie().is_none());
        assert_eq!(busy.status, 503, "{email}: {busy:?}");
        assert_eq!(busy.body.as_ref().unwrap_err().code, ErrorCode::Unavailable);
        assert!(retry_after(busy) >= 1);
    }
    // More busy answers than the free tries: none of them counts as a guess.
    for _ in 0..PASSWORD_ACCOUNT_CLIENT.free + 1 {
        assert_eq!(s.api().login(ALICE, "wrong").await.status, 503);
    }

    assert_eq!(held.await, Ok(false));
    assert!(matches!(
        s.api().login(ALICE, PASSWORD).await.ok(),
        LoginResponse::Done { .. }
    ));
}
