//! The admin user details page: what it shows (factors with their last use,
//! live sessions, the latest events, the last "set up MFA" email) and the
//! changes made from it (remove a factor, end the sessions, send the "MFA
//! required" email again), each with the checks every admin change has.

use portcullis_api::{
    AdminEvent, ErrorCode, EventPage, FactorKind, LoginResponse, MfaStatus, TotpState, UserDetail,
};
use portcullis_server::audit::{self, Actor, Event, EventKind};
use portcullis_server::mfa::totp::STEP_SECS;
use portcullis_server::notify;

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, ADMIN, BILLING_ADMIN, PASSWORD};

async fn detail(admin: &Api, id: &str) -> Answer<UserDetail> {
    admin.get(&format!("/api/v1/admin/users/{id}")).await
}

async fn remove_factor(admin: &Api, id: &str, factor: &str) -> Answer<UserDetail> {
    let url = admin.url(&format!("/api/v1/admin/users/{id}/factors/{factor}"));
    Api::read(admin.http.delete(url).send().await.unwrap()).await
}

async fn end_sessions(admin: &Api, id: &str) -> Answer<UserDetail> {
    admin
        .post_empty(&format!("/api/v1/admin/users/{id}/sessions/end"))
        .await
}

async fn remind(admin: &Api, id: &str) -> Answer<UserDetail> {
    admin
        .post_empty(&format!("/api/v1/admin/users/{id}/remind"))
        .await
}

async fn mails(s: &TestServer, id: &str) -> Vec<String> {
    notify::kinds_for(&s.state.db, id).await.unwrap()
}

/// The kinds of the user's events the details page shows, newest first.
fn kinds(d: &UserDetail) -> Vec<&str> {
    d.events.iter().map(|e| e.kind.as_str()).collect()
}

#[tokio::test]
async fn the_details_routes_are_for_admins_with_a_second_factor() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let (alice, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }));
    let (judy, _) = s.enrolled("judy@example.com").await;
    for c in [&alice, &judy] {
        assert_eq!(detail(c, &ivan).await.fail(), (403, ErrorCode::Forbidden));
        assert_eq!(
            remove_factor(c, &ivan, "totp").await.fail(),
            (403, ErrorCode::Forbidden)
        );
        assert_eq!(
            end_sessions(c, &ivan).await.fail(),
            (403, ErrorCode::Forbidden)
        );
        assert_eq!(remind(c, &ivan).await.fail(), (403, ErrorCode::Forbidden));
    }
    let nobody = s.api();
    assert_eq!(
        detail(&nobody, &ivan).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    assert_eq!(
        remove_factor(&nobody, &ivan, "totp").await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
}

#[tokio::test]
async fn the_details_show_factors_sessions_and_events() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let required_at = s.now();
    admin.require_mfa(&ivan, Some(7)).await.ok();
    s.advance(60);
    let enrolled_at = s.now();
    let (first, key) = s.enroll_at_login("ivan@example.com").await;
    s.advance(60);
    let second_at = s.now();
    let second = s.login_with_code("ivan@example.com", &key).await;
    s.advance(60);
    let third = s.login_with_code("ivan@example.com", &key).await;
    // The oldest session ends by itself: it is no longer listed.
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE created_at = $2")
        .bind(s.now())
        .bind(enrolled_at)
        .execute(&s.state.db)
        .await
        .unwrap();
    assert_eq!(first.me().await.fail(), (401, ErrorCode::Unauthenticated));

    let d = detail(&admin, &ivan).await.ok();
    assert_eq!(d.user.email, "ivan@example.com");
    assert_eq!(d.user.mfa, MfaStatus::Active);
    assert_eq!(d.user.factors, vec![FactorKind::Totp]);
    assert_eq!(d.factors.len(), 1, "{:?}", d.factors);
    let app = &d.factors[0];
    assert_eq!(
        (app.id.as_str(), app.kind, app.label.as_str()),
        ("totp", FactorKind::Totp, "Authenticator app")
    );
    assert_eq!(app.added_at, enrolled_at);
    // The last code accepted: the third login's, one step before now.
    let last = s.now() - STEP_SECS;
    assert_eq!(app.last_used_at, Some(last));
    assert_eq!(d.user.last_mfa_at, Some(last));
    // The "MFA required" email of the requirement.
    assert_eq!(d.reminder_sent_at, Some(required_at));

    // Live sessions, newest first, as they were proven.
    assert_eq!(d.sessions.len(), 2, "{:?}", d.sessions);
    assert!(d.sessions[0].started_at > d.sessions[1].started_at);
    assert_eq!(d.sessions[1].started_at, second_at);
    for session in &d.sessions {
        assert!(session.signed_in);
        assert_eq!(session.methods, vec!["pwd", "otp"]);
        assert!(session.expires_at > s.now());
        assert_eq!(session.client_ip, "127.0.0.1");
    }
    for c in [&second, &third] {
        c.me().await.ok();
    }

    // Events about ivan, newest first, the same rows as the event log's.
    assert!(d.events.windows(2).all(|w| w[0].at >= w[1].at));
    let k = kinds(&d);
    for kind in ["admin_require_mfa", "mfa_enrolled", "login_succeeded"] {
        assert!(k.contains(&kind), "{kind} in {k:?}");
    }
    assert!(d
        .events
        .iter()
        .all(|e| e.subject_id.as_deref() == Some(ivan.as_str())));
    let log: EventPage = admin
        .get("/api/v1/admin/events?user=ivan@example.com&limit=100")
        .await
        .ok();
    assert_eq!(d.events, log.events[..d.events.len()].to_vec());
    let required = d
        .events
        .iter()
        .find(|e| e.kind == "admin_require_mfa")
        .unwrap();
    assert_eq!(required.actor_email.as_deref(), Some(BILLING_ADMIN));
}

