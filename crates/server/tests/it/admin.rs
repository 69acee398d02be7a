//! The administrator's side of MFA: validating the enrollment period, who
//! may use the admin API (and on whom), the users list, and what an admin
//! reset does to the user's sessions.

use portcullis_api::{AdminUser, ErrorCode, LoginResponse, MfaStatus, TotpState};
use portcullis_server::mfa::totp::STEP_SECS;
use portcullis_server::rules::requirement::DAY;
use portcullis_server::{demo, notify};
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, ADMIN, BILLING_ADMIN, PASSWORD};

/// `POST /api/v1/admin/users/{id}/{action}` with a raw JSON body (the
/// typed client cannot send an absent field or a negative number).
async fn admin_post(admin: &Api, id: &str, action: &str, body: Value) -> Answer<AdminUser> {
    admin
        .post(&format!("/api/v1/admin/users/{id}/{action}"), &body)
        .await
}

#[tokio::test]
async fn period_validation() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, "ivan@example.com").await;
    for action in ["require-mfa", "reset-mfa"] {
        for bad in [0, 366] {
            let answer = admin_post(&admin, &id, action, json!({ "period_days": bad })).await;
            assert_eq!(answer.status, 422, "{action} {bad}");
            let body = answer.err();
            assert_eq!(body.code, ErrorCode::ValidationFailed);
            assert_eq!(
                body.message,
                format!("The enrollment period must be between 1 and 365 days (got {bad}).")
            );
        }
        let (status, code) = admin_post(&admin, &id, action, json!({ "period_days": -3 }))
            .await
            .fail();
        assert_eq!(
            (status, code),
            (422, ErrorCode::ValidationFailed),
            "{action}"
        );
    }
    // Refused periods changed nothing.
    let page = admin.admin_users("?search=ivan@").await.ok();
    assert_eq!(page.users[0].mfa, MfaStatus::None);
    assert!(notify::kinds_for(&s.state.db, &id)
        .await
        .unwrap()
        .is_empty());

    // The bounds themselves are allowed.
    let u = admin_post(&admin, &id, "require-mfa", json!({ "period_days": 365 }))
        .await
        .ok();
    assert_eq!(u.mfa, MfaStatus::EnrollmentPeriod { days_left: 365 });
    let u = admin_post(&admin, &id, "require-mfa", json!({ "period_days": 1 }))
        .await
        .ok();
    assert_eq!(u.mfa, MfaStatus::EnrollmentPeriod { days_left: 1 });
    assert_eq!(u.deadline, Some(s.now() + DAY));
    // null: no period at all.
    let u = admin_post(&admin, &id, "require-mfa", json!({ "period_days": null }))
        .await
        .ok();
    assert_eq!(
        (u.mfa, u.mfa_required, u.deadline),
        (MfaStatus::RequiredNoPeriod, true, None)
    );
    // Absent: the default of 7 days.
    let u = admin_post(&admin, &id, "require-mfa", json!({})).await.ok();
    assert_eq!(u.mfa, MfaStatus::EnrollmentPeriod { days_left: 7 });
    assert_eq!(u.deadline, Some(s.now() + 7 * DAY));
}

#[tokio::test]
async fn the_admin_api_is_for_admins_with_a_second_factor() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let list = |c: Api| async move { c.admin_users("").await.fail() };

    // No session.
    assert_eq!(list(s.api()).await, (401, ErrorCode::Unauthenticated));
    assert_eq!(
        s.api().require_mfa(&ivan, Some(7)).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    // A user signed in with the password only, and one with a second factor:
    // neither is an administrator.
    let (alice, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }));
    assert_eq!(list(alice.clone()).await, (403, ErrorCode::Forbidden));
    let (judy, _) = s.enrolled("judy@example.com").await;
    assert_eq!(list(judy.clone()).await, (403, ErrorCode::Forbidden));
    for c in [&alice, &judy] {
        assert_eq!(
            c.require_mfa(&ivan, Some(7)).await.fail(),
            (403, ErrorCode::Forbidden)
        );
        assert_eq!(
            c.reset_mfa(&ivan, Some(7)).await.fail(),
            (403, ErrorCode::Forbidden)
        );
        assert_eq!(c.unlock(&ivan).await.fail(), (403, ErrorCode::Forbidden));
    }
    // An administrator half-way through the login has no session for it.
    let (half, answer) = s.password_login(BILLING_ADMIN).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    assert_eq!(list(half).await, (401, ErrorCode::Unauthenticated));
    // A session that no second factor proved: alice, made an administrator
    // while signed in with her password only.
    sqlx::query("UPDATE users SET role = 'admin' WHERE email = 'alice@example.com'")
        .execute(&s.state.db)
        .await
        .unwrap();
    assert_eq!(list(alice.clone()).await, (403, ErrorCode::MfaRequired));
    assert_eq!(
        alice.require_mfa(&ivan, Some(7)).await.fail(),
        (403, ErrorCode::MfaRequired)
    );

    // The real administrator: an unknown id is 404.
    assert_eq!(
        admin.require_mfa("no-such-id", Some(7)).await.fail(),
        (404, ErrorCode::NotFound)
    );
}

