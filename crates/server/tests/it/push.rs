//! Protect push: enrolling a device through the one-time link (one device
//! per user), the login's push with a number to match — approve, wrong
//! number, deny, answered once, expiry at 60 s, one outstanding push per
//! user and portal, cancel — the long-polls on both sides, removal (the
//! last-factor rule; an administrator's Reset MFA and factor removal), and
//! an answer on one instance waking the wait on another.

use std::time::{Duration, Instant};

use portcullis_api::protect::{ProtectDevice, PushOutcomeKind, PushStarted, PushStatus, PushWait};
use portcullis_api::{ErrorCode, FactorKind, LoginResponse, UserDetail};
use portcullis_server::{audit, notify};

use crate::client::{Answer, Api};
use crate::device::{self, Device};
use crate::fixtures::TestServer;

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";

/// `email` (a user with no MFA) signed in with the password, and a device
/// enrolled for them; then signed out, so the next login asks for a push.
pub(crate) async fn user_with_device(s: &TestServer, email: &str) -> (String, Device) {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    let id = api.me().await.ok().id;
    let device = Device::for_user(s, &api).await;
    api.logout().await.ok();
    (id, device)
}

/// A password login of `email` that stops at the second factor, and a push
/// sent for it.
pub(crate) async fn push_login(s: &TestServer, email: &str) -> (Api, PushStarted) {
    let (api, answer) = s.password_login(email).await;
    match &answer {
        LoginResponse::Mfa { factors } => assert!(factors.contains(&FactorKind::Push)),
        other => panic!("{email}: {other:?}"),
    }
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    assert!((10..=99).contains(&started.number), "{started:?}");
    assert_eq!(started.expires_at, s.now() + 60);
    (api, started)
}

pub(crate) async fn wait(api: &Api, id: &str, secs: u64) -> Answer<PushWait> {
    api.post_empty(&format!("/api/v1/login/push/{id}/wait?wait={secs}"))
        .await
}

pub(crate) async fn event_kinds(s: &TestServer, user_id: &str) -> Vec<(String, String)> {
    audit::about(&s.state.db, user_id, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect()
}

pub(crate) fn has_event(events: &[(String, String)], kind: &str) -> bool {
    events.iter().any(|(k, _)| k == kind)
}

#[tokio::test]
async fn an_enrollment_link_works_once_and_for_ten_minutes() {
    let s = TestServer::start().await;
    let (api, _) = s.password_login(ALICE).await;
    let id = api.me().await.ok().id;
    let link = device::link(&api).await;
    assert!(
        link.uri.starts_with(&format!(
            "portcullis-protect://enroll?portal={}&token=",
            s.base.replace(':', "%3A").replace('/', "%2F")
        )),
        "{}",
        link.uri
    );
    assert_eq!(link.expires_at, s.now() + 600);
    let token = device::token_of(&link.uri);
    assert_eq!(token.len(), 43);
    let d = Device::enroll(&s, &token).await;
    // The device knows its user; the portal knows the device.
    assert_eq!(d.status().await.ok().user_email, ALICE);
    let shown: Option<ProtectDevice> = api.get("/api/v1/protect/device").await.ok();
    let shown = shown.expect("a device");
    assert_eq!(shown.label, "Ada's phone");
    assert_eq!(shown.device_type, "iPhone 8");
    // `GET /mfa` names push among the factors set up.
    assert!(api.mfa().await.ok().factors.contains(&FactorKind::Push));
    assert!(has_event(
        &event_kinds(&s, &id).await,
        "push_device_enrolled"
    ));
    let mails = notify::kinds_for(&s.state.db, &id).await.unwrap();
    assert!(
        mails.contains(&"push_device_enrolled".to_string()),
        "{mails:?}"
    );

    // A signed-in session without a recent second factor gets no new link.
    let stale = api
        .post_empty::<serde_json::Value>("/api/v1/protect/enroll")
        .await;
    assert_eq!(stale.fail(), (403, ErrorCode::ReauthenticationRequired));
    let api = device::sign_in(&s, ALICE, &d).await;

    // The same token again: used.
    let again = Api::new(&s.base)
        .post::<serde_json::Value>(
            "/api/device/v1/enroll",
            &device::enroll_request(&token, &device::new_key(), s.now()),
        )
        .await;
    assert_eq!(again.status, 401);
    let e = again.err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    assert!(e.message.contains("expired or was used"), "{}", e.message);

    // A malformed key is a 422, before the token is used.
    let link = device::link(&api).await;
    let mut bad = device::enroll_request(&device::token_of(&link.uri), &device::new_key(), s.now());
    bad.public_key = "AAAA".into();
    let answer = Api::new(&s.base)
        .post::<serde_json::Value>("/api/device/v1/enroll", &bad)
        .await;
    assert_eq!(answer.fail(), (422, ErrorCode::ValidationFailed));
    Device::enroll(&s, &device::token_of(&link.uri)).await;
    // A new link, 10 minutes later: expired.
    let link = device::link(&api).await;
    s.advance(600);
    let late = Api::new(&s.base)
        .post::<serde_json::Value>(
            "/api/device/v1/enroll",
            &device::enroll_request(&device::token_of(&link.uri), &device::new_key(), s.now()),
        )
        .await;
    assert_eq!(late.fail(), (401, ErrorCode::Unauthenticated));
}

#[tokio::test]
async fn a_new_device_replaces_the_old_one_whose_key_stops_working() {
    let s = TestServer::start().await;
    let (api, _) = s.password_login(ALICE).await;
    let old = Device::for_user(&s, &api).await;
    old.status().await.ok();
    let api = device::sign_in(&s, ALICE, &old).await;
    let new = Device::for_user(&s, &api).await;
    let refused = old.status().await;
    assert_eq!(refused.status, 401);
    assert!(
        refused.err().message.contains("not enrolled any more"),
        "the old device is told"
    );
    assert_eq!(new.status().await.ok().user_email, ALICE);
    let id = api.me().await.ok().id;
    let events = event_kinds(&s, &id).await;
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "push_device_enrolled" && d.contains("replaced")),
        "{events:?}"
    );
}

