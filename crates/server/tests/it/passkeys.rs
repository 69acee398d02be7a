//! Passkeys beyond the second step, against the real server with the
//! software authenticator: sign-in without the password (with and without
//! user verification), its ceremonies, the prompt that starts with the
//! factor used last, and a key that renews the second factor before a
//! change that needs a recent one.

use portcullis_api::{ErrorCode, FactorKind, LoginResponse};
use serde_json::{json, Value};

use crate::authenticator::SoftKey;
use crate::client::{Answer, Api};
use crate::fixtures::TestServer;
use crate::webauthn::{events, finish, keys, login_with, register, with_key};

const IVAN: &str = "ivan@example.com";
const JUDY: &str = "judy@example.com";

/// Registers `key` as a passkey in this signed-in session.
async fn add_passkey(api: &Api, key: &mut SoftKey, name: &str) {
    let opts: Value = api
        .post(
            "/api/v1/webauthn/register/start",
            &json!({ "passkey": true }),
        )
        .await
        .ok();
    let cred = key.register(&opts["options"]);
    let done = finish(api, &opts["ceremony"], Some(name), cred).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

async fn passkey_start(api: &Api) -> Value {
    api.post_empty("/api/v1/login/passkey/start").await.ok()
}

async fn passkey_finish(api: &Api, ceremony: &Value, cred: Value) -> Answer<LoginResponse> {
    api.post(
        "/api/v1/login/passkey/finish",
        &json!({ "ceremony": ceremony, "credential": cred }),
    )
    .await
}

/// Judy with an authenticator app and a passkey on a key without a PIN,
/// signed out: the browser she set them up in, the app's key, the passkey.
async fn judy_with_a_plain_key(s: &TestServer) -> (Api, String, SoftKey) {
    s.require(JUDY, Some(7)).await;
    let (api, totp) = s.enroll_at_login(JUDY).await;
    s.advance(11 * 60);
    api.verify(&s.code(&totp, 0)).await.ok();
    s.next_step();
    let mut key = SoftKey::touch_only(&s.base);
    add_passkey(&api, &mut key, "Plain key").await;
    api.logout().await;
    (api, totp, key)
}

/// A passkey sign-in from a browser with no session.
async fn sign_in(s: &TestServer, key: &mut SoftKey) -> (Api, Answer<LoginResponse>) {
    let api = s.api();
    let opts = passkey_start(&api).await;
    let cred = key.assert(&opts["options"]);
    let answer = passkey_finish(&api, &opts["ceremony"], cred).await;
    (api, answer)
}

#[tokio::test]
async fn a_passkey_that_verifies_its_user_signs_in_without_the_password() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = s.password_login(IVAN).await;
    let mut key = SoftKey::new(&s.base);
    add_passkey(&api, &mut key, "Laptop").await;
    api.logout().await;

    let fresh = s.api();
    let opts = passkey_start(&fresh).await;
    // No allowed list: the browser offers the passkeys it holds.
    let pk = &opts["options"]["publicKey"];
    assert!(
        pk["allowCredentials"]
            .as_array()
            .is_none_or(|a| a.is_empty()),
        "{pk}"
    );
    assert_eq!(pk["userVerification"], "preferred");
    s.advance(30);
    let cred = key.assert(&opts["options"]);
    let done = passkey_finish(&fresh, &opts["ceremony"], cred).await;
    assert!(done.session_cookie().is_some(), "a session cookie is set");
    let done = done.ok();
    assert!(
        matches!(done, LoginResponse::Done { ref user } if user.email == IVAN),
        "{done:?}"
    );
    assert_eq!(fresh.me().await.ok().email, IVAN);
    // Both steps in one: the session records a key as its first step and
    // a second factor passed now.
    let (methods, second): (String, Option<i64>) = sqlx::query_as(
        "SELECT s.methods, s.second_factor_at FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE u.email = $1",
    )
    .bind(IVAN)
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert_eq!((methods.as_str(), second), ("key", Some(s.now())));
    assert!(events(&s, "login_succeeded")
        .await
        .contains(&"passkey: security key “Laptop” (user verified)".to_string()));
    assert_eq!(keys(&fresh).await[0].last_used_at, Some(s.now()));
}

