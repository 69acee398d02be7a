//! Protect as the first factor, set up at the login that must set one up
//! (`/enroll`): the login asks for the link, the phone enrolls with it, and
//! the login goes on with a push to that phone. A login at any other step
//! gets no link.

use portcullis_api::protect::{PushStarted, PushStatus, PushWait};
use portcullis_api::{ErrorCode, FactorKind, LoginResponse};

use crate::device::{self, Device};
use crate::fixtures::TestServer;

const ALICE: &str = "alice@example.com";

#[tokio::test]
async fn a_login_that_must_set_up_a_factor_enrolls_protect_then_pushes() {
    let s = TestServer::start().await;
    s.require(ALICE, None).await;
    let (api, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");

    // no push before a phone is enrolled
    let refused = api
        .post_empty::<PushStarted>("/api/v1/login/push")
        .await
        .fail();
    assert_eq!(refused, (403, ErrorCode::NotAllowedNow));

    let link = device::link(&api).await;
    let phone = Device::enroll(&s, &device::token_of(&link.uri)).await;

    // the login now asks for the new factor, and a push proves it
    let overview = api.mfa().await.ok();
    assert_eq!(overview.factors, vec![FactorKind::Push]);
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    phone
        .approve(&started.id, i64::from(started.number))
        .await
        .ok();
    let w: PushWait = api
        .post_empty(&format!("/api/v1/login/push/{}/wait?wait=5", started.id))
        .await
        .ok();
    assert_eq!(w.status, PushStatus::Approved);
    assert!(matches!(w.login, Some(LoginResponse::Done { .. })), "{w:?}");
    assert_eq!(api.me().await.ok().email, ALICE);

    // once set up, a new login gets no link: it proves the phone instead
    api.logout().await.ok();
    let (again, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let refused = again
        .post_empty::<serde_json::Value>("/api/v1/protect/enroll")
        .await
        .fail();
    assert_eq!(refused, (403, ErrorCode::NotAllowedNow));
}

#[tokio::test]
async fn a_login_with_nothing_to_set_up_gets_no_link() {
    let s = TestServer::start().await;
    // Alice has no MFA required and nothing set up: she is signed in by
    // the password alone, so her session is a signed-in one; a fresh
    // client with no session at all gets 401.
    let (status, _) = s
        .api()
        .post_empty::<serde_json::Value>("/api/v1/protect/enroll")
        .await
        .fail();
    assert_eq!(status, 401);
    let (api, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    // signed in with no factor: a link, no proof needed
    let link = device::link(&api).await;
    assert!(link.uri.starts_with("portcullis-protect://enroll?"));
}