#[tokio::test]
async fn changes_need_a_recent_second_factor() {
    let s = TestServer::start().await;
    let (admin, key) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    // `s.admin()` passed the code one TOTP step ago.
    let proven_at = s.now() - STEP_SECS;
    let fresh = s.state.settings.fresh_mfa_secs;
    // The last second in which the factor counts as recent.
    s.advance(proven_at + fresh - 1 - s.now());
    assert_eq!(
        admin.require_mfa(&ivan, Some(7)).await.ok().mfa,
        MfaStatus::EnrollmentPeriod { days_left: 7 }
    );
    s.advance(1);
    // Reading is still allowed; changing someone's MFA is not.
    admin.admin_users("").await.ok();
    for answer in [
        admin.require_mfa(&ivan, Some(7)).await.fail(),
        admin.reset_mfa(&ivan, Some(7)).await.fail(),
        admin.unrequire_mfa(&ivan).await.fail(),
        admin.unlock(&ivan).await.fail(),
    ] {
        assert_eq!(answer, (403, ErrorCode::ReauthenticationRequired));
    }
    // A wrong code does not renew it.
    // (a code no step within the skew yields)
    let window: Vec<String> = (-1..=1).map(|off| s.code(&key, off)).collect();
    let wrong = ["000000", "111111", "222222", "333333"]
        .into_iter()
        .find(|c| !window.iter().any(|w| w == c))
        .unwrap();
    assert_eq!(
        admin.verify(wrong).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    assert_eq!(
        admin.require_mfa(&ivan, None).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    // A code proves it again.
    admin.verify(&s.code(&key, 0)).await.ok();
    assert_eq!(
        admin.require_mfa(&ivan, None).await.ok().mfa,
        MfaStatus::RequiredNoPeriod
    );
}

#[tokio::test]
async fn admins_cannot_change_their_own_mfa_nor_a_higher_role() {
    let s = TestServer::start().await;
    let (billing, _) = s.admin().await;
    let billing_id = s.user_id(&billing, BILLING_ADMIN).await;
    let grace_id = s.user_id(&billing, ADMIN).await;
    assert_eq!(
        billing.reset_mfa(&billing_id, Some(7)).await.fail(),
        (403, ErrorCode::Outranked)
    );
    // A billing admin may change an admin's: here, to give grace an app
    // whose key this test knows. Admins get no enrollment period.
    let u = billing.reset_mfa(&grace_id, Some(7)).await.ok();
    assert_eq!(
        (u.mfa, u.totp),
        (MfaStatus::RequiredNoPeriod, TotpState::NotSetUp)
    );
    let (grace, _) = s.enroll_by_link(ADMIN).await;
    for answer in [
        grace.require_mfa(&billing_id, None).await.fail(),
        grace.reset_mfa(&billing_id, Some(7)).await.fail(),
        grace.unlock(&billing_id).await.fail(),
        grace.unrequire_mfa(&billing_id).await.fail(),
        grace.reset_mfa(&grace_id, Some(7)).await.fail(),
    ] {
        assert_eq!(answer, (403, ErrorCode::Outranked));
    }
    // The refusals changed nothing.
    let page = grace.admin_users("?search=admin@").await.ok();
    assert_eq!(page.users[0].mfa, MfaStatus::Active);
    // ...while a plain user is hers to manage.
    let ivan = s.user_id(&grace, "ivan@example.com").await;
    grace.require_mfa(&ivan, Some(3)).await.ok();
}

/// The `status` tag of an MFA status; exhaustive, so a new status must be
/// added to the list test below.
fn status_name(s: MfaStatus) -> &'static str {
    match s {
        MfaStatus::Active => "active",
        MfaStatus::EnrollmentPeriod { .. } => "enrollment_period",
        MfaStatus::EnrollmentExpired => "enrollment_expired",
        MfaStatus::SetUpNotRequired => "set_up_not_required",
        MfaStatus::RequiredNoPeriod => "required_no_period",
        MfaStatus::None => "none",
    }
}

#[tokio::test]
async fn the_list_pages_and_shows_every_status() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut after: Option<String> = None;
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let query = match &after {
            Some(x) => format!("?limit=5&after={x}"),
            None => "?limit=5".to_string(),
        };
        let page = admin.admin_users(&query).await.ok();
        pages += 1;
        assert!(page.users.len() <= 5);
        all.extend(page.users);
        match page.next_after {
            Some(x) => after = Some(x),
            None => break,
        }
        assert!(pages < 10, "the paging does not end");
    }
    assert_eq!(pages, demo::USERS.len().div_ceil(5));
    let emails: Vec<&str> = all.iter().map(|u| u.email.as_str()).collect();
    let mut sorted: Vec<&str> = demo::USERS.iter().map(|(e, ..)| *e).collect();
    sorted.sort_unstable();
    assert_eq!(emails, sorted, "every user once, ordered by email");

    let status_of = |email: &str| {
        all.iter()
            .find(|u| u.email == email)
            .map(|u| u.mfa)
            .unwrap()
    };
    // The billing admin enrolled an app to use the API.
    assert_eq!(status_of(BILLING_ADMIN), MfaStatus::Active);
    assert_eq!(status_of(ADMIN), MfaStatus::Active);
    assert_eq!(status_of("bob@example.com"), MfaStatus::Active);
    assert_eq!(
        status_of("carol@example.com"),
        MfaStatus::EnrollmentPeriod { days_left: 7 }
    );
    assert_eq!(
        status_of("dave@example.com"),
        MfaStatus::EnrollmentPeriod { days_left: 1 }
    );
    assert_eq!(status_of("erin@example.com"), MfaStatus::EnrollmentExpired);
    assert_eq!(status_of("frank@example.com"), MfaStatus::SetUpNotRequired);
    assert_eq!(status_of("heidi@example.com"), MfaStatus::RequiredNoPeriod);
    assert_eq!(status_of("alice@example.com"), MfaStatus::None);
    let mut names: Vec<&str> = all.iter().map(|u| status_name(u.mfa)).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 6, "every status shows: {names:?}");

    // Search by the start of a name or an email.
    let page = admin.admin_users("?search=Car").await.ok();
    let found: Vec<&str> = page.users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(found, ["carol@example.com"]);
    let page = admin.admin_users("?search=JUDY@").await.ok();
    assert_eq!(page.users.len(), 1);
    assert_eq!(page.users[0].email, "judy@example.com");
    // LIKE wildcards are literal.
    for wildcard in ["%25", "_"] {
        let page = admin.admin_users(&format!("?search={wildcard}")).await.ok();
        assert!(page.users.is_empty(), "{wildcard}: {page:?}");
    }
    // The page size is kept within 1..=100.
    let page = admin.admin_users("?limit=0").await.ok();
    assert_eq!(page.users.len(), 1);
    assert!(page.next_after.is_some());
    let page = admin.admin_users("?limit=1000").await.ok();
    assert_eq!(page.users.len(), demo::USERS.len());
    assert!(page.next_after.is_none());
}

