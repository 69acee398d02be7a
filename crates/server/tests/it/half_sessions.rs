//! Logins in progress ("half sessions": the password passed, a second
//! factor pending) against the owner's real sessions: however often
//! someone who knows only the password logs in, the owner stays signed in
//! and can still complete a login, even one already in progress in their
//! own browser. Half sessions have their own small cap, apart for browsers
//! that signed in before; the per-account window counts completed logins
//! only.

use portcullis_api::{ErrorCode, LoginResponse};
use portcullis_server::auth::session::HALF_SESSIONS_PER_USER;
use portcullis_server::config::Settings;

use crate::client::Api;
use crate::fixtures::{TestServer, PASSWORD};

const IVAN: &str = "ivan@example.com";

/// `n` password-only logins of `email`, each from a new browser; the
/// browsers, oldest first.
async fn password_only_logins(s: &TestServer, email: &str, n: usize) -> Vec<Api> {
    let mut out = Vec::new();
    for i in 0..n {
        s.advance(1); // "oldest" well defined
        let (api, answer) = s.password_login(email).await;
        assert!(
            matches!(answer, LoginResponse::Mfa { .. }),
            "login {}: {answer:?}",
            i + 1
        );
        out.push(api);
    }
    out
}

#[tokio::test]
async fn password_only_logins_never_end_the_owners_signed_in_sessions() {
    let s = TestServer::start_with(Settings {
        max_sessions_per_user: 2,
        ..Settings::default()
    })
    .await;
    let (owner, key) = s.enrolled(IVAN).await;
    let second = s.login_with_code(IVAN, &key).await;

    // Far more logins than the user may hold sessions.
    let attacker = password_only_logins(&s, IVAN, 12).await;

    for (api, who) in [(&owner, "first"), (&second, "second")] {
        assert_eq!(api.me().await.ok().email, IVAN, "{who} owner session");
    }
    // Of the attacker's half sessions, only the newest few live.
    let live = HALF_SESSIONS_PER_USER as usize;
    for (i, api) in attacker.iter().enumerate() {
        let status = api.mfa().await.status;
        let expected = if i + live >= attacker.len() { 200 } else { 401 };
        assert_eq!(status, expected, "half session {}", i + 1);
    }
    // And the owner completes a new login.
    let third = s.login_with_code(IVAN, &key).await;
    assert_eq!(third.me().await.ok().email, IVAN);
}

#[tokio::test]
async fn logins_from_unknown_browsers_never_end_the_owners_login_in_progress() {
    let s = TestServer::start().await;
    // The owner's browser signed in before (setting up the app finished
    // its login): it holds their device cookie.
    let (owner, key) = s.enrolled(IVAN).await;
    owner.logout().await.ok();
    s.advance(1);
    let answer = owner.login(IVAN, PASSWORD).await.ok();
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    // Meanwhile someone with the password logs in again and again.
    let attacker = password_only_logins(&s, IVAN, 12).await;
    // Their cap holds among themselves...
    let live = HALF_SESSIONS_PER_USER as usize;
    for (i, api) in attacker.iter().enumerate() {
        let expected = if i + live >= attacker.len() { 200 } else { 401 };
        assert_eq!(api.mfa().await.status, expected, "half session {}", i + 1);
    }
    // ...and the owner's login in progress is not theirs to end.
    let done = owner.login_totp(&s.code(&key, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    assert_eq!(owner.me().await.ok().email, IVAN);
}

#[tokio::test]
async fn a_completed_login_still_ends_the_oldest_signed_in_session() {
    let s = TestServer::start_with(Settings {
        max_sessions_per_user: 2,
        ..Settings::default()
    })
    .await;
    let (first, key) = s.enrolled(IVAN).await;
    s.advance(1);
    let second = s.login_with_code(IVAN, &key).await;
    s.advance(1);
    let third = s.login_with_code(IVAN, &key).await;
    assert_eq!(first.me().await.fail(), (401, ErrorCode::Unauthenticated));
    second.me().await.ok();
    third.me().await.ok();
}

#[tokio::test]
async fn password_only_logins_do_not_fill_the_window_of_completed_logins() {
    let s = TestServer::start().await;
    let (_, key) = s.enrolled(IVAN).await;
    let limit = s.state.settings.logins_per_window as usize;
    // More password-only logins than the window allows, all within it.
    password_only_logins(&s, IVAN, limit + 5).await;
    // The owner is not kept out.
    let owner = s.login_with_code(IVAN, &key).await;
    assert_eq!(owner.me().await.ok().email, IVAN);
}

#[tokio::test]
async fn completed_logins_with_a_second_factor_fill_the_window() {
    let s = TestServer::start_with(Settings {
        logins_per_window: 2,
        ..Settings::default()
    })
    .await;
    // The enrollment's login is the first completed one.
    let (_, key) = s.enrolled(IVAN).await;
    s.login_with_code(IVAN, &key).await;
    let refused = s.api().login(IVAN, PASSWORD).await;
    assert_eq!(refused.fail(), (429, ErrorCode::TooManyAttempts));
    s.advance(s.state.settings.login_window_secs);
    s.login_with_code(IVAN, &key).await;
}
