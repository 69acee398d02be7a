//! Finishing a login checks again, inside its transaction, that the login
//! in progress and the factor that proved it are still there: an "end all
//! sessions" or a Reset MFA that lands while a code, a recovery code or a
//! push is being checked wins. The race is made certain here by taking the
//! request's session (as the HTTP layer does first) before the change, and
//! finishing with it after.

use portcullis_api::protect::PushStarted;
use portcullis_api::{FactorKind, LoginResponse};
use portcullis_server::auth::client::Client;
use portcullis_server::auth::session::Method;
use portcullis_server::auth::{self, Access, Authed};
use portcullis_server::login::finish::{finish, Ending, Proven};
use portcullis_server::login::second_factor;
use portcullis_server::mfa::MfaError;

use crate::client::Api;
use crate::device::Device;
use crate::fixtures::{TestServer, PASSWORD};
use crate::own_sessions::end_others;

const IVAN: &str = "ivan@example.com";
const JUDY: &str = "judy@example.com";

fn client() -> Client {
    Client::new(Some("127.0.0.1".parse().unwrap()), "test")
}

/// A password login of `email` that asks for a second factor: the browser
/// and the session the server sees for it.
async fn half_login(s: &TestServer, email: &str) -> (Api, Authed) {
    let api = s.api();
    let answer = api.login(email, PASSWORD).await;
    let set = answer.session_cookie().expect("a session cookie");
    assert!(matches!(answer.ok(), LoginResponse::Mfa { .. }));
    let value = set
        .strip_prefix("portcullis_session=")
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let authed = auth::authenticate(&s.state, Some(&value), Access::AnySession)
        .await
        .unwrap();
    (api, authed)
}

/// Sessions of `email` in the database, signed in or not.
async fn sessions_of(s: &TestServer, email: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT COUNT(CASE WHEN CAST(signed_in AS INTEGER) = 1 THEN 1 END), COUNT(*)
         FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(email)
    .fetch_one(&s.state.db)
    .await
    .unwrap()
}

#[track_caller]
fn assert_ended<T>(r: Result<T, MfaError>) {
    match r {
        Err(MfaError::LoginEnded) => {}
        Err(e) => panic!("expected LoginEnded, got {e:?}"),
        Ok(_) => panic!("expected LoginEnded, got a session"),
    }
}

#[tokio::test]
async fn an_admin_ending_all_sessions_wins_over_a_code_being_checked() {
    let s = TestServer::start().await;
    let (owner, key) = s.enrolled(IVAN).await;
    owner.logout().await;
    let (_, authed) = half_login(&s, IVAN).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    admin
        .post_empty::<serde_json::Value>(&format!("/api/v1/admin/users/{id}/sessions/end"))
        .await
        .ok();
    let code = s.code(&key, 0);
    let r = second_factor::prove_code(&s.state, &authed, FactorKind::Totp, &code, false, &client())
        .await;
    assert_ended(r);
    assert_eq!(sessions_of(&s, IVAN).await, (0, 0));
}

#[tokio::test]
async fn a_reset_mfa_that_lands_after_the_code_was_checked_wins() {
    let s = TestServer::start().await;
    let (owner, _) = s.enrolled(IVAN).await;
    owner.logout().await;
    let (_, authed) = half_login(&s, IVAN).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    // The code was checked (right), then the reset landed, then the
    // login's finish runs.
    admin.reset_mfa(&id, Some(7)).await.ok();
    let totp = Proven::Method(Method::Totp);
    let r = finish(
        &s.state,
        &authed,
        Ending::proven(totp, false, "test"),
        &client(),
    )
    .await;
    assert_ended(r);
    assert_eq!(sessions_of(&s, IVAN).await, (0, 0));
}

#[tokio::test]
async fn a_factor_removed_after_it_was_checked_finishes_no_login() {
    let s = TestServer::start().await;
    let (owner, _) = s.enrolled(IVAN).await;
    // A second factor, so that the app may be removed.
    Device::for_user(&s, &owner).await;
    owner.logout().await;
    let (_, authed) = half_login(&s, IVAN).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    // The administrator removes the app: the login in progress (proven by
    // the password only) stays, but what proved its last step is gone.
    let url = admin.url(&format!("/api/v1/admin/users/{id}/factors/totp"));
    let removed =
        Api::read::<serde_json::Value>(admin.http.delete(url).send().await.unwrap()).await;
    assert_eq!(removed.status, 200, "{removed:?}");
    let totp = Proven::Method(Method::Totp);
    let r = finish(
        &s.state,
        &authed,
        Ending::proven(totp, false, "test"),
        &client(),
    )
    .await;
    assert_ended(r);
    assert_eq!(
        sessions_of(&s, IVAN).await,
        (0, 1),
        "the login in progress only"
    );
}

#[tokio::test]
async fn ending_ones_other_sessions_wins_over_a_recovery_code_and_keeps_it() {
    let s = TestServer::start().await;
    let (owner, _) = s.enrolled(JUDY).await;
    let codes: Vec<String> = owner
        .post_empty::<portcullis_api::NewRecoveryCodes>("/api/v1/recovery-codes")
        .await
        .ok()
        .codes;
    let (_, authed) = half_login(&s, JUDY).await;
    // The owner, signed in elsewhere, signs out everywhere else.
    end_others(&owner).await.ok();
    let r = second_factor::recovery_code(&s.state, &authed, &codes[0], false, &client()).await;
    assert_ended(r);
    assert_eq!(sessions_of(&s, JUDY).await, (1, 1), "the owner's only");
    // The code was not used up by the refused login.
    let (api, _) = s.password_login(JUDY).await;
    let done: LoginResponse = api
        .post(
            "/api/v1/login/recovery-code",
            &portcullis_api::RecoveryCodeRequest {
                code: codes[0].clone(),
                trust_browser: false,
            },
        )
        .await
        .ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

#[tokio::test]
async fn ending_all_sessions_wins_over_an_approved_push() {
    let s = TestServer::start().await;
    let (owner, _) = s.enrolled(IVAN).await;
    let device = Device::for_user(&s, &owner).await;
    owner.logout().await;
    let (api, authed) = half_login(&s, IVAN).await;
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    device
        .approve(&started.id, i64::from(started.number))
        .await
        .ok();
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    admin
        .post_empty::<serde_json::Value>(&format!("/api/v1/admin/users/{id}/sessions/end"))
        .await
        .ok();
    let r = second_factor::push_wait(&s.state, &authed, &started.id, 0, false, &client()).await;
    assert!(r.is_err(), "no session after the sessions ended");
    assert_eq!(sessions_of(&s, IVAN).await, (0, 0));
}

#[tokio::test]
async fn a_login_ended_before_its_code_makes_no_session() {
    let s = TestServer::start().await;
    let (owner, key) = s.enrolled(IVAN).await;
    owner.logout().await;
    let (api, _) = half_login(&s, IVAN).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    admin
        .post_empty::<serde_json::Value>(&format!("/api/v1/admin/users/{id}/sessions/end"))
        .await
        .ok();
    let refused = api.login_totp(&s.code(&key, 0)).await;
    assert!(refused.session_cookie().is_none());
    assert_eq!(refused.status, 401);
    assert_eq!(sessions_of(&s, IVAN).await, (0, 0));
}