#[tokio::test]
async fn the_details_show_the_latest_twenty_events_about_or_by_the_user() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let alice = s.user_id(&admin, "alice@example.com").await;
    for n in 0..25 {
        s.advance(1);
        let detail = format!("about ivan {n}");
        let event = Event {
            kind: EventKind::LoginFailed,
            actor: Actor::Anonymous,
            subject: Some(&ivan),
            client: None,
            detail: &detail,
            resource: None,
        };
        audit::record(&s.state.db, s.now(), event).await.unwrap();
    }
    // Something ivan did to someone else is his event too.
    s.advance(1);
    let event = Event {
        kind: EventKind::AdminUnlock,
        actor: Actor::Admin(&ivan),
        subject: Some(&alice),
        client: None,
        detail: "by ivan",
        resource: None,
    };
    audit::record(&s.state.db, s.now(), event).await.unwrap();
    let d = detail(&admin, &ivan).await.ok();
    assert_eq!(d.events.len(), 20);
    assert_eq!(d.events[0].detail, "by ivan");
    assert_eq!(
        d.events[0].subject_email.as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(d.events[0].actor_email.as_deref(), Some("ivan@example.com"));
    let details: Vec<&str> = d.events[1..].iter().map(|e| e.detail.as_str()).collect();
    let expected: Vec<String> = (6..25).rev().map(|n| format!("about ivan {n}")).collect();
    assert_eq!(details, expected);
    let failure: &AdminEvent = &d.events[1];
    assert_eq!(failure.outcome, portcullis_api::EventOutcome::Failure);
}