#[tokio::test]
async fn an_approved_push_with_the_right_number_signs_the_login_in() {
    let s = TestServer::start().await;
    let (id, d) = user_with_device(&s, ALICE).await;
    let (api, started) = push_login(&s, ALICE).await;
    // The device sees it, without the number.
    let pending = d.pending(0).await.ok();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, started.id);
    assert_eq!(pending[0].resource, "User Portal");
    assert_eq!(pending[0].expires_at, started.expires_at);
    let raw: serde_json::Value = d.get("/api/device/v1/pending").await.ok();
    assert!(raw[0].get("number").is_none(), "{raw}");
    // Still pending for the browser.
    let w = wait(&api, &started.id, 0).await.ok();
    assert_eq!(w.status, PushStatus::Pending);

    let outcome = d.approve(&started.id, i64::from(started.number)).await.ok();
    assert_eq!(outcome.outcome, PushOutcomeKind::Approved);
    let answer = wait(&api, &started.id, 5).await;
    assert!(answer.session_cookie().is_some(), "a new session id");
    let w = answer.ok();
    assert_eq!(w.status, PushStatus::Approved);
    assert!(matches!(w.login, Some(LoginResponse::Done { .. })), "{w:?}");
    assert_eq!(api.me().await.ok().email, ALICE);
    // Answered once: nothing is pending, a second answer is refused.
    assert!(d.pending(0).await.ok().is_empty());
    let again = d.approve(&started.id, i64::from(started.number)).await;
    assert_eq!(again.fail(), (409, ErrorCode::Conflict));
    let events = event_kinds(&s, &id).await;
    for kind in ["push_sent", "push_approved", "login_succeeded"] {
        assert!(has_event(&events, kind), "{kind}: {events:?}");
    }
}

#[tokio::test]
async fn a_wrong_number_or_a_denial_denies_the_push() {
    let s = TestServer::start().await;
    let (id, d) = user_with_device(&s, ALICE).await;
    let (api, started) = push_login(&s, ALICE).await;
    let wrong = if started.number == 99 {
        10
    } else {
        started.number + 1
    };
    let outcome = d.approve(&started.id, i64::from(wrong)).await.ok();
    assert_eq!(outcome.outcome, PushOutcomeKind::Denied);
    assert_eq!(outcome.reason.as_deref(), Some("wrong number"));
    let w = wait(&api, &started.id, 0).await;
    assert!(w.session_cookie().is_none());
    let w = w.ok();
    assert_eq!(w.status, PushStatus::Denied);
    assert!(w.message.is_some());
    // The right number now is too late: answered once.
    let late = d.approve(&started.id, i64::from(started.number)).await;
    assert_eq!(late.status, 409);
    assert!(late.err().message.contains("answered already"));

    // A new push (a denial is not outstanding), denied on the device.
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    assert_eq!(
        d.deny(&started.id).await.ok().outcome,
        PushOutcomeKind::Denied
    );
    assert_eq!(
        wait(&api, &started.id, 0).await.ok().status,
        PushStatus::Denied
    );
    assert_eq!(d.deny(&started.id).await.fail(), (409, ErrorCode::Conflict));
    // Still not signed in.
    assert_eq!(api.me().await.status, 401);
    let events = event_kinds(&s, &id).await;
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "push_denied" && d.contains("wrong number")),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_push_expires_after_sixty_seconds_and_then_another_may_be_sent() {
    let s = TestServer::start().await;
    let (id, d) = user_with_device(&s, ALICE).await;
    let (api, started) = push_login(&s, ALICE).await;
    s.advance(59);
    assert_eq!(
        wait(&api, &started.id, 0).await.ok().status,
        PushStatus::Pending
    );

    // One outstanding push per user and portal: a second one is refused
    // with the time left, and recorded.
    let busy = api.post_empty::<PushStarted>("/api/v1/login/push").await;
    assert_eq!(busy.status, 429);
    assert_eq!(
        busy.headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let e = busy.err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts);
    assert_eq!(e.retry_after, Some(1));
    assert!(e.message.contains("still waiting"), "{}", e.message);
    let events = event_kinds(&s, &id).await;
    assert!(
        events.iter().any(
            |(k, d)| k == "push_mfa_attempt_failed" && d == "too many concurrent push requests"
        ),
        "{events:?}"
    );

    s.advance(1);
    let w = wait(&api, &started.id, 5).await.ok();
    assert_eq!(w.status, PushStatus::Expired);
    assert!(w.message.unwrap_or_default().contains("expired"));
    assert!(d.pending(0).await.ok().is_empty());
    let late = d.approve(&started.id, i64::from(started.number)).await;
    assert_eq!(late.status, 409);
    assert_eq!(late.err().message, "This request has expired.");
    assert!(has_event(&event_kinds(&s, &id).await, "push_expired"));

    // Expired, it no longer blocks a new one.
    let again: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    assert_ne!(again.id, started.id);
}

