//! The user's side of TOTP MFA: the status across the enrollment period,
//! enrollment, codes at login (skew, replay, throttling), resetting one's
//! own app, "remind me later", the 24-hour reminder, and how the demo
//! users in each MFA state log in.

use portcullis_api::{ErrorCode, FactorKind, LoginResponse, MfaStatus, TotpState};
use portcullis_server::rules::requirement::DAY;
use portcullis_server::{demo, jobs, notify};

use crate::fixtures::{TestServer, BILLING_ADMIN, PASSWORD};

/// The emails queued for `email` so far, by kind.
async fn mails(s: &TestServer, email: &str) -> Vec<String> {
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, email).await;
    notify::kinds_for(&s.state.db, &id).await.unwrap()
}

#[tokio::test]
async fn status_across_the_enrollment_period() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, "ivan@example.com").await;
    let u = admin.require_mfa(&id, Some(7)).await.ok();
    assert_eq!(u.mfa, MfaStatus::EnrollmentPeriod { days_left: 7 });
    let deadline = u.deadline.expect("a 7-day period has a deadline");

    let login = || async { s.api().login("ivan@example.com", PASSWORD).await };
    assert_eq!(
        login().await.ok(),
        LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(7)
        }
    );
    // The last second of the last day: one day left, still skippable.
    s.advance(deadline - 1 - s.now());
    assert_eq!(
        login().await.ok(),
        LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(1)
        }
    );
    // At the deadline: locked, and no session is created.
    s.advance(1);
    let answer = login().await;
    assert_eq!(answer.status, 200);
    assert!(answer.session_cookie().is_none(), "{:?}", answer.headers);
    match answer.ok() {
        LoginResponse::Locked { message } => {
            assert!(message.contains("administrator"), "{message}")
        }
        other => panic!("expected locked, got {other:?}"),
    }
    // A day later: still locked (nothing lifts it but an administrator).
    s.advance(DAY);
    assert!(matches!(login().await.ok(), LoginResponse::Locked { .. }));

    // An admin's Reset MFA starts a new period from today.
    let (admin, _) = s.admin().await;
    let u = admin.reset_mfa(&id, Some(3)).await.ok();
    assert_eq!(u.mfa, MfaStatus::EnrollmentPeriod { days_left: 3 });
    assert_eq!(u.deadline, Some(s.now() + 3 * DAY));
    assert_eq!(
        login().await.ok(),
        LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(3)
        }
    );
}

#[tokio::test]
async fn enrollment_activates_the_factor_only_after_a_valid_first_code() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, "ivan@example.com").await;
    // No period given: the default of 7 days.
    admin
        .post::<serde_json::Value>(
            &format!("/api/v1/admin/users/{id}/require-mfa"),
            &serde_json::json!({}),
        )
        .await
        .ok();

    let c = s.api();
    let login = c.login("ivan@example.com", PASSWORD).await;
    let first = login
        .session_cookie()
        .expect("a session for the enrollment");
    assert!(matches!(login.ok(), LoginResponse::Enroll { .. }));

    // Password only: no portal, but the MFA endpoints.
    assert_eq!(c.me().await.fail(), (401, ErrorCode::Unauthenticated));
    let m = c.mfa().await.ok();
    assert_eq!(m.status, MfaStatus::EnrollmentPeriod { days_left: 7 });
    assert_eq!(m.totp, TotpState::NotSetUp);

    let e = c.totp_enroll().await.ok();
    let secret = e.secret.clone();
    assert_eq!(secret.len(), 32, "160-bit key in base32");
    assert_eq!(
        e.uri,
        format!("otpauth://totp/Portcullis:ivan@example.com?secret={secret}&issuer=Portcullis&algorithm=SHA1&digits=6&period=30")
    );
    assert_eq!(c.mfa().await.ok().totp, TotpState::Pending);

    // A wrong first code leaves it pending; a malformed one is explained.
    let wrong = s.wrong_code(&secret);
    assert_eq!(
        c.totp_confirm(&wrong).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    let malformed = c.totp_confirm("12345").await;
    assert_eq!(malformed.status, 422);
    let body = malformed.err();
    assert_eq!(body.code, ErrorCode::ValidationFailed);
    assert_eq!(
        body.message,
        "Enter the 6-digit code from your authenticator app."
    );
    assert_eq!(c.mfa().await.ok().totp, TotpState::Pending);
    assert_eq!(c.me().await.fail(), (401, ErrorCode::Unauthenticated));

    let done = c.totp_confirm(&s.code(&secret, 0)).await;
    let second = done.session_cookie().expect("a new session id after MFA");
    assert_ne!(first, second);
    assert!(matches!(done.ok(), LoginResponse::Done { .. }));
    assert_eq!(c.me().await.ok().email, "ivan@example.com");
    let m = c.mfa().await.ok();
    assert_eq!(m.status, MfaStatus::Active);
    assert_eq!(
        m.totp,
        TotpState::Active {
            since: s.now(),
            on_device: false
        }
    );

    // Enrolling again is refused while one is active.
    assert_eq!(c.totp_enroll().await.fail(), (409, ErrorCode::AlreadySetUp));
    assert_eq!(
        mails(&s, "ivan@example.com").await,
        ["mfa_required", "mfa_setup_complete"]
    );
}

