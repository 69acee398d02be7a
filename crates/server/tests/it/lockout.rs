//! The 100-failure cap is no switch to lock the owner out: a browser that
//! signed in before carries a device cookie and is counted on
//! its own; administrators are emailed once when an account nears the
//! cap; recovery codes and the authenticator app have counters apart.

use portcullis_api::{ErrorCode, LoginResponse, RecoveryCodeRequest, CSRF_HEADER, CSRF_VALUE};
use portcullis_server::auth::throttle::{
    CODE_ACCOUNT, CONSECUTIVE_CAP, NEAR_CAP, PASSWORD_ACCOUNT, PASSWORD_ACCOUNT_CLIENT,
    PASSWORD_CLIENT, PASSWORD_DEVICE,
};
use portcullis_server::config::Settings;
use portcullis_server::notify;
use reqwest::header::{HeaderMap, HeaderValue, COOKIE};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, PASSWORD};

/// No MFA: the password alone signs in.
const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";
const JUDY: &str = "judy@example.com";

/// A server behind a proxy on 127.0.0.1, so `X-Forwarded-For` names the
/// client and the attacker and the owner are different clients.
fn behind_a_proxy() -> Settings {
    Settings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Settings::default()
    }
}

/// A browser (keeping its cookies) at `ip`.
fn browser_at(s: &TestServer, ip: &str) -> Api {
    let mut h = HeaderMap::new();
    h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
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

/// A browser at `ip` whose every request carries exactly `cookie`.
fn browser_with_cookie(s: &TestServer, ip: &str, cookie: &str) -> Api {
    let mut h = HeaderMap::new();
    h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
    h.insert("x-forwarded-for", HeaderValue::from_str(ip).unwrap());
    h.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
    Api {
        base: s.base.clone(),
        http: reqwest::Client::builder()
            .default_headers(h)
            .build()
            .unwrap(),
    }
}

/// The device cookie an answer set, as `name=value`.
fn device_cookie<T>(a: &Answer<T>) -> Option<String> {
    a.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("portcullis_device="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn longest_password_delay() -> i64 {
    [PASSWORD_ACCOUNT_CLIENT, PASSWORD_CLIENT, PASSWORD_ACCOUNT]
        .iter()
        .map(|p| p.cap_secs)
        .max()
        .unwrap()
}

/// How many "account nears suspension" emails each administrator has.
async fn warnings(s: &TestServer) -> Vec<usize> {
    let admins: Vec<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE role <> 'user' ORDER BY email")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert!(!admins.is_empty());
    let mut out = Vec::new();
    for id in admins {
        let kinds = notify::kinds_for(&s.state.db, &id).await.unwrap();
        out.push(kinds.iter().filter(|k| *k == "lockout_near").count());
    }
    out
}

#[tokio::test]
async fn an_attacker_suspends_the_account_but_not_the_owners_browser() {
    let s = TestServer::start_with(behind_a_proxy()).await;
    // The owner's browser signed in before: it holds a device cookie.
    let owner = browser_at(&s, "198.51.100.7");
    let first = owner.login(ALICE, PASSWORD).await;
    let cookie = device_cookie(&first).expect("a device cookie at login");
    assert!(matches!(first.ok(), LoginResponse::Done { .. }));
    owner.logout().await;
    // Another account's owner, with a cookie of their own.
    let ivans = browser_at(&s, "198.51.100.8");
    assert_eq!(ivans.login(IVAN, PASSWORD).await.status, 200);
    ivans.logout().await;

    // One attacking address per account, so that neither's per-client
    // counter holds up the other.
    let attacker = browser_at(&s, "203.0.113.66");
    let at_ivan = browser_at(&s, "203.0.113.67");
    for i in 0..CONSECUTIVE_CAP {
        if i == NEAR_CAP - 1 {
            assert_eq!(warnings(&s).await.iter().sum::<usize>(), 0, "before");
        }
        for (api, email) in [(&attacker, ALICE), (&at_ivan, IVAN)] {
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
    // Suspended for the attacker, and for a browser that never signed in.
    assert_eq!(
        attacker.login(ALICE, PASSWORD).await.fail(),
        (423, ErrorCode::Suspended)
    );
    let new_browser = browser_at(&s, "198.51.100.9");
    assert_eq!(
        new_browser.login(ALICE, PASSWORD).await.fail(),
        (423, ErrorCode::Suspended)
    );
    // A forged device cookie counts for nothing.
    let forged = format!("{}x", &cookie[..cookie.len() - 1]);
    let forged = browser_with_cookie(&s, "198.51.100.7", &forged);
    assert_eq!(
        forged.login(ALICE, PASSWORD).await.fail(),
        (423, ErrorCode::Suspended)
    );
    // Nor does one of another account: it is bound to its account.
    assert_eq!(
        owner.login(IVAN, PASSWORD).await.fail(),
        (423, ErrorCode::Suspended)
    );

    // The owner's browser signs in.
    let done = owner.login(ALICE, PASSWORD).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    assert_eq!(owner.me().await.ok().email, ALICE);
    // The same cookie sent by hand works alike (from anywhere).
    let copy = browser_with_cookie(&s, "192.0.2.1", &cookie);
    assert_eq!(copy.login(ALICE, PASSWORD).await.status, 200);
    // The suspension still holds for everyone else.
    assert_eq!(
        new_browser.login(ALICE, PASSWORD).await.fail(),
        (423, ErrorCode::Suspended)
    );

    // Each administrator was told once per account, at NEAR_CAP failures,
    // not at every failure after it.
    let told = warnings(&s).await;
    assert!(told.iter().all(|&n| n == 2), "{told:?}");
}

#[tokio::test]
async fn a_browser_with_a_device_cookie_has_growing_delays_of_its_own() {
    let s = TestServer::start_with(behind_a_proxy()).await;
    let owner = browser_at(&s, "198.51.100.7");
    assert_eq!(owner.login(ALICE, PASSWORD).await.status, 200);
    owner.logout().await;
    for _ in 0..PASSWORD_DEVICE.free {
        assert_eq!(
            owner.login(ALICE, "typo").await.fail(),
            (401, ErrorCode::InvalidCredentials)
        );
    }
    let blocked = owner.login(ALICE, PASSWORD).await;
    assert_eq!(blocked.status, 429);
    assert_eq!(
        blocked.err().retry_after,
        Some(PASSWORD_DEVICE.base_secs as u64)
    );
    // Another browser is not held up by this one's typos.
    let other = browser_at(&s, "198.51.100.8");
    assert_eq!(other.login(ALICE, PASSWORD).await.status, 200);
    s.advance(PASSWORD_DEVICE.base_secs);
    assert_eq!(owner.login(ALICE, PASSWORD).await.status, 200);
}

async fn login_recovery(api: &Api, code: &str) -> Answer<LoginResponse> {
    let req = RecoveryCodeRequest {
        code: code.into(),
        trust_browser: false,
    };
    api.post("/api/v1/login/recovery-code", &req).await
}

/// A new login of `email` at the second-factor prompt.
async fn at_prompt(s: &TestServer, email: &str) -> Api {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    api
}

#[tokio::test]
async fn wrong_recovery_codes_and_wrong_app_codes_are_counted_apart() {
    let s = TestServer::start().await;
    let (api, key) = s.enrolled(JUDY).await;
    let codes: Vec<String> = api
        .post_empty::<portcullis_api::NewRecoveryCodes>("/api/v1/recovery-codes")
        .await
        .ok()
        .codes;
    api.logout().await;

    // Wrong recovery codes up to their block…
    let c = at_prompt(&s, JUDY).await;
    for _ in 0..CODE_ACCOUNT.free {
        assert_eq!(
            login_recovery(&c, "AAAA-AAAA-AAAA").await.fail(),
            (401, ErrorCode::WrongCode)
        );
    }
    assert_eq!(
        login_recovery(&c, &codes[0]).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    // …leave the app's tries whole.
    let done = c.login_totp(&s.code(&key, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    s.next_step();
    c.logout().await;

    // And the other way round: wrong app codes up to their block…
    let c = at_prompt(&s, JUDY).await;
    for _ in 0..CODE_ACCOUNT.free {
        assert_eq!(
            c.login_totp(&s.wrong_code(&key)).await.fail(),
            (401, ErrorCode::WrongCode)
        );
    }
    assert_eq!(
        c.login_totp(&s.code(&key, 0)).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    // …and a recovery code still signs in while the app is blocked.
    let done = login_recovery(&c, &codes[0]).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}
