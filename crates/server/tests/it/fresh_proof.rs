//! Changes to one's own factors need a second factor passed in the last
//! 10 minutes when the user has one (`reauthentication_required`, then
//! prove one again and retry): adding an authenticator app or a key while
//! signed in, removing a key. A user with no factor has nothing to prove.
//! (Regenerating recovery codes: `recovery_codes.rs`; ending sessions:
//! `own_sessions.rs`; resetting the app takes a current code in its body.)

use portcullis_api::{ErrorCode, LoginResponse};
use serde_json::{json, Value};

use crate::authenticator::SoftKey;
use crate::client::{Answer, Api};
use crate::fixtures::TestServer;
use crate::webauthn::{keys, register, with_key};

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";
const STALE: i64 = 11 * 60;

fn refused<T: std::fmt::Debug>(answer: Answer<T>, what: &str) {
    assert_eq!(
        answer.fail(),
        (403, ErrorCode::ReauthenticationRequired),
        "{what}"
    );
}

/// Proves `key` again in this signed-in session.
async fn prove_with_key(api: &Api, key: &mut SoftKey) {
    let opts: Value = api
        .post_empty("/api/v1/mfa/verify/webauthn/start")
        .await
        .ok();
    let cred = key.assert(&opts["options"]);
    let done: Answer<()> = api
        .post(
            "/api/v1/mfa/verify/webauthn/finish",
            &json!({ "ceremony": opts["ceremony"], "credential": cred }),
        )
        .await;
    assert_eq!(done.status, 204);
}

async fn remove(api: &Api, id: &str) -> Answer<()> {
    let url = api.url(&format!("/api/v1/webauthn/credentials/{id}"));
    Api::read(api.http.delete(url).send().await.unwrap()).await
}

async fn register_start(api: &Api) -> Answer<Value> {
    api.post("/api/v1/webauthn/register/start", &json!({}))
        .await
}

#[tokio::test]
async fn adding_an_app_beside_a_key_needs_a_recent_second_factor() {
    let s = TestServer::start_at_localhost().await;
    // Ivan signed in with his password only, then registered a key: its
    // touch proved it, so an app may follow at once.
    let (api, mut key) = with_key(&s, IVAN, "YubiKey").await;
    api.totp_enroll().await.ok();

    s.advance(STALE);
    refused(api.totp_enroll().await, "11 minutes after the key");
    prove_with_key(&api, &mut key).await;
    let enrollment = api.totp_enroll().await.ok();
    let done = api.totp_confirm(&s.code(&enrollment.secret, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

#[tokio::test]
async fn adding_a_key_beside_an_app_needs_a_recent_second_factor() {
    let s = TestServer::start_at_localhost().await;
    let (api, code_key) = s.enrolled(ALICE).await;
    // Fresh from the login.
    register_start(&api).await.ok();

    s.advance(STALE);
    refused(register_start(&api).await, "11 minutes after the login");
    api.verify(&s.code(&code_key, 0)).await.ok();
    let mut key = SoftKey::new(&s.base);
    let done = register(&api, &mut key, Some("Backup")).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    assert_eq!(keys(&api).await.len(), 1);
}

#[tokio::test]
async fn removing_a_key_needs_a_recent_second_factor() {
    let s = TestServer::start_at_localhost().await;
    let (api, mut first) = with_key(&s, IVAN, "First").await;
    let mut second = SoftKey::new(&s.base);
    register(&api, &mut second, Some("Second")).await.ok();
    let listed = keys(&api).await;
    assert_eq!(listed.len(), 2);

    s.advance(STALE);
    refused(remove(&api, &listed[1].id).await, "11 minutes on");
    assert_eq!(keys(&api).await.len(), 2, "nothing removed");
    // Renaming is no change to how one signs in: no proof asked.
    let url = api.url(&format!("/api/v1/webauthn/credentials/{}", listed[0].id));
    let renamed = api
        .http
        .patch(url)
        .json(&json!({ "name": "Keyring" }))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);

    prove_with_key(&api, &mut first).await;
    assert_eq!(remove(&api, &listed[1].id).await.status, 204);
    // Nine minutes later the proof still holds.
    s.advance(9 * 60);
    register(&api, &mut second, Some("Second again")).await.ok();
    assert_eq!(keys(&api).await.len(), 2);
}

#[tokio::test]
async fn a_user_without_a_factor_adds_one_without_proving_anything() {
    let s = TestServer::start_at_localhost().await;
    let (ivan, answer) = s.password_login(IVAN).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    let (alice, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    s.advance(STALE);
    let mut key = SoftKey::new(&s.base);
    let done = register(&ivan, &mut key, Some("First")).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    let enrollment = alice.totp_enroll().await.ok();
    alice
        .totp_confirm(&s.code(&enrollment.secret, 0))
        .await
        .ok();
}