/// A new login of judy, at the code prompt.
async fn at_code_prompt(s: &TestServer) -> crate::client::Api {
    let (c, answer) = s.password_login("judy@example.com").await;
    assert_eq!(
        answer,
        LoginResponse::Mfa {
            factors: vec![FactorKind::Totp]
        }
    );
    c
}

#[tokio::test]
async fn login_with_a_code_accepts_one_step_of_skew_and_no_replay() {
    let s = TestServer::start().await;
    let (c, key) = s.enrolled("judy@example.com").await;
    c.logout().await.ok();
    // Well past the step used at enrollment.
    s.advance(120);

    // Two steps off either way: refused.
    let c = at_code_prompt(&s).await;
    for off in [-2, 2] {
        assert_eq!(
            c.login_totp(&s.code(&key, off)).await.fail(),
            (401, ErrorCode::WrongCode),
            "offset {off}"
        );
    }
    // One step behind (a phone running slow): accepted.
    assert!(matches!(
        c.login_totp(&s.code(&key, -1)).await.ok(),
        LoginResponse::Done { .. }
    ));
    assert_eq!(c.me().await.status, 200);

    // The same code again (a replay, e.g. by a shoulder-surfer): refused.
    let c2 = at_code_prompt(&s).await;
    assert_eq!(
        c2.login_totp(&s.code(&key, -1)).await.fail(),
        (401, ErrorCode::CodeAlreadyUsed)
    );
    // The current step is newer: accepted once, then a replay too.
    c2.login_totp(&s.code(&key, 0)).await.ok();
    let c3 = at_code_prompt(&s).await;
    assert_eq!(
        c3.login_totp(&s.code(&key, 0)).await.fail(),
        (401, ErrorCode::CodeAlreadyUsed)
    );
    // One step ahead (a phone running fast): accepted; after it, the
    // older current step is a replay as well.
    c3.login_totp(&s.code(&key, 1)).await.ok();
    let c4 = at_code_prompt(&s).await;
    assert_eq!(
        c4.login_totp(&s.code(&key, 0)).await.fail(),
        (401, ErrorCode::CodeAlreadyUsed)
    );
    assert_eq!(c4.me().await.fail(), (401, ErrorCode::Unauthenticated));
}

