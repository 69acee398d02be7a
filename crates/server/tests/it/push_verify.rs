//! Proving Protect push again in a signed-in session: a user whose only
//! factor is push renews the session's second factor with a push instead
//! of signing in again. Denied, cancelled, expired or another session's
//! pushes renew nothing; the login's rules (limit, mute, biometric policy,
//! push switched off) hold here too.

use portcullis_api::protect::{PushStarted, PushStatus, PushWait};
use portcullis_api::{ErrorCode, LoginResponse};
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::device::{self, Device};
use crate::fixtures::TestServer;
use crate::push::{event_kinds, user_with_device};
use crate::push_rules::set;

const ALICE: &str = "alice@example.com";
const STALE: i64 = 11 * 60;

async fn start(api: &Api) -> Answer<PushStarted> {
    api.post_empty("/api/v1/mfa/verify/push").await
}

async fn wait(api: &Api, id: &str, secs: u64) -> Answer<PushWait> {
    api.post_empty(&format!("/api/v1/mfa/verify/push/{id}/wait?wait={secs}"))
        .await
}

/// A change that needs a second factor from the last 10 minutes.
async fn sensitive(api: &Api) -> Answer<Value> {
    api.post_empty("/api/v1/protect/enroll").await
}

/// Alice, whose only factor is push, signed in with it long enough ago
/// that sensitive changes ask for it again.
async fn stale_session(s: &TestServer) -> (String, Device, Api) {
    let (id, d) = user_with_device(s, ALICE).await;
    let api = device::sign_in(s, ALICE, &d).await;
    s.advance(STALE);
    let refused = sensitive(&api).await;
    assert_eq!(refused.status, 403);
    let e = refused.err();
    assert_eq!(e.code, ErrorCode::ReauthenticationRequired);
    assert!(e.message.contains("Protect device"), "{}", e.message);
    (id, d, api)
}

#[tokio::test]
async fn an_approved_push_renews_the_sessions_second_factor() {
    let s = TestServer::start().await;
    let (id, d, api) = stale_session(&s).await;
    let started = start(&api).await.ok();
    assert_eq!(started.expires_at, s.now() + 60);
    let pending = d.pending(0).await.ok();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, started.id);
    assert_eq!(
        wait(&api, &started.id, 0).await.ok().status,
        PushStatus::Pending
    );

    d.approve(&started.id, i64::from(started.number)).await.ok();
    let answer = wait(&api, &started.id, 5).await;
    assert!(answer.session_cookie().is_none(), "the same session");
    let w = answer.ok();
    assert_eq!(w.status, PushStatus::Approved);
    assert!(w.login.is_none() && w.message.is_none(), "{w:?}");
    sensitive(&api).await.ok();
    // One approval renews once.
    let again = wait(&api, &started.id, 0).await;
    assert_eq!(again.fail(), (409, ErrorCode::Conflict));
    let events = event_kinds(&s, &id).await;
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "mfa_verified" && d == "Protect push"),
        "{events:?}"
    );
}

#[tokio::test]
async fn denied_cancelled_expired_or_others_pushes_renew_nothing() {
    let s = TestServer::start().await;
    let (_, d, api) = stale_session(&s).await;

    let started = start(&api).await.ok();
    d.deny(&started.id).await.ok();
    let w = wait(&api, &started.id, 5).await.ok();
    assert_eq!(w.status, PushStatus::Denied);
    assert!(w.message.unwrap_or_default().contains("denied"));
    assert_eq!(sensitive(&api).await.status, 403);

    // Another session of Alice's cannot wait on it, nor cancel it; this
    // one cancels it at the login's cancel route.
    let other = device::sign_in(&s, ALICE, &d).await;
    let started = start(&api).await.ok();
    assert_eq!(
        wait(&other, &started.id, 0).await.fail(),
        (404, ErrorCode::NotFound)
    );
    let cancel = |api: &Api| {
        let url = format!("/api/v1/login/push/{}/cancel", started.id);
        let api = api.clone();
        async move { api.post_empty::<()>(&url).await }
    };
    assert_eq!(cancel(&other).await.fail(), (404, ErrorCode::NotFound));
    assert_eq!(cancel(&api).await.status, 204);
    assert_eq!(
        wait(&api, &started.id, 0).await.ok().status,
        PushStatus::Cancelled
    );
    let late = d.approve(&started.id, i64::from(started.number)).await;
    assert_eq!(late.fail(), (409, ErrorCode::Conflict));

    let started = start(&api).await.ok();
    s.advance(60);
    let w = wait(&api, &started.id, 0).await.ok();
    assert_eq!(w.status, PushStatus::Expired);
    assert_eq!(sensitive(&api).await.status, 403);

    // A login in progress has no session to renew.
    let (login, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    assert_eq!(
        start(&login).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
}

#[tokio::test]
async fn the_logins_rules_hold_for_the_fresh_proof_too() {
    let s = TestServer::start().await;
    let (_, d, api) = stale_session(&s).await;

    // The limit: one waiting at a time.
    let first = start(&api).await.ok();
    assert_eq!(start(&api).await.status, 429);

    // The biometric policy: always, and this approval did not verify.
    set(&s, json!({"push_biometric": "always"})).await;
    d.approve_with(&first.id, i64::from(first.number), false)
        .await
        .ok();
    let w = wait(&api, &first.id, 5).await.ok();
    assert_eq!(w.status, PushStatus::Denied);
    assert!(
        w.message
            .unwrap_or_default()
            .contains("fingerprint, face or PIN"),
        "the policy's words"
    );
    assert_eq!(sensitive(&api).await.status, 403);

    // The mute after a report.
    let started = start(&api).await.ok();
    d.report(&started.id).await.ok();
    let muted = start(&api).await;
    assert_eq!(muted.fail(), (403, ErrorCode::PushMuted));

    // Push switched off.
    s.advance(20 * 60);
    start(&api).await.ok();
    set(&s, json!({"allowed_factors": ["totp", "webauthn"]})).await;
    assert_eq!(start(&api).await.fail(), (403, ErrorCode::FactorNotAllowed));
}

#[tokio::test]
async fn another_sessions_push_does_not_hold_the_owners_fresh_proof() {
    let s = TestServer::start().await;
    let (_, d, api) = stale_session(&s).await;
    // Someone who knows the password sends a push first (the limit of 1
    // per user is then used up for logins).
    let (stranger, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let theirs: PushStarted = stranger.post_empty("/api/v1/login/push").await.ok();

    // The owner's fresh proof has a slot of its own.
    let mine = start(&api).await.ok();
    d.approve(&mine.id, i64::from(mine.number)).await.ok();
    assert_eq!(
        wait(&api, &mine.id, 5).await.ok().status,
        PushStatus::Approved
    );
    sensitive(&api).await.ok();

    // The organisation's limit still holds for logins.
    let (again, _) = s.password_login(ALICE).await;
    let busy = again.post_empty::<PushStarted>("/api/v1/login/push").await;
    assert_eq!(busy.fail(), (429, ErrorCode::TooManyAttempts));
    // And a session has one proof push waiting at a time.
    let first = start(&api).await.ok();
    assert_eq!(start(&api).await.fail(), (429, ErrorCode::TooManyAttempts));
    assert_ne!(first.id, theirs.id);
}
