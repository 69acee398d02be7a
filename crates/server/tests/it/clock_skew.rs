//! Clock-skew help: an authenticator code that fits a time step 2 to 10
//! steps (1 to 5 minutes) away is refused like any wrong code, and counts
//! as one, but the answer says how far the phone's clock is off and how to
//! fix it. Further away, it is just a wrong code. A step ahead that the
//! hint named is burned: its code is never good later.

use portcullis_api::{ErrorBody, ErrorCode, LoginResponse};
use portcullis_server::auth::throttle::CODE_ACCOUNT;
use portcullis_server::mfa::totp::step_of;

use crate::client::{Answer, Api};
use crate::fixtures::TestServer;

const PLAIN: &str = "That code is not correct. Enter the current code from your authenticator app.";

/// The refusal of a code that is off; panics on success.
#[track_caller]
fn refusal<T: std::fmt::Debug>(a: Answer<T>) -> ErrorBody {
    assert_eq!(a.status, 401, "{a:?}");
    let body = a.err();
    assert_eq!(body.code, ErrorCode::WrongCode, "{body:?}");
    body
}

#[track_caller]
fn says_skew(body: &ErrorBody, minutes: &str, way: &str) {
    let m = &body.message;
    assert!(
        m.contains(&format!("about {minutes} {way}")),
        "expected {minutes} {way}: {m}"
    );
    assert!(m.contains("automatic date and time"), "{m}");
}

#[tokio::test]
async fn at_enrollment_a_clock_minutes_off_is_named() {
    let s = TestServer::start().await;
    s.require("ivan@example.com", Some(7)).await;
    let (c, _) = s.password_login("ivan@example.com").await;
    let key = c.totp_enroll().await.ok().secret;
    let fast = refusal(c.totp_confirm(&s.code(&key, 2)).await);
    says_skew(&fast, "1 minute", "fast");
    let slow = refusal(c.totp_confirm(&s.code(&key, -10)).await);
    says_skew(&slow, "5 minutes", "slow");
    // Eleven steps: just wrong.
    assert_eq!(
        refusal(c.totp_confirm(&s.code(&key, 11)).await).message,
        PLAIN
    );
    // Those were three failures: blocked now, even for the right code.
    assert_eq!(CODE_ACCOUNT.free, 3);
    assert_eq!(
        c.totp_confirm(&s.code(&key, 0)).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    // None of the near misses was taken as the code: after the block, the
    // current code confirms the app.
    s.advance(CODE_ACCOUNT.base_secs);
    assert!(matches!(
        c.totp_confirm(&s.code(&key, 0)).await.ok(),
        LoginResponse::Done { .. }
    ));
}

/// Judy with an app, at the code prompt of a new login, well after the
/// steps used while setting it up.
async fn judy_at_prompt(s: &TestServer) -> (Api, String) {
    let (api, key) = s.enrolled("judy@example.com").await;
    api.logout().await.ok();
    s.advance(15 * 60);
    let (c, answer) = s.password_login("judy@example.com").await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    (c, key)
}

#[tokio::test]
async fn at_login_a_clock_minutes_off_is_named() {
    let s = TestServer::start().await;
    let (c, key) = judy_at_prompt(&s).await;
    says_skew(
        &refusal(c.login_totp(&s.code(&key, -2)).await),
        "1 minute",
        "slow",
    );
    says_skew(
        &refusal(c.login_totp(&s.code(&key, 10)).await),
        "5 minutes",
        "fast",
    );
    assert_eq!(
        refusal(c.login_totp(&s.code(&key, -11)).await).message,
        PLAIN
    );
    assert_eq!(c.me().await.fail(), (401, ErrorCode::Unauthenticated));
    // Three near or far misses: blocked.
    assert_eq!(
        c.login_totp(&s.code(&key, 0)).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    s.advance(CODE_ACCOUNT.base_secs);
    // The step named ten ahead was burned: once the clock gets there (9
    // steps to go after the 30-second block), its code is refused. The
    // current code is good once the block that this fourth attempt in a
    // row brought is over.
    s.advance(9 * 30);
    assert_eq!(
        c.login_totp(&s.code(&key, 0)).await.fail(),
        (401, ErrorCode::CodeAlreadyUsed)
    );
    s.advance(CODE_ACCOUNT.delay(4));
    assert!(matches!(
        c.login_totp(&s.code(&key, 0)).await.ok(),
        LoginResponse::Done { .. }
    ));
}

#[tokio::test]
async fn a_code_the_hint_named_ahead_is_never_good_later() {
    let s = TestServer::start().await;
    let (c, key) = judy_at_prompt(&s).await;
    // A phone three steps fast: the hint, and that step is burned.
    let ahead = s.code(&key, 3);
    let burned_step = step_of(s.now()) + 3;
    says_skew(&refusal(c.login_totp(&ahead).await), "2 minutes", "fast");
    // When the clock gets there, the same code (seen typed, or relayed by
    // a page that got the hint) is refused, within the skew either side.
    s.advance(2 * 30);
    assert_eq!(s.code(&key, 1), ahead);
    assert_eq!(
        c.login_totp(&ahead).await.fail(),
        (401, ErrorCode::CodeAlreadyUsed)
    );
    s.next_step();
    assert_eq!(s.code(&key, 0), ahead);
    assert_eq!(
        c.login_totp(&ahead).await.fail(),
        (401, ErrorCode::CodeAlreadyUsed)
    );
    assert_eq!(c.me().await.fail(), (401, ErrorCode::Unauthenticated));
    // A slow phone's code burns nothing: that step is past for good. The
    // current code still signs in (only one wrong code was counted).
    says_skew(
        &refusal(c.login_totp(&s.code(&key, -3)).await),
        "2 minutes",
        "slow",
    );
    s.next_step();
    assert!(matches!(
        c.login_totp(&s.code(&key, 0)).await.ok(),
        LoginResponse::Done { .. }
    ));
    // Only the step ahead was burned.
    let burned: Vec<i64> = sqlx::query_scalar("SELECT step FROM totp_burned_steps")
        .fetch_all(&s.state.db)
        .await
        .unwrap();
    assert_eq!(burned, vec![burned_step]);
}

#[tokio::test]
async fn near_misses_alone_reach_the_block() {
    let s = TestServer::start().await;
    let (c, key) = judy_at_prompt(&s).await;
    for off in [3, -4, 7] {
        let body = refusal(c.login_totp(&s.code(&key, off)).await);
        assert!(body.message.contains("automatic date and time"), "{body:?}");
    }
    let blocked = c.login_totp(&s.code(&key, 0)).await.err();
    assert_eq!(
        (blocked.code, blocked.retry_after),
        (ErrorCode::TooManyAttempts, Some(30))
    );
}

#[tokio::test]
async fn proving_the_app_again_names_the_skew_too() {
    let s = TestServer::start().await;
    let (api, key) = s.enrolled("judy@example.com").await;
    s.advance(15 * 60);
    says_skew(
        &refusal(api.verify(&s.code(&key, 4)).await),
        "2 minutes",
        "fast",
    );
    api.verify(&s.code(&key, 0)).await.ok();
}