#[tokio::test]
async fn a_cancelled_push_cannot_be_approved() {
    let s = TestServer::start().await;
    let (_, d) = user_with_device(&s, ALICE).await;
    let (api, started) = push_login(&s, ALICE).await;
    let cancel = api
        .post_empty::<()>(&format!("/api/v1/login/push/{}/cancel", started.id))
        .await;
    assert_eq!(cancel.status, 204);
    assert!(d.pending(0).await.ok().is_empty());
    let late = d.approve(&started.id, i64::from(started.number)).await;
    assert_eq!(late.fail(), (409, ErrorCode::Conflict));
    assert_eq!(
        wait(&api, &started.id, 0).await.ok().status,
        PushStatus::Cancelled
    );
    // Cancelled, it no longer blocks a new one.
    api.post_empty::<PushStarted>("/api/v1/login/push")
        .await
        .ok();
}

#[tokio::test]
async fn a_push_belongs_to_its_user_and_its_login() {
    let s = TestServer::start().await;
    let (_, alice_device) = user_with_device(&s, ALICE).await;
    let (_, ivan_device) = user_with_device(&s, IVAN).await;
    let (api, started) = push_login(&s, ALICE).await;
    // Ivan's device cannot see or answer Alice's push.
    assert!(ivan_device.pending(0).await.ok().is_empty());
    let answer = ivan_device
        .approve(&started.id, i64::from(started.number))
        .await;
    assert_eq!(answer.fail(), (404, ErrorCode::NotFound));
    assert_eq!(
        ivan_device.deny(&started.id).await.fail(),
        (404, ErrorCode::NotFound)
    );
    // Another login of Alice's cannot wait on it or cancel it.
    let (other, _) = s.password_login(ALICE).await;
    assert_eq!(
        wait(&other, &started.id, 0).await.fail(),
        (404, ErrorCode::NotFound)
    );
    let cancel = other
        .post_empty::<()>(&format!("/api/v1/login/push/{}/cancel", started.id))
        .await;
    assert_eq!(cancel.fail(), (404, ErrorCode::NotFound));
    assert_eq!(
        wait(&api, "nope", 0).await.fail(),
        (404, ErrorCode::NotFound)
    );
    // Alice's device still can.
    alice_device
        .approve(&started.id, i64::from(started.number))
        .await
        .ok();
}

