//! Per-session (and per-process) limits of Protect push, each a 429 in
//! words: refused pushes are recorded only a few times per session and
//! window (so a loop cannot flood the event log), a session holds at most
//! two push waits at once, and the process at most its configured cap.

use std::time::Duration;

use portcullis_api::protect::{PushStarted, PushStatus};
use portcullis_api::ErrorCode;
use portcullis_server::config::Settings;

use crate::client::{Answer, Api};
use crate::fixtures::TestServer;
use crate::push::{event_kinds, push_login, user_with_device, wait};

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";

async fn another(api: &Api) -> Answer<PushStarted> {
    api.post_empty("/api/v1/login/push").await
}

fn refusals(events: &[(String, String)]) -> usize {
    events
        .iter()
        .filter(|(k, _)| k == "push_mfa_attempt_failed")
        .count()
}

async fn cancel(api: &Api, id: &str) {
    let done: Answer<()> = api
        .post_empty(&format!("/api/v1/login/push/{id}/cancel"))
        .await;
    assert_eq!(done.status, 204);
}

/// Until `cond` holds (another task's request reaching the server), for
/// at most 10 s of real time.
async fn until(mut cond: impl AsyncFnMut() -> bool) {
    for _ in 0..1000 {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the condition never held");
}

async fn waits_of_anyone(s: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM push_waits")
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn refused_pushes_beyond_five_per_session_add_no_audit_rows() {
    let s = TestServer::start().await;
    // A second into a 10-minute window.
    s.advance(600 - s.now().rem_euclid(600) + 1);
    let (id, _d) = user_with_device(&s, ALICE).await;
    let (api, _) = push_login(&s, ALICE).await;
    for _ in 0..12 {
        let busy = another(&api).await;
        assert_eq!(busy.fail(), (429, ErrorCode::TooManyAttempts));
    }
    assert_eq!(refusals(&event_kinds(&s, &id).await), 5);
    // Another login has its own few.
    let (other, _) = s.password_login(ALICE).await;
    for _ in 0..2 {
        assert_eq!(another(&other).await.status, 429);
    }
    assert_eq!(refusals(&event_kinds(&s, &id).await), 7);
    // The next window records again (a push still waits: a new one, as
    // the first expired; the login is still within its 10 minutes).
    s.advance(599);
    push_login(&s, ALICE).await;
    assert_eq!(another(&api).await.status, 429);
    assert_eq!(refusals(&event_kinds(&s, &id).await), 8);
}

#[tokio::test]
async fn a_session_holds_two_push_waits_at_once() {
    let s = TestServer::start().await;
    user_with_device(&s, ALICE).await;
    let (api, started) = push_login(&s, ALICE).await;
    let spawn = |api: &Api| {
        let (api, id) = (api.clone(), started.id.clone());
        tokio::spawn(async move { wait(&api, &id, 25).await })
    };
    let (a, b) = (spawn(&api), spawn(&api));
    until(async || waits_of_anyone(&s).await == 2).await;
    let third = wait(&api, &started.id, 0).await;
    assert_eq!(third.status, 429);
    let e = third.err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts);
    assert_eq!(e.retry_after, Some(5));
    assert!(
        e.message.contains("already waiting for 2 push answers"),
        "{}",
        e.message
    );
    // Once they answer, there is room again.
    cancel(&api, &started.id).await;
    for w in [a, b] {
        assert_eq!(w.await.unwrap().ok().status, PushStatus::Cancelled);
    }
    assert_eq!(
        wait(&api, &started.id, 0).await.ok().status,
        PushStatus::Cancelled
    );
    assert_eq!(waits_of_anyone(&s).await, 0);
}

#[tokio::test]
async fn the_process_holds_at_most_its_cap_of_push_waits() {
    let s = TestServer::start_with(Settings {
        max_push_waits: 1,
        ..Settings::default()
    })
    .await;
    user_with_device(&s, ALICE).await;
    user_with_device(&s, IVAN).await;
    let (alice, a_push) = push_login(&s, ALICE).await;
    let (ivan, i_push) = push_login(&s, IVAN).await;
    let waiting = {
        let (api, id) = (alice.clone(), a_push.id.clone());
        tokio::spawn(async move { wait(&api, &id, 25).await })
    };
    until(async || s.state.push_waits.available_permits() == 0).await;
    let refused = wait(&ivan, &i_push.id, 0).await;
    assert_eq!(refused.status, 429);
    let e = refused.err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts);
    assert!(e.message.contains("too many push answers"), "{}", e.message);
    cancel(&alice, &a_push.id).await;
    assert_eq!(waiting.await.unwrap().ok().status, PushStatus::Cancelled);
    until(async || s.state.push_waits.available_permits() == 1).await;
    assert_eq!(
        wait(&ivan, &i_push.id, 0).await.ok().status,
        PushStatus::Pending
    );
}