#[tokio::test]
async fn last_mfa_use_moves_with_each_code_in_the_list_and_the_details() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let listed = |admin: Api, email: &'static str| async move {
        let page = admin.admin_users("?limit=100").await.ok();
        page.users.into_iter().find(|u| u.email == email).unwrap()
    };
    // No factor, and a factor never used (the demo's frank): never.
    assert_eq!(
        listed(admin.clone(), "ivan@example.com").await.last_mfa_at,
        None
    );
    assert_eq!(
        listed(admin.clone(), "frank@example.com").await.last_mfa_at,
        None
    );

    admin.require_mfa(&ivan, Some(7)).await.ok();
    let enrolled_at = s.now();
    let (_, key) = s.enroll_at_login("ivan@example.com").await;
    assert_eq!(
        listed(admin.clone(), "ivan@example.com").await.last_mfa_at,
        Some(enrolled_at)
    );
    s.advance(3_600);
    let login_at = s.now();
    s.login_with_code("ivan@example.com", &key).await;
    let (admin, _) = s.admin().await;
    let u = listed(admin.clone(), "ivan@example.com").await;
    assert_eq!(u.last_mfa_at, Some(login_at));
    let d = detail(&admin, &ivan).await.ok();
    assert_eq!(d.user, u);
    assert_eq!(d.factors[0].last_used_at, Some(login_at));
    // A wrong code is no use.
    s.advance(3_600);
    let (c, _) = s.password_login("ivan@example.com").await;
    c.login_totp(&s.wrong_code(&key)).await.fail();
    let (admin, _) = s.admin().await;
    assert_eq!(
        listed(admin, "ivan@example.com").await.last_mfa_at,
        Some(login_at)
    );
}

#[tokio::test]
async fn removing_the_app_of_a_user_who_is_not_required() {
    let s = TestServer::start().await;
    // alice (not required) signs in twice with her password, sets up an
    // app on her Security page in one of those sessions (its first code
    // proves the app there), then signs in again with it: one session
    // proven by the password only, two by the app too.
    let (by_password, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }));
    let (set_up_in, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }));
    let key = s.enroll_app(&set_up_in).await;
    let with_app = s.login_with_code("alice@example.com", &key).await;
    let (admin, _) = s.admin().await;
    let alice = s.user_id(&admin, "alice@example.com").await;
    assert_eq!(
        detail(&admin, &alice).await.ok().user.mfa,
        MfaStatus::SetUpNotRequired
    );

    let d = remove_factor(&admin, &alice, "totp").await.ok();
    assert!(d.factors.is_empty());
    assert_eq!(d.user.totp, TotpState::NotSetUp);
    assert!(d.user.factors.is_empty());
    assert_eq!(d.user.mfa, MfaStatus::None);
    assert_eq!(d.user.last_mfa_at, None);
    // has_factor follows: the list's filters see her without MFA.
    let none = admin.admin_users("?status=none&search=alice@").await.ok();
    assert_eq!(none.users.len(), 1);
    let with_totp = admin.admin_users("?factor=totp&search=alice@").await.ok();
    assert!(with_totp.users.is_empty());
    // The sessions the app proved ended; the password-only one did not.
    for api in [&with_app, &set_up_in] {
        assert_eq!(api.me().await.fail(), (401, ErrorCode::Unauthenticated));
    }
    by_password.me().await.ok();
    assert_eq!(d.sessions.len(), 1);
    assert_eq!(d.sessions[0].methods, vec!["pwd"]);
    // The event and the email.
    let event = &d.events[0];
    assert_eq!(event.kind, "admin_remove_factor");
    assert_eq!(event.actor_email.as_deref(), Some(BILLING_ADMIN));
    assert!(
        event.detail.contains("Authenticator app"),
        "{}",
        event.detail
    );
    assert!(event.detail.contains("2 sessions"), "{}", event.detail);
    assert_eq!(
        mails(&s, &alice).await.last().map(String::as_str),
        Some("authenticator_removed")
    );
    // Gone: a second removal finds nothing, and her login asks for no code.
    assert_eq!(
        remove_factor(&admin, &alice, "totp").await.fail(),
        (404, ErrorCode::NotFound)
    );
    let answer = s.api().login("alice@example.com", PASSWORD).await.ok();
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
}

