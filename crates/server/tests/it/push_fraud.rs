//! "This wasn't me": the device reports a push as not its user's. The push
//! is denied, the user's other pending pushes are cancelled and new ones
//! refused for 20 minutes (`push_muted`, in words), the user and every
//! administrator are emailed, the event is recorded, and the user's
//! device shows the report. Only the user's own pending pushes can be
//! reported.

use portcullis_api::protect::{ProtectDevice, PushOutcomeKind, PushStarted, PushStatus};
use portcullis_api::ErrorCode;
use portcullis_server::notify;
use serde_json::json;

use crate::device;
use crate::fixtures::{TestServer, ADMIN, BILLING_ADMIN, T0};
use crate::push::{event_kinds, push_login, user_with_device, wait};
use crate::push_rules::set;

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";

#[tokio::test]
async fn a_report_denies_mutes_and_tells_the_user_and_the_administrators() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let admins = [
        s.user_id(&admin, BILLING_ADMIN).await,
        s.user_id(&admin, ADMIN).await,
    ];
    // Two logins waiting at once (the limit off), then one reported.
    set(&s, json!({"push_limit_enabled": false})).await;
    let (alice, d) = user_with_device(&s, ALICE).await;
    let (reported_login, reported) = push_login(&s, ALICE).await;
    let (other_login, other) = push_login(&s, ALICE).await;
    let outcome = d.report(&reported.id).await.ok();
    assert_eq!(outcome.outcome, PushOutcomeKind::Denied);
    let reason = outcome.reason.unwrap_or_default();
    assert!(reason.contains("reported as not yours"), "{reason}");
    let reported_at = s.now();
    let until = reported_at + 20 * 60;

    // The reported push is denied, the other cancelled; nothing is left.
    let w = wait(&reported_login, &reported.id, 5).await.ok();
    assert_eq!(w.status, PushStatus::Denied);
    assert!(w.login.is_none());
    let message = w.message.unwrap_or_default();
    assert!(message.contains("reported"), "{message}");
    let w = wait(&other_login, &other.id, 5).await.ok();
    assert_eq!(w.status, PushStatus::Cancelled);
    assert!(d.pending(0).await.ok().is_empty());
    assert_eq!(d.report(&reported.id).await.status, 409);

    // Muted: a push is refused in words, and the MFA prompt knows.
    let refused = reported_login
        .post_empty::<PushStarted>("/api/v1/login/push")
        .await;
    assert_eq!(refused.status, 403);
    let e = refused.err();
    assert_eq!(e.code, ErrorCode::PushMuted);
    assert!(
        e.message.contains("until 2026-11-22") && e.message.contains("UTC"),
        "{}",
        e.message
    );
    assert!(e.message.contains("in 20 minutes"), "{}", e.message);
    assert!(e.message.contains("another factor"), "{}", e.message);
    let overview = other_login.mfa().await.ok();
    assert_eq!(overview.push_muted_until, Some(until));
    assert!(d.pending(0).await.ok().is_empty());

    // Recorded, and emailed to the user and to every administrator.
    let events = event_kinds(&s, &alice).await;
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "push_fraud_reported" && d.contains("1 other pending push")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "push_mfa_attempt_failed" && d.contains("muted")),
        "{events:?}"
    );
    let mails = notify::kinds_for(&s.state.db, &alice).await.unwrap();
    assert!(
        mails.contains(&"push_fraud_reported".to_string()),
        "{mails:?}"
    );
    for id in &admins {
        let mails = notify::kinds_for(&s.state.db, id).await.unwrap();
        assert!(mails.contains(&"push_fraud_alert".to_string()), "{mails:?}");
    }

    // Twenty minutes later pushes work again, and the signed-in user's
    // device shows the report.
    s.advance(20 * 60 - 1);
    let (api, _) = s.password_login(ALICE).await;
    let still = api.post_empty::<PushStarted>("/api/v1/login/push").await;
    assert_eq!(still.fail(), (403, ErrorCode::PushMuted));
    s.advance(1);
    assert_eq!(api.mfa().await.ok().push_muted_until, None);
    let api = device::sign_in(&s, ALICE, &d).await;
    let shown: Option<ProtectDevice> = api.get("/api/v1/protect/device").await.ok();
    let report = shown.and_then(|d| d.last_report).expect("the report");
    assert_eq!(report.reported_at, reported_at);
    assert_eq!(report.muted_until, until);
    assert_eq!(report.resource, "User Portal");
    assert_eq!(report.ip, "127.0.0.1");
    assert!(reported_at > T0);

    // After 30 days it is no longer shown.
    s.advance(30 * 86_400);
    let api = device::sign_in(&s, ALICE, &d).await;
    let shown: Option<ProtectDevice> = api.get("/api/v1/protect/device").await.ok();
    assert_eq!(shown.map(|d| d.last_report), Some(None));
}

#[tokio::test]
async fn only_the_users_own_pending_push_can_be_reported() {
    let s = TestServer::start().await;
    let (_, alice_device) = user_with_device(&s, ALICE).await;
    let (_, ivan_device) = user_with_device(&s, IVAN).await;
    let (api, started) = push_login(&s, ALICE).await;
    // Another user's push: not found (and not muted for anyone).
    let other = ivan_device.report(&started.id).await;
    assert_eq!(other.fail(), (404, ErrorCode::NotFound));
    assert_eq!(
        ivan_device.report("nothing").await.fail(),
        (404, ErrorCode::NotFound)
    );
    // Answered: a conflict, and no mute follows.
    alice_device.deny(&started.id).await.ok();
    let answered = alice_device.report(&started.id).await;
    assert_eq!(answered.status, 409);
    assert!(answered.err().message.contains("answered already"));
    assert_eq!(api.mfa().await.ok().push_muted_until, None);
    // Expired: a conflict too.
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    s.advance(60);
    let expired = alice_device.report(&started.id).await;
    assert_eq!(expired.status, 409);
    assert!(expired.err().message.contains("expired"));
    api.post_empty::<PushStarted>("/api/v1/login/push")
        .await
        .ok();
}