#[tokio::test]
async fn both_long_polls_answer_as_soon_as_something_happens() {
    let s = TestServer::start().await;
    let (_, d) = user_with_device(&s, ALICE).await;
    let (api, _) = s.password_login(ALICE).await;
    // The device waits first; the push wakes it.
    let waiting = {
        let d = d.at(&s.base);
        tokio::spawn(async move {
            let t = Instant::now();
            (d.pending(20).await.ok(), t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    let (pending, took) = waiting.await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, started.id);
    assert!(took < Duration::from_secs(5), "{took:?}");
    // The browser waits; the approval wakes it.
    let browser = {
        let (api, id) = (api.clone(), started.id.clone());
        tokio::spawn(async move {
            let t = Instant::now();
            (wait(&api, &id, 20).await.ok(), t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    d.approve(&started.id, i64::from(started.number)).await.ok();
    let (w, took) = browser.await.unwrap();
    assert_eq!(w.status, PushStatus::Approved);
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(api.me().await.ok().email, ALICE);
}

#[tokio::test]
async fn the_only_factor_of_a_user_who_must_have_mfa_stays() {
    let s = TestServer::start().await;
    let (_, d) = user_with_device(&s, ALICE).await;
    s.require(ALICE, Some(7)).await;
    let api = device::sign_in(&s, ALICE, &d).await;
    let refused = api
        .http
        .delete(api.url("/api/v1/protect/device"))
        .send()
        .await
        .unwrap();
    let refused: Answer<()> = Api::read(refused).await;
    assert_eq!(refused.status, 409);
    assert!(refused.err().message.contains("only second factor"));
    d.status().await.ok();

    // With an authenticator app beside it, the device may go; the other
    // sessions it approved end.
    let other = device::sign_in(&s, ALICE, &d).await;
    s.enroll_app(&api).await;
    let gone = api
        .http
        .delete(api.url("/api/v1/protect/device"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    assert_eq!(d.status().await.status, 401);
    assert_eq!(
        other.me().await.status,
        401,
        "the session it approved ended"
    );
    assert_eq!(api.me().await.status, 200, "the user's own stays");
    let none: Option<ProtectDevice> = api.get("/api/v1/protect/device").await.ok();
    assert!(none.is_none());
    assert!(!api.mfa().await.ok().factors.contains(&FactorKind::Push));
}

#[tokio::test]
async fn reset_mfa_and_factor_removal_by_an_administrator_remove_the_device() {
    let s = TestServer::start().await;
    let (alice, d) = user_with_device(&s, ALICE).await;
    let (admin, _) = s.admin().await;
    let detail: UserDetail = admin
        .get(&format!("/api/v1/admin/users/{alice}"))
        .await
        .ok();
    let shown = detail.protect_device.expect("the device pane");
    assert_eq!(shown.os, "iOS 17.2");
    let factor = detail
        .factors
        .iter()
        .find(|f| f.kind == FactorKind::Push)
        .expect("push among the factors");
    assert_eq!(factor.label, "Protect push");
    admin.reset_mfa(&alice, Some(7)).await.ok();
    assert_eq!(d.status().await.status, 401);
    let detail: UserDetail = admin
        .get(&format!("/api/v1/admin/users/{alice}"))
        .await
        .ok();
    assert!(detail.protect_device.is_none());

    // Enrolled again, then removed as one factor.
    let (api, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");
    api.logout().await.ok();
    let (ivan, d) = user_with_device(&s, IVAN).await;
    let detail: UserDetail = admin.get(&format!("/api/v1/admin/users/{ivan}")).await.ok();
    let factor = detail.factors[0].id.clone();
    let removed = admin
        .http
        .delete(admin.url(&format!("/api/v1/admin/users/{ivan}/factors/{factor}")))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    assert_eq!(d.status().await.status, 401);
    let mails = notify::kinds_for(&s.state.db, &ivan).await.unwrap();
    assert!(
        mails.contains(&"push_device_removed".to_string()),
        "{mails:?}"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test runs it with PORTCULLIS_TEST_POSTGRES"]
async fn an_approval_on_one_instance_wakes_the_wait_on_another() {
    let a = TestServer::start().await;
    let b = TestServer::second_instance(&a).await;
    let (_, d) = user_with_device(&a, ALICE).await;
    let (api, started) = push_login(&a, ALICE).await;
    let browser = {
        let (api, id) = (api.clone(), started.id.clone());
        tokio::spawn(async move {
            let t = Instant::now();
            (wait(&api, &id, 20).await, t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let on_b = d.at(&b);
    assert_eq!(on_b.pending(0).await.ok().len(), 1);
    on_b.approve(&started.id, i64::from(started.number))
        .await
        .ok();
    let (answer, took) = browser.await.unwrap();
    assert!(answer.session_cookie().is_some());
    assert_eq!(answer.ok().status, PushStatus::Approved);
    assert!(
        took < Duration::from_secs(5),
        "woken, not timed out: {took:?}"
    );
    assert_eq!(api.me().await.ok().email, ALICE);
}

#[tokio::test]
async fn removing_ones_only_device_forgets_the_recovery_codes() {
    let s = TestServer::start().await;
    let (alice, d) = user_with_device(&s, ALICE).await;
    let api = device::sign_in(&s, ALICE, &d).await;
    let made: portcullis_api::NewRecoveryCodes =
        api.post_empty("/api/v1/recovery-codes").await.ok();
    assert_eq!(made.codes.len(), 10);
    let gone = api
        .http
        .delete(api.url("/api/v1/protect/device"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
        .bind(&alice)
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "codes stood in for the only factor");
    assert_eq!(api.mfa().await.ok().recovery_codes_left, 0);
    assert_eq!(
        api.me().await.ok().email,
        ALICE,
        "the removing session stays"
    );
}
