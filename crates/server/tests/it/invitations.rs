//! Bringing people in: an administrator adds a user, who gets an email
//! with a one-time link; the link sets the password and goes on to MFA
//! setup before any signed-in session; setup links for an account with no
//! factor. Links: random, stored hashed, single use (on any instance),
//! short-lived, replaced by a newer one.

use portcullis_api::{ErrorCode, LinkPurpose, LoginResponse, MfaStatus, Role};
use serde_json::json;

use crate::admin_settings::patch;
use crate::fixtures::{token_of, TestServer, ADMIN, PASSWORD};

/// The link of the newest email of `kind` to `email`.
async fn emailed_link(s: &TestServer, email: &str, kind: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE to_addr = $1 AND kind = $2 ORDER BY created_at DESC, id DESC",
    )
    .bind(email)
    .bind(kind)
    .fetch_optional(&s.state.db)
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("no {kind} email to {email}"));
    body.split_whitespace()
        .find(|w| w.contains("/welcome#"))
        .unwrap_or_else(|| panic!("no link in {body}"))
        .to_string()
}

async fn events(s: &TestServer, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = $1")
        .bind(kind)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_added_user_is_invited_chooses_a_password_and_sets_up_mfa_before_signing_in() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    // New users must set up MFA, with a period.
    patch(
        &admin,
        &json!({ "require_new_users": true, "new_user_period": { "days": 5 } }),
    )
    .await
    .ok();
    let added = admin
        .add_user("  Zoe@Example.com ", " Zoë Zed ", Role::User)
        .await;
    assert_eq!(added.status, 201);
    let zoe = added.ok();
    assert_eq!(
        (zoe.email.as_str(), zoe.display_name.as_str(), zoe.invited),
        ("zoe@example.com", "Zoë Zed", true)
    );
    assert_eq!(zoe.mfa, MfaStatus::EnrollmentPeriod { days_left: 5 });
    assert_eq!(events(&s, "user_invited").await, 1);

    // No password signs an invited account in: the answer is the one for
    // a wrong password.
    let api = s.api();
    assert_eq!(
        api.login("zoe@example.com", "anything at all").await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );

    let link = emailed_link(&s, "zoe@example.com", "invitation").await;
    assert!(link.starts_with(&s.url("/welcome#")), "{link}");
    let token = token_of(&link);
    // Only a keyed hash of the token is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM user_links")
        .fetch_all(&s.state.db)
        .await
        .unwrap();
    assert!(!stored.contains(&token));

    let info = api.welcome_peek(&token).await.ok();
    assert_eq!(
        (info.email.as_str(), info.purpose),
        ("zoe@example.com", LinkPurpose::Invitation)
    );
    // A password that breaks the rules is refused in words (the meter's
    // check says the same first), and the link stays good. With no factor
    // yet, 15 characters at least.
    assert_eq!(info.min_password_chars, 15);
    for (bad, says) in [
        ("short", "at least 15 characters"),
        ("1q2w3e4r5t6y7u8i9o0p", "most common"),
        ("zoe is my secret word", "email address"),
    ] {
        let v: portcullis_api::PasswordVerdict = api
            .post(
                "/api/v1/welcome/check",
                &portcullis_api::WelcomeRequest {
                    token: token.clone(),
                    password: bad.into(),
                },
            )
            .await
            .ok();
        assert!(v.problems.iter().any(|p| p.contains(says)), "{bad}: {v:?}");
        let refused = api.welcome(&token, bad).await.err();
        assert_eq!(refused.code, ErrorCode::Conflict);
        assert!(refused.message.contains(says), "{}", refused.message);
    }
    // The right one: the login goes on to MFA setup, not signed in yet.
    let answer = api.welcome(&token, "a brand new passphrase").await;
    assert!(answer.session_cookie().is_some());
    assert_eq!(
        answer.ok(),
        LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(5)
        }
    );
    assert_eq!(api.me().await.fail(), (401, ErrorCode::Unauthenticated));
    s.enroll_app(&api).await;
    assert_eq!(api.me().await.ok().email, "zoe@example.com");
    assert_eq!(
        events(&s, "link_used").await,
        2,
        "the fixture admin's and hers"
    );

    // The link worked once; the password now works.
    let again = s
        .api()
        .welcome(&token, "a brand new passphrase")
        .await
        .err();
    assert_eq!(again.code, ErrorCode::NotFound);
    assert!(again
        .message
        .contains("Ask your administrator for a new one"));
    assert!(matches!(
        s.api()
            .login("zoe@example.com", "a brand new passphrase")
            .await
            .ok(),
        LoginResponse::Mfa { .. }
    ));
    let listed = admin.admin_users("?search=zoe").await.ok();
    assert!(!listed.users[0].invited);
}

#[tokio::test]
async fn bad_new_users_are_refused_in_words_and_nothing_is_written() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users")
            .fetch_one(&s.state.db)
            .await
            .unwrap()
    };
    let before = count().await;
    for (email, name, says) in [
        ("not-an-email", "Xi", "email address like"),
        ("", "Xi", "Enter an email address"),
        ("xi@example.com", "   ", "Enter the person's name"),
        ("xi@example.com", "a\nb", "control characters"),
        ("xi@example.com", &"x".repeat(101), "at most 100"),
    ] {
        let e = admin.add_user(email, name, Role::User).await.err();
        assert_eq!(e.code, ErrorCode::ValidationFailed, "{email:?} {name:?}");
        assert!(e.message.contains(says), "{}", e.message);
    }
    // Taken, whatever the case (Unicode lower-casing) and blanks.
    admin
        .add_user("Åsa@example.com", "Åsa", Role::User)
        .await
        .ok();
    for taken in ["åsa@example.com", " ÅSA@EXAMPLE.COM", "alice@EXAMPLE.com"] {
        let e = admin.add_user(taken, "Dup", Role::User).await.err();
        assert_eq!(e.code, ErrorCode::Conflict, "{taken}");
        assert!(e.message.contains("exists already"), "{}", e.message);
    }
    assert_eq!(count().await, before + 1);
}