#[tokio::test]
async fn the_last_factor_of_a_required_user_is_not_removed() {
    let s = TestServer::start().await;
    let (c, _) = s.enrolled("ivan@example.com").await;
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let before = detail(&admin, &ivan).await.ok();
    let mails_before = mails(&s, &ivan).await;

    let refused = remove_factor(&admin, &ivan, "totp").await;
    assert_eq!(refused.status, 409);
    let body = refused.err();
    assert_eq!(body.code, ErrorCode::Conflict);
    assert!(body.message.contains("Reset MFA"), "{}", body.message);

    // Nothing changed: the factor, the session, the emails, the log.
    assert_eq!(detail(&admin, &ivan).await.ok(), before);
    c.me().await.ok();
    assert_eq!(mails(&s, &ivan).await, mails_before);
    // Administrators are always required: grace's only app stays too.
    let grace = s.user_id(&admin, ADMIN).await;
    assert_eq!(
        remove_factor(&admin, &grace, "totp").await.fail(),
        (409, ErrorCode::Conflict)
    );
}

#[tokio::test]
async fn unknown_users_and_factors_are_not_found() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let frank = s.user_id(&admin, "frank@example.com").await;
    let alice = s.user_id(&admin, "alice@example.com").await;
    assert_eq!(
        detail(&admin, "no-such-id").await.fail(),
        (404, ErrorCode::NotFound)
    );
    assert_eq!(
        remove_factor(&admin, "no-such-id", "totp").await.fail(),
        (404, ErrorCode::NotFound)
    );
    assert_eq!(
        end_sessions(&admin, "no-such-id").await.fail(),
        (404, ErrorCode::NotFound)
    );
    assert_eq!(
        remind(&admin, "no-such-id").await.fail(),
        (404, ErrorCode::NotFound)
    );
    for factor in ["webauthn", "TOTP", "nothing%20at%20all"] {
        assert_eq!(
            remove_factor(&admin, &frank, factor).await.fail(),
            (404, ErrorCode::NotFound),
            "{factor}"
        );
    }
    // alice has no app at all.
    assert_eq!(
        remove_factor(&admin, &alice, "totp").await.fail(),
        (404, ErrorCode::NotFound)
    );
    // frank's app is still there after all that.
    assert_eq!(detail(&admin, &frank).await.ok().factors.len(), 1);
}

#[tokio::test]
async fn changes_need_a_recent_second_factor_but_reading_does_not() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let frank = s.user_id(&admin, "frank@example.com").await;
    let carol = s.user_id(&admin, "carol@example.com").await;
    s.advance(s.state.settings.fresh_mfa_secs + 1);
    detail(&admin, &frank).await.ok();
    for answer in [
        remove_factor(&admin, &frank, "totp").await.fail(),
        end_sessions(&admin, &frank).await.fail(),
        remind(&admin, &carol).await.fail(),
    ] {
        assert_eq!(answer, (403, ErrorCode::ReauthenticationRequired));
    }
    assert_eq!(detail(&admin, &frank).await.ok().factors.len(), 1);
    assert!(mails(&s, &carol).await.is_empty());
}

#[tokio::test]
async fn an_admin_cannot_act_on_a_billing_admin_nor_on_themselves() {
    let s = TestServer::start().await;
    let (billing, _) = s.admin().await;
    let billing_id = s.user_id(&billing, BILLING_ADMIN).await;
    let grace_id = s.user_id(&billing, ADMIN).await;
    for answer in [
        remove_factor(&billing, &billing_id, "totp").await.fail(),
        end_sessions(&billing, &billing_id).await.fail(),
        remind(&billing, &billing_id).await.fail(),
    ] {
        assert_eq!(answer, (403, ErrorCode::Outranked));
    }
    // Give grace an app whose key this test knows.
    billing.reset_mfa(&grace_id, Some(7)).await.ok();
    let (grace, _) = s.enroll_by_link(ADMIN).await;
    for answer in [
        remove_factor(&grace, &billing_id, "totp").await.fail(),
        end_sessions(&grace, &billing_id).await.fail(),
        remind(&grace, &billing_id).await.fail(),
    ] {
        assert_eq!(answer, (403, ErrorCode::Outranked));
    }
    // Reading is allowed, and the refusals changed nothing.
    let d = detail(&grace, &billing_id).await.ok();
    assert_eq!(d.factors.len(), 1);
    assert!(!d.sessions.is_empty());
    billing.me().await.ok();
}

