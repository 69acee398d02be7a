//! Changing one's own password: the current one, a recent second factor
//! when the account has one, the new one's rules; every other session
//! ends, the user is emailed, and only the new password signs in.

use portcullis_api::{EndedSessions, ErrorCode, PasswordChange};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, PASSWORD};

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";
const NEW: &str = "a brand new passphrase";

async fn change(api: &Api, current: &str, new: &str) -> Answer<EndedSessions> {
    api.post(
        "/api/v1/password",
        &PasswordChange {
            current_password: current.to_string(),
            new_password: new.to_string(),
        },
    )
    .await
}

async fn emails(s: &TestServer, email: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT o.kind FROM outbox o JOIN users u ON u.id = o.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_all(&s.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_change_ends_the_other_sessions_and_only_the_new_password_signs_in() {
    let s = TestServer::start().await;
    let (api, _) = s.password_login(ALICE).await;
    let (elsewhere, _) = s.password_login(ALICE).await;
    let done = change(&api, PASSWORD, NEW).await.ok();
    assert_eq!(done.ended, 1);
    // This session goes on; the other one is signed out.
    api.me().await.ok();
    assert_eq!(
        elsewhere.me().await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    assert_eq!(
        s.api().login(ALICE, PASSWORD).await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );
    s.api().login(ALICE, NEW).await.ok();
    assert!(emails(&s, ALICE)
        .await
        .contains(&"password_changed".to_string()));
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM audit_events WHERE kind LIKE 'password%'")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(kinds, vec!["password_changed"]);
}

#[tokio::test]
async fn the_current_password_and_the_rules_are_checked_in_words() {
    let s = TestServer::start().await;
    let (api, _) = s.password_login(ALICE).await;
    let wrong = change(&api, "not my password", NEW).await.err();
    assert_eq!(wrong.code, ErrorCode::InvalidCredentials);
    assert_eq!(wrong.message, "The current password is wrong.");
    // A wrong current password is not a lost session: still signed in.
    api.me().await.ok();
    let short = change(&api, PASSWORD, "short").await;
    assert_eq!(short.status, 409);
    assert!(short.err().message.contains("at least 15 characters"));
    let same = change(&api, PASSWORD, PASSWORD).await.err();
    assert!(same.message.contains("the one you have now"), "{same:?}");
    let empty = change(&api, "", NEW).await.err();
    assert_eq!(empty.message, "Enter your current password.");
    // Nothing changed.
    s.api().login(ALICE, PASSWORD).await.ok();
}

#[tokio::test]
async fn wrong_current_passwords_are_slowed_down_and_recorded() {
    let s = TestServer::start().await;
    let (api, _) = s.password_login(ALICE).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(change(&api, "guess", NEW).await.status);
    }
    assert_eq!(statuses[..3], [401, 401, 401]);
    assert_eq!(statuses[3], 429, "{statuses:?}");
    let refused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'password_change_refused'",
    )
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert_eq!(refused, 3);
    // The login's own counters are untouched: the password still signs in.
    s.api().login(ALICE, PASSWORD).await.ok();
}

#[tokio::test]
async fn with_a_second_factor_it_needs_one_from_the_last_ten_minutes() {
    let s = TestServer::start().await;
    let (api, key) = s.enrolled(IVAN).await;
    s.advance(11 * 60);
    let stale = change(&api, PASSWORD, NEW).await;
    assert_eq!(stale.fail(), (403, ErrorCode::ReauthenticationRequired));
    s.next_step();
    api.verify(&s.code(&key, 0)).await.ok();
    change(&api, PASSWORD, NEW).await.ok();
    let answer = s.api().login(IVAN, NEW).await.ok();
    assert!(
        matches!(answer, portcullis_api::LoginResponse::Mfa { .. }),
        "{answer:?}"
    );
}

#[tokio::test]
async fn a_login_in_progress_cannot_change_the_password() {
    let s = TestServer::start().await;
    s.enrolled(IVAN).await;
    let (half, _) = s.password_login(IVAN).await;
    assert_eq!(
        change(&half, PASSWORD, NEW).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
}

async fn verdict(api: &Api, password: &str) -> portcullis_api::PasswordVerdict {
    api.post(
        "/api/v1/password/check",
        &portcullis_api::PasswordCheck {
            password: password.to_string(),
        },
    )
    .await
    .ok()
}

#[tokio::test]
async fn the_new_password_follows_the_policy_and_the_check_agrees_with_the_change() {
    let s = TestServer::start().await;
    // alice has no second factor: 15 characters at least.
    let (alice, _) = s.password_login(ALICE).await;
    let v = verdict(&alice, "fourteen chars").await;
    assert_eq!(v.min_chars, 15);
    assert!(
        v.problems[0].contains("at least 15 characters (14 now)"),
        "{v:?}"
    );
    for (new, says) in [
        ("fourteen chars", "at least 15 characters"),
        ("1q2w3e4r5t6y7u8i9o0p", "most common"),
        ("my name is alice, hello", "email address"),
        ("anders on the long road", "your name"),
    ] {
        // The check and the change say the same.
        let v = verdict(&alice, new).await;
        assert!(v.problems.iter().any(|p| p.contains(says)), "{new}: {v:?}");
        let e = change(&alice, PASSWORD, new).await.err();
        assert_eq!(e.code, ErrorCode::Conflict, "{new}");
        assert!(e.message.contains(says), "{new}: {}", e.message);
    }
    assert!(verdict(&alice, NEW).await.problems.is_empty());
    // With a second factor, 8 characters do.
    let (ivan, _) = s.enrolled(IVAN).await;
    let v = verdict(&ivan, "vexed ot").await;
    assert_eq!((v.min_chars, v.problems.len()), (8, 0), "{v:?}");
    change(&ivan, PASSWORD, "vexed ot").await.ok();
    // Not signed in: no verdict.
    let anonymous = s.api();
    let refused = anonymous
        .post::<portcullis_api::PasswordVerdict>(
            "/api/v1/password/check",
            &portcullis_api::PasswordCheck {
                password: NEW.into(),
            },
        )
        .await;
    assert_eq!(refused.fail(), (401, ErrorCode::Unauthenticated));
}
