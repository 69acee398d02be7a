//! How many sessions a user holds and when they end besides the timeouts:
//! the oldest gives way to a new one, resets end the others, and sessions
//! that only an enrollment period allowed end with it.

use portcullis_api::{ErrorCode, LoginResponse};
use portcullis_server::config::Settings;

use crate::client::Api;
use crate::fixtures::TestServer;

const ALICE: &str = "alice@example.com";
/// In a 7-day enrollment period in the demo.
const CAROL: &str = "carol@example.com";
const DAY: i64 = 86_400;

/// Sessions that neither idle nor the absolute lifetime end within the
/// test, so what ends them is the rule under test.
fn long_sessions() -> Settings {
    Settings {
        session_idle_secs: 30 * DAY,
        session_absolute_secs: 30 * DAY,
        ..Settings::default()
    }
}

async fn assert_ended(api: &Api, who: &str) {
    assert_eq!(
        api.me().await.fail(),
        (401, ErrorCode::Unauthenticated),
        "{who}"
    );
}

/// Signs alice (nothing required) in with the password alone.
async fn alice_signed_in(s: &TestServer) -> Api {
    let (api, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    api
}

#[tokio::test]
async fn a_new_session_beyond_the_limit_ends_the_oldest() {
    let s = TestServer::start_with(Settings {
        max_sessions_per_user: 3,
        ..Settings::default()
    })
    .await;
    let mut sessions = Vec::new();
    for _ in 0..4 {
        // a second apart, so "oldest" is well defined
        s.advance(1);
        sessions.push(alice_signed_in(&s).await);
    }
    assert_ended(&sessions[0], "the oldest of 4").await;
    for api in &sessions[1..] {
        api.me().await.ok();
    }
    // One more: now the second is the oldest, even though just used.
    s.advance(1);
    sessions.push(alice_signed_in(&s).await);
    assert_ended(&sessions[1], "the oldest of the next 4").await;
    for api in &sessions[2..] {
        api.me().await.ok();
    }
}

#[tokio::test]
async fn a_new_session_is_kept_when_many_were_made_in_the_same_second() {
    let s = TestServer::start_with(Settings {
        max_sessions_per_user: 3,
        ..Settings::default()
    })
    .await;
    // The clock stands still: every session has the same `created_at`,
    // and the newest must still be one of the three kept.
    for round in 0..12 {
        let api = alice_signed_in(&s).await;
        assert_eq!(
            api.me().await.status,
            200,
            "login {round} was ended at once"
        );
    }
}

#[tokio::test]
async fn resetting_ones_own_app_ends_the_other_sessions_only() {
    let s = TestServer::start().await;
    let (current, key) = s.enrolled(ALICE).await;
    let other = s.login_with_code(ALICE, &key).await;
    let (half, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    other.me().await.ok();
    half.mfa().await.ok();

    current.totp_reset(&s.code(&key, 0)).await.ok();
    current.me().await.ok();
    assert_ended(&other, "another signed-in session").await;
    assert_eq!(
        half.mfa().await.fail(),
        (401, ErrorCode::Unauthenticated),
        "a login in progress"
    );
}

#[tokio::test]
async fn an_admin_reset_ends_all_the_users_sessions() {
    let s = TestServer::start().await;
    let (first, key) = s.enrolled(ALICE).await;
    let second = s.login_with_code(ALICE, &key).await;
    first.me().await.ok();
    second.me().await.ok();

    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    admin.reset_mfa(&id, Some(7)).await.ok();
    assert_ended(&first, "first").await;
    assert_ended(&second, "second").await;
    // only the user's: the admin's own session goes on
    admin.me().await.ok();
}

#[tokio::test]
async fn a_remind_me_later_session_ends_with_the_enrollment_period() {
    let s = TestServer::start_with(long_sessions()).await;
    let (carol, answer) = s.password_login(CAROL).await;
    assert!(
        matches!(
            answer,
            LoginResponse::Enroll {
                mandatory: false,
                days_left: Some(7)
            }
        ),
        "{answer:?}"
    );
    let deadline = carol.mfa().await.ok().deadline.expect("a deadline");
    assert!(
        matches!(
            carol.skip_enrollment().await.ok(),
            LoginResponse::Done { .. }
        ),
        "postponed"
    );

    // Used a second before the deadline, and still it ends there.
    s.advance(deadline - 1 - s.now());
    carol.me().await.ok();
    s.advance(1);
    assert_ended(&carol, "at the deadline").await;
}

#[tokio::test]
async fn require_mfa_caps_password_only_sessions_to_the_new_deadline() {
    let s = TestServer::start_with(long_sessions()).await;
    let alice = alice_signed_in(&s).await;

    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    let user = admin.require_mfa(&id, Some(1)).await.ok();
    let deadline = user.deadline.expect("a deadline");
    assert!(deadline > s.now() && deadline <= s.now() + DAY);

    s.advance(deadline - 1 - s.now());
    alice.me().await.ok();
    s.advance(1);
    assert_ended(&alice, "at the deadline").await;
}