#[tokio::test]
async fn only_a_billing_admin_adds_a_billing_admin_and_a_fresh_factor_is_needed() {
    let s = TestServer::start().await;
    let (billing, _) = s.admin().await;
    // grace, a plain administrator, with an app this test knows
    let grace_id = s.user_id(&billing, ADMIN).await;
    billing.reset_mfa(&grace_id, None).await.ok();
    let (grace, _) = s.enroll_by_link(ADMIN).await;
    assert_eq!(
        grace
            .add_user("boss@example.com", "Boss", Role::BillingAdmin)
            .await
            .fail(),
        (403, ErrorCode::Outranked)
    );
    grace
        .add_user("ops@example.com", "Ops", Role::Admin)
        .await
        .ok();
    // Eleven minutes after the last code, adding asks for a new one.
    s.advance(11 * 60);
    assert_eq!(
        grace
            .add_user("late@example.com", "Late", Role::User)
            .await
            .fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    // A user cannot add anyone.
    let (alice, _) = s.password_login("alice@example.com").await;
    assert_eq!(
        alice
            .add_user("x@example.com", "X", Role::User)
            .await
            .fail()
            .0,
        403
    );
}

#[tokio::test]
async fn a_new_invitation_replaces_the_old_and_links_expire() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let zoe = admin
        .add_user("zoe@example.com", "Zoe", Role::User)
        .await
        .ok();
    let first = token_of(&emailed_link(&s, "zoe@example.com", "invitation").await);
    admin.resend_invitation(&zoe.id).await.ok();
    let second = token_of(&emailed_link(&s, "zoe@example.com", "invitation").await);
    assert_ne!(first, second);
    assert_eq!(s.api().welcome_peek(&first).await.fail().0, 404);
    s.api().welcome_peek(&second).await.ok();
    // A setup link is not for an invited account.
    assert_eq!(
        admin.setup_link(&zoe.id).await.fail(),
        (409, ErrorCode::Conflict)
    );
    // Seven days later the link is dead.
    s.advance(7 * 86_400);
    let (admin, _) = s.admin().await;
    assert_eq!(
        s.api()
            .welcome(&second, "a brand new passphrase")
            .await
            .fail()
            .0,
        404
    );
    // Garbage is just as dead, and says nothing more.
    for bad in ["", "x", &"y".repeat(500)] {
        assert_eq!(s.api().welcome_peek(bad).await.fail().0, 404, "{bad:?}");
    }
    // Accepted, there is nothing to send again.
    admin.resend_invitation(&zoe.id).await.ok();
    let third = token_of(&emailed_link(&s, "zoe@example.com", "invitation").await);
    s.api().welcome(&third, "a brand new passphrase").await.ok();
    assert_eq!(
        admin.resend_invitation(&zoe.id).await.fail(),
        (409, ErrorCode::Conflict)
    );
}

#[tokio::test]
async fn after_an_admins_reset_the_resetting_admin_gets_a_setup_link_to_hand_over() {
    let s = TestServer::start().await;
    let (billing, _) = s.admin().await;
    let grace_id = s.user_id(&billing, ADMIN).await;
    // grace has a factor: no setup link.
    assert_eq!(
        billing.setup_link(&grace_id).await.fail(),
        (409, ErrorCode::Conflict)
    );
    billing.reset_mfa(&grace_id, None).await.ok();
    // Her password alone gets her nowhere now,
    let alone = s.api().login(ADMIN, PASSWORD).await.ok();
    assert!(matches!(alone, LoginResponse::Locked { .. }), "{alone:?}");
    // the link the resetting admin hands over does, with her password.
    let link = billing.setup_link(&grace_id).await.ok();
    assert!(link.expires_at > s.now());
    assert_eq!(
        events(&s, "setup_link_issued").await,
        2,
        "the fixture's, this one"
    );
    let api = s.api();
    let answer = api.welcome(&token_of(&link.url), PASSWORD).await.ok();
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: true,
            days_left: None
        }
    );
    // It was emailed to her too.
    assert_eq!(emailed_link(&s, ADMIN, "setup_link").await, link.url);
}

#[tokio::test]
async fn an_invitation_made_on_one_instance_is_used_once_on_another() {
    let s = TestServer::start().await;
    let other = s.second_instance().await;
    let (admin, _) = s.admin().await;
    admin
        .add_user("zoe@example.com", "Zoe", Role::User)
        .await
        .ok();
    let token = token_of(&emailed_link(&s, "zoe@example.com", "invitation").await);
    let on_b = crate::client::Api::new(&other);
    let on_a = s.api();
    // Both at once: one gets the session.
    let (b, a) = tokio::join!(
        on_b.welcome(&token, "a brand new passphrase"),
        on_a.welcome(&token, "a brand new passphrase")
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 404]);
}

#[tokio::test]
async fn odd_but_valid_names_and_addresses_are_taken() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let added = admin
        .add_user(
            "z|t%y_6d@rryl.0.io",
            "\u{e51f}z\u{d7}N\u{71830}\u{131}\u{f7}h\u{a1528}[",
            Role::User,
        )
        .await;
    assert_eq!(added.status, 201, "{:?}", added.body);
}