#[tokio::test]
async fn an_admin_reset_ends_the_users_sessions() {
    let s = TestServer::start().await;
    let (c, key) = s.enrolled("ivan@example.com").await;
    let other = s.login_with_code("ivan@example.com", &key).await;
    for session in [&c, &other] {
        assert_eq!(session.me().await.ok().email, "ivan@example.com");
    }
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, "ivan@example.com").await;
    let u = admin.reset_mfa(&id, Some(7)).await.ok();
    assert_eq!(u.totp, TotpState::NotSetUp);
    assert_eq!(u.mfa, MfaStatus::EnrollmentPeriod { days_left: 7 });
    for session in [&c, &other] {
        assert_eq!(session.me().await.fail(), (401, ErrorCode::Unauthenticated));
    }
    // The old app is gone: the next login asks for a new one.
    let answer = s.api().login("ivan@example.com", PASSWORD).await.ok();
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(7)
        }
    );
    let mails = notify::kinds_for(&s.state.db, &id).await.unwrap();
    assert_eq!(mails.last().map(String::as_str), Some("mfa_reset"));
}

#[tokio::test]
async fn an_admin_stops_requiring_mfa_and_the_factors_stay() {
    let s = TestServer::start().await;
    let (c, _key) = s.enrolled("ivan@example.com").await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, "ivan@example.com").await;
    let u = admin.require_mfa(&id, Some(7)).await.ok();
    assert_eq!(u.mfa, MfaStatus::Active);

    let u = admin.unrequire_mfa(&id).await.ok();
    assert_eq!(
        (u.mfa, u.mfa_required, u.deadline),
        (MfaStatus::SetUpNotRequired, false, None)
    );
    assert!(matches!(u.totp, TotpState::Active { .. }));
    // nothing else changed for him: his session lives on
    assert_eq!(c.me().await.ok().email, "ivan@example.com");
    let events: portcullis_api::EventPage = admin
        .get("/api/v1/admin/events?kind=admin_unrequire_mfa")
        .await
        .ok();
    assert_eq!(events.events.len(), 1);
    assert_eq!(
        events.events[0].subject_email.as_deref(),
        Some("ivan@example.com")
    );
    assert_eq!(events.events[0].detail, "MFA no longer required");

    // Again: nothing to do, nothing recorded.
    admin.unrequire_mfa(&id).await.ok();
    let events: portcullis_api::EventPage = admin
        .get("/api/v1/admin/events?kind=admin_unrequire_mfa")
        .await
        .ok();
    assert_eq!(events.events.len(), 1);

    // An administrator always needs MFA: refused, with the reason.
    let grace = s.user_id(&admin, ADMIN).await;
    let answer = admin.unrequire_mfa(&grace).await;
    assert_eq!(answer.status, 409);
    let body = answer.err();
    assert_eq!(body.code, ErrorCode::Conflict);
    assert!(body.message.contains("always need MFA"), "{}", body.message);
    assert_eq!(
        admin.unrequire_mfa("no-such-id").await.fail(),
        (404, ErrorCode::NotFound)
    );
}