#[tokio::test]
async fn a_passkey_without_user_verification_stands_for_the_password_only() {
    let s = TestServer::start_at_localhost().await;
    let (_, totp, mut key) = judy_with_a_plain_key(&s).await;

    let (half, answer) = sign_in(&s, &mut key).await;
    assert_eq!(
        answer.ok(),
        LoginResponse::Mfa {
            factors: vec![FactorKind::Totp]
        },
        "a second factor of another kind"
    );
    // Not signed in yet, and the key cannot also be the second factor.
    assert_eq!(half.me().await.status, 401);
    assert_eq!(half.mfa().await.ok().factors, vec![FactorKind::Totp]);
    let refused: Answer<Value> = half.post_empty("/api/v1/login/webauthn/start").await;
    assert_eq!(refused.fail(), (403, ErrorCode::NotAllowedNow));
    let done = half.login_totp(&s.code(&totp, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    assert_eq!(half.me().await.ok().email, JUDY);
    assert!(events(&s, "login_password_ok").await.contains(
        &"passkey: security key “Plain key” without user verification; second factor next"
            .to_string()
    ));
}

#[tokio::test]
async fn a_plain_passkeys_login_in_the_owners_browser_outlives_password_logins_elsewhere() {
    let s = TestServer::start_at_localhost().await;
    // Her browser signed in (setting up the app finished the login).
    let (api, totp, mut key) = judy_with_a_plain_key(&s).await;
    // In the same browser, the key without a PIN starts a login that asks
    // for the app; meanwhile someone with the password logs in, often.
    let opts = passkey_start(&api).await;
    let cred = key.assert(&opts["options"]);
    let answer = passkey_finish(&api, &opts["ceremony"], cred).await.ok();
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    for _ in 0..5 {
        s.advance(1);
        let (_, answer) = s.password_login(JUDY).await;
        assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    }
    // Her login in progress was not theirs to end.
    let done = api.login_totp(&s.code(&totp, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

#[tokio::test]
async fn a_touch_alone_never_signs_in() {
    let s = TestServer::start_at_localhost().await;
    // Ivan's only factor is a passkey without user verification.
    let (api, _) = s.password_login(IVAN).await;
    let mut key = SoftKey::touch_only(&s.base);
    add_passkey(&api, &mut key, "Plain key").await;
    api.logout().await;
    let (half, answer) = sign_in(&s, &mut key).await;
    assert!(answer.session_cookie().is_none());
    let err = answer.err();
    assert_eq!(err.code, ErrorCode::WrongCode, "{err:?}");
    assert!(err.message.contains("password"), "{}", err.message);
    assert_eq!(half.me().await.status, 401);
    assert!(events(&s, "login_failed")
        .await
        .iter()
        .any(|d| d.contains("without user verification, and no other factor")));

    // A passkey registered with a PIN must keep using it.
    let (api, _) = s.password_login(JUDY).await;
    let mut key = SoftKey::new(&s.base);
    add_passkey(&api, &mut key, "Phone").await;
    key.verifies_user = false;
    let (_, answer) = sign_in(&s, &mut key).await;
    assert!(answer.err().message.contains("did not verify"));
}

#[tokio::test]
async fn passkey_ceremonies_are_single_use_short_lived_and_refuse_strangers() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = s.password_login(IVAN).await;
    let mut key = SoftKey::new(&s.base);
    add_passkey(&api, &mut key, "Laptop").await;

    // Replayed: the ceremony is used up.
    let fresh = s.api();
    let opts = passkey_start(&fresh).await;
    let cred = key.assert(&opts["options"]);
    passkey_finish(&fresh, &opts["ceremony"], cred.clone())
        .await
        .ok();
    let again = passkey_finish(&s.api(), &opts["ceremony"], cred).await;
    assert_eq!(again.fail(), (409, ErrorCode::Conflict));

    // Five minutes, then it is gone.
    let opts = passkey_start(&fresh).await;
    s.advance(5 * 60 + 1);
    let cred = key.assert(&opts["options"]);
    let late = passkey_finish(&fresh, &opts["ceremony"], cred).await;
    assert_eq!(late.fail(), (409, ErrorCode::Conflict));

    // A key this portal does not know.
    let mut stranger = SoftKey::new(&s.base);
    stranger.user_handle = key.user_handle.clone();
    let (_, answer) = sign_in(&s, &mut stranger).await;
    assert!(answer.err().message.contains("not registered"));

    // Ivan's key, claiming to be someone else's.
    let real = key.user_handle.clone();
    key.user_handle = Some("AAAAAAAAAAAAAAAAAAAAAA".into());
    let (_, answer) = sign_in(&s, &mut key).await;
    assert_eq!(answer.fail(), (401, ErrorCode::WrongCode));
    key.user_handle = real;

    // Another site's answer.
    key.origin = "http://evil.example".into();
    let (_, answer) = sign_in(&s, &mut key).await;
    assert_eq!(answer.fail(), (401, ErrorCode::WrongCode));
    key.origin = s.base.clone();

    // Unreadable answers fail in words, not with a 500.
    let opts = passkey_start(&fresh).await;
    let junk = passkey_finish(&fresh, &opts["ceremony"], json!({"id": 5})).await;
    assert_eq!(junk.fail(), (401, ErrorCode::WrongCode));

    // Starting ceremonies without end is refused per address.
    let mut last = 200;
    for _ in 0..31 {
        let r: Answer<Value> = fresh.post_empty("/api/v1/login/passkey/start").await;
        last = r.status;
    }
    assert_eq!(last, 429);

    // With all that, the key still signs in.
    s.advance(60);
    let (_, answer) = sign_in(&s, &mut key).await;
    assert!(matches!(answer.ok(), LoginResponse::Done { .. }));
}

#[tokio::test]
async fn the_prompt_starts_with_the_factor_used_last() {
    let s = TestServer::start_at_localhost().await;
    s.require(JUDY, Some(7)).await;
    let (api, totp) = s.enroll_at_login(JUDY).await;
    s.advance(11 * 60);
    api.verify(&s.code(&totp, 0)).await.ok();
    s.next_step();
    let mut key = SoftKey::new(&s.base);
    let done = register(&api, &mut key, Some("Desk key")).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    api.logout().await;

    s.advance(60);
    let (api, done) = login_with(&s, JUDY, &mut key).await;
    done.ok();
    api.logout().await;
    let (half, _) = s.password_login(JUDY).await;
    assert_eq!(half.mfa().await.ok().last_used, Some(FactorKind::Webauthn));

    s.advance(60);
    let done = half.login_totp(&s.code(&totp, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }));
    s.next_step();
    let (half, _) = s.password_login(JUDY).await;
    assert_eq!(half.mfa().await.ok().last_used, Some(FactorKind::Totp));
}

async fn verify_start(api: &Api) -> Answer<Value> {
    api.post_empty("/api/v1/mfa/verify/webauthn/start").await
}

async fn verify_finish(api: &Api, ceremony: &Value, cred: Value) -> Answer<()> {
    api.post(
        "/api/v1/mfa/verify/webauthn/finish",
        &json!({ "ceremony": ceremony, "credential": cred }),
    )
    .await
}

#[tokio::test]
async fn a_key_renews_the_second_factor_before_an_admin_change() {
    let s = TestServer::start_at_localhost().await;
    let (admin, _) = s.admin().await;
    let mut key = SoftKey::new(&s.base);
    let done = register(&admin, &mut key, Some("Admin key")).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    let ivan = s.user_id(&admin, IVAN).await;

    s.advance(11 * 60);
    let stale = admin.require_mfa(&ivan, Some(7)).await;
    assert_eq!(stale.fail(), (403, ErrorCode::ReauthenticationRequired));
    let opts = verify_start(&admin).await.ok();
    // Someone else's session cannot finish it.
    let (other, _) = with_key(&s, JUDY, "Judy's").await;
    let cred = key.assert(&opts["options"]);
    let stolen = verify_finish(&other, &opts["ceremony"], cred.clone()).await;
    assert_eq!(stolen.fail(), (409, ErrorCode::Conflict));
    let opts = verify_start(&admin).await.ok();
    let cred = key.assert(&opts["options"]);
    assert_eq!(
        verify_finish(&admin, &opts["ceremony"], cred).await.status,
        204
    );
    admin.require_mfa(&ivan, Some(7)).await.ok();
    assert!(events(&s, "mfa_verified")
        .await
        .contains(&"security key “Admin key”".to_string()));

    // Not for a login in progress, nor for a user without keys.
    let (half, _) = s.password_login(JUDY).await;
    assert_eq!(verify_start(&half).await.status, 401);
    let (plain, _) = s.password_login("mallory@example.com").await;
    assert_eq!(
        verify_start(&plain).await.fail(),
        (403, ErrorCode::NotAllowedNow)
    );
}