#[tokio::test]
async fn wrong_codes_are_throttled_until_the_block_ends() {
    let s = TestServer::start().await;
    let (_, key) = s.enrolled("mallory@example.com").await;
    let (c, _) = s.password_login("mallory@example.com").await;
    let bad = s.wrong_code(&key);
    for _ in 0..3 {
        assert_eq!(c.login_totp(&bad).await.fail(), (401, ErrorCode::WrongCode));
    }
    // Blocked, even for the right code.
    let blocked = c.login_totp(&s.code(&key, 0)).await;
    assert_eq!(blocked.status, 429);
    assert_eq!(
        blocked.headers.get("retry-after").map(|v| v.as_bytes()),
        Some(&b"30"[..])
    );
    let body = blocked.err();
    assert_eq!(
        (body.code, body.retry_after),
        (ErrorCode::TooManyAttempts, Some(30))
    );
    s.advance(29);
    assert_eq!(
        c.login_totp(&s.code(&key, 0)).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    s.advance(1);
    // One more failure after the block doubles it.
    let bad = s.wrong_code(&key);
    assert_eq!(c.login_totp(&bad).await.fail(), (401, ErrorCode::WrongCode));
    let blocked = c.login_totp(&s.code(&key, 0)).await.err();
    assert_eq!(
        (blocked.code, blocked.retry_after),
        (ErrorCode::TooManyAttempts, Some(60))
    );
    s.advance(59);
    assert_eq!(
        c.login_totp(&s.code(&key, 0)).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    s.advance(1);
    assert!(matches!(
        c.login_totp(&s.code(&key, 0)).await.ok(),
        LoginResponse::Done { .. }
    ));
}

#[tokio::test]
async fn reset_needs_a_valid_code_then_leads_to_a_new_enrollment() {
    let s = TestServer::start().await;
    let (c, key) = s.enrolled("ivan@example.com").await;
    assert_eq!(
        c.totp_reset(&s.wrong_code(&key)).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    assert!(
        matches!(c.mfa().await.ok().totp, TotpState::Active { .. }),
        "a wrong code must not remove the app"
    );

    let m = c.totp_reset(&s.code(&key, 0)).await.ok();
    assert_eq!(m.totp, TotpState::NotSetUp);
    // Still required: set up now (in this session) or at the next login.
    assert_eq!(m.status, MfaStatus::RequiredNoPeriod);
    // Nothing left to reset.
    assert_eq!(
        c.totp_reset(&s.code(&key, 0)).await.fail(),
        (409, ErrorCode::FactorNotSetUp)
    );

    // Straight into a new enrollment, same session, same time step: the
    // last used step belonged to the removed app, so the new app's first
    // code is good at once.
    let new_key = c.totp_enroll().await.ok().secret;
    assert_ne!(new_key, key);
    assert!(matches!(
        c.totp_confirm(&s.code(&new_key, 0)).await.ok(),
        LoginResponse::Done { .. }
    ));
    // ...but only once: the same code again is a replay.
    assert_eq!(
        c.verify(&s.code(&new_key, 0)).await.fail(),
        (401, ErrorCode::CodeAlreadyUsed)
    );
    assert_eq!(c.mfa().await.ok().status, MfaStatus::Active);
    assert_eq!(
        mails(&s, "ivan@example.com").await,
        [
            "mfa_required",
            "mfa_setup_complete",
            "authenticator_removed",
            "mfa_setup_complete"
        ]
    );

    // A half-signed-in session cannot reset.
    c.logout().await.ok();
    s.next_step();
    let (c, answer) = s.password_login("ivan@example.com").await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    assert_eq!(
        c.totp_reset(&s.code(&new_key, 0)).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    assert!(matches!(c.mfa().await.ok().totp, TotpState::Active { .. }));
}

#[tokio::test]
async fn remind_me_later_only_while_days_are_left() {
    let s = TestServer::start().await;
    s.require("ivan@example.com", Some(2)).await;
    let (c, answer) = s.password_login("ivan@example.com").await;
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(2)
        }
    );
    assert!(matches!(
        c.skip_enrollment().await.ok(),
        LoginResponse::Done { .. }
    ));
    assert_eq!(c.me().await.ok().email, "ivan@example.com");

    // No period: mandatory, cannot be skipped.
    s.require("judy@example.com", None).await;
    let (c, answer) = s.password_login("judy@example.com").await;
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: true,
            days_left: None
        }
    );
    assert_eq!(
        c.skip_enrollment().await.fail(),
        (403, ErrorCode::NotAllowedNow)
    );
    assert_eq!(c.me().await.fail(), (401, ErrorCode::Unauthenticated));
}

#[tokio::test]
async fn the_24_hour_reminder_goes_out_once() {
    let s = TestServer::start().await;
    // The demo's last-day user (dave) is due at once: send it out of the way.
    assert_eq!(jobs::send_reminders(&s.state).await.unwrap(), 1);

    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, "ivan@example.com").await;
    // 5 days: not the same deadline as the demo's 7-day user.
    let deadline = admin.require_mfa(&id, Some(5)).await.ok().deadline.unwrap();
    let reminders = || async {
        notify::kinds_for(&s.state.db, &id)
            .await
            .unwrap()
            .into_iter()
            .filter(|k| k == "mfa_reminder")
            .count()
    };

    s.advance(deadline - DAY - 1 - s.now());
    assert_eq!(jobs::send_reminders(&s.state).await.unwrap(), 0);
    assert_eq!(reminders().await, 0);
    s.advance(1);
    assert_eq!(jobs::send_reminders(&s.state).await.unwrap(), 1);
    assert_eq!(reminders().await, 1);
    // Every later run in the last day finds nothing new to send.
    s.advance(3600);
    assert_eq!(jobs::send_reminders(&s.state).await.unwrap(), 0);
    assert_eq!(reminders().await, 1);

    // A new deadline earns a new reminder.
    let (admin, _) = s.admin().await;
    let deadline = admin.require_mfa(&id, Some(2)).await.ok().deadline.unwrap();
    s.advance(deadline - DAY - s.now());
    assert_eq!(jobs::send_reminders(&s.state).await.unwrap(), 1);
    assert_eq!(reminders().await, 2);
}