#[tokio::test]
async fn ending_the_sessions_signs_the_user_out_everywhere() {
    let s = TestServer::start().await;
    let (c, key) = s.enrolled("ivan@example.com").await;
    let other = s.login_with_code("ivan@example.com", &key).await;
    let (half, answer) = s.password_login("ivan@example.com").await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    assert_eq!(detail(&admin, &ivan).await.ok().sessions.len(), 3);

    let d = end_sessions(&admin, &ivan).await.ok();
    assert!(d.sessions.is_empty());
    for session in [&c, &other] {
        assert_eq!(session.me().await.fail(), (401, ErrorCode::Unauthenticated));
    }
    assert_eq!(
        half.login_totp(&s.code(&key, 0)).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    let event = &d.events[0];
    assert_eq!(event.kind, "admin_end_sessions");
    assert_eq!(event.detail, "ended 3 sessions");
    // The factor stays; ivan signs in again as before.
    assert_eq!(d.factors.len(), 1);
    s.login_with_code("ivan@example.com", &key).await;
    // Nothing left to end is no error.
    end_sessions(&admin, &ivan).await.ok();
    let d = end_sessions(&admin, &ivan).await.ok();
    assert_eq!(d.events[0].detail, "ended no sessions");
}

#[tokio::test]
async fn a_reminder_goes_only_to_users_who_must_still_set_up_mfa() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    // carol: in her period; heidi: required, no period.
    for (email, words) in [
        ("carol@example.com", "set up by "),
        ("heidi@example.com", "set up at the next login"),
    ] {
        let id = s.user_id(&admin, email).await;
        let before = mails(&s, &id).await;
        let d = remind(&admin, &id).await.ok();
        let after = mails(&s, &id).await;
        assert_eq!(after.len(), before.len() + 1, "{email}");
        assert_eq!(after.last().map(String::as_str), Some("mfa_required"));
        assert_eq!(d.reminder_sent_at, Some(s.now()), "{email}");
        let event = &d.events[0];
        assert_eq!(event.kind, "admin_mfa_reminder");
        assert_eq!(event.actor_email.as_deref(), Some(BILLING_ADMIN));
        assert!(event.detail.contains(words), "{}", event.detail);
    }
    // The email carries the current deadline.
    let carol = s.user_id(&admin, "carol@example.com").await;
    let deadline = detail(&admin, &carol).await.ok().user.deadline.unwrap();
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(&carol)
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert!(body.contains(&notify::format_utc(deadline)), "{body}");

    // alice: not required; bob: set up; frank: set up, not required; erin:
    // her period is over (Reset MFA is the way).
    for (email, words) in [
        ("alice@example.com", "not required"),
        ("bob@example.com", "already"),
        ("frank@example.com", "already"),
        ("erin@example.com", "Reset MFA"),
    ] {
        let id = s.user_id(&admin, email).await;
        let before = mails(&s, &id).await;
        let answer = remind(&admin, &id).await;
        assert_eq!(answer.status, 409, "{email}");
        let body = answer.err();
        assert_eq!(body.code, ErrorCode::Conflict);
        assert!(body.message.contains(words), "{email}: {}", body.message);
        assert_eq!(mails(&s, &id).await, before, "{email}");
        let d = detail(&admin, &id).await.ok();
        assert!(!kinds(&d).contains(&"admin_mfa_reminder"), "{email}");
    }
}