#[tokio::test]
async fn demo_users_in_mfa_states_log_in_accordingly() {
    let s = TestServer::start().await;
    let mfa = || LoginResponse::Mfa {
        factors: vec![FactorKind::Totp],
    };
    let enroll = |mandatory, days_left| LoginResponse::Enroll {
        mandatory,
        days_left,
    };
    let cases = [
        // required, set up
        ("bob@example.com", Some(mfa())),
        // set up although not required
        ("frank@example.com", Some(mfa())),
        // an admin with an app
        ("grace@example.com", Some(mfa())),
        // in the period
        ("carol@example.com", Some(enroll(false, Some(7)))),
        // the last day: 20 hours left count as one day
        ("dave@example.com", Some(enroll(false, Some(1)))),
        // required with no period
        ("heidi@example.com", Some(enroll(true, None))),
        // the billing admin without a factor: the password alone cannot
        // set one up for an administrator (a setup link can)
        (
            BILLING_ADMIN,
            Some(LoginResponse::Locked {
                message: portcullis_server::login::flow::SETUP_LINK_MESSAGE.to_string(),
            }),
        ),
        // neither required nor set up
        ("alice@example.com", None),
        ("ivan@example.com", None),
        ("judy@example.com", None),
        ("mallory@example.com", None),
    ];
    let mut covered: Vec<&str> = cases.iter().map(|(email, _)| *email).collect();
    for (email, expected) in cases {
        let answer = s.api().login(email, PASSWORD).await.ok();
        match expected {
            Some(e) => assert_eq!(answer, e, "{email}"),
            None => assert!(matches!(answer, LoginResponse::Done { .. }), "{email}"),
        }
    }
    let locked = s.api().login("erin@example.com", PASSWORD).await;
    assert!(locked.session_cookie().is_none());
    assert!(
        matches!(locked.ok(), LoginResponse::Locked { .. }),
        "erin's period ended"
    );
    // Every demo user is covered: a new demo state needs a case here.
    covered.push("erin@example.com");
    covered.sort_unstable();
    let mut all: Vec<&str> = demo::USERS.iter().map(|(email, ..)| *email).collect();
    all.sort_unstable();
    assert_eq!(covered, all);
}

#[tokio::test]
async fn a_restarted_enrollment_cannot_be_confirmed_with_the_old_key() {
    let s = TestServer::start().await;
    s.require("ivan@example.com", Some(7)).await;
    let (c, _) = s.password_login("ivan@example.com").await;
    let old = c.totp_enroll().await.ok().secret;
    let new = c.totp_enroll().await.ok().secret;
    assert_ne!(old, new);
    assert_eq!(
        c.totp_confirm(&s.code(&old, 0)).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    assert_eq!(c.mfa().await.ok().totp, TotpState::Pending);
    assert!(matches!(
        c.totp_confirm(&s.code(&new, 0)).await.ok(),
        LoginResponse::Done { .. }
    ));
}

/// The MFA prompt names the account it verifies (for "Not you?"), and the
/// enrollment's chooser offers only the kinds the organisation allows.
#[tokio::test]
async fn the_overview_names_the_account_and_the_kinds_allowed() {
    let s = TestServer::start().await;
    s.enrolled("judy@example.com").await;
    let c = at_code_prompt(&s).await;
    let o = c.mfa().await.ok();
    assert_eq!(o.email.as_deref(), Some("judy@example.com"));
    assert_eq!(
        o.allowed,
        [FactorKind::Totp, FactorKind::Webauthn, FactorKind::Push]
    );

    let (admin, _) = s.admin().await;
    crate::admin_settings::patch(
        &admin,
        &serde_json::json!({ "allowed_factors": ["totp", "push"] }),
    )
    .await
    .ok();
    assert_eq!(
        c.mfa().await.ok().allowed,
        [FactorKind::Totp, FactorKind::Push]
    );
    // The same for a signed-in user: the Security page's chooser.
    assert_eq!(admin.mfa().await.ok().email.as_deref(), Some(BILLING_ADMIN));
}
