//! Protect enrollment links: at most one live link per user (a new one
//! revokes the old), revoked when factors are reset or removed (Reset MFA,
//! a device removed, Reset Authenticator App) and when the user's sessions
//! are ended, each refusal in words; replacing a device needs a second
//! factor from the last 10 minutes and the link names the device it
//! replaces; the database keeps only a keyed hash of the token; a session
//! makes only a few links in 10 minutes.

use portcullis_api::protect::DeviceEnrolled;
use portcullis_api::{ErrorCode, LoginResponse};

use crate::client::{Answer, Api};
use crate::device::{self, enroll_request, new_key, token_of, Device};
use crate::fixtures::TestServer;
use crate::push::user_with_device;

const ALICE: &str = "alice@example.com";

/// Alice (no MFA) signed in with the password.
async fn alice(s: &TestServer) -> Api {
    let (api, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    api
}

/// A device offering `token` (of a link) to the portal.
async fn offer(s: &TestServer, token: &str) -> Answer<DeviceEnrolled> {
    Api::new(&s.base)
        .post(
            "/api/device/v1/enroll",
            &enroll_request(token, &new_key(), s.now()),
        )
        .await
}

#[track_caller]
fn refused_in_words(answer: Answer<DeviceEnrolled>, words: &str) {
    assert_eq!(answer.status, 401);
    let e = answer.err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    assert!(
        e.message.contains(words),
        "{words:?} not in {:?}",
        e.message
    );
}

#[tokio::test]
async fn a_new_link_revokes_the_one_before() {
    let s = TestServer::start().await;
    let api = alice(&s).await;
    let first = device::link(&api).await;
    let second = device::link(&api).await;
    refused_in_words(
        offer(&s, &token_of(&first.uri)).await,
        "replaced by a newer one",
    );
    offer(&s, &token_of(&second.uri)).await.ok();
    // Used: the usual words.
    refused_in_words(
        offer(&s, &token_of(&second.uri)).await,
        "expired or was used",
    );
}

#[tokio::test]
async fn a_link_made_before_reset_mfa_is_refused() {
    let s = TestServer::start().await;
    let api = alice(&s).await;
    let link = device::link(&api).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    admin.reset_mfa(&id, Some(7)).await.ok();
    refused_in_words(
        offer(&s, &token_of(&link.uri)).await,
        "sign-in factors were reset or removed",
    );
}

#[tokio::test]
async fn removing_the_device_revokes_the_link_to_replace_it() {
    let s = TestServer::start().await;
    let (_, d) = user_with_device(&s, ALICE).await;
    let api = device::sign_in(&s, ALICE, &d).await;
    let link = device::link(&api).await;
    let gone = api
        .http
        .delete(api.url("/api/v1/protect/device"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    refused_in_words(offer(&s, &token_of(&link.uri)).await, "reset or removed");

    // An administrator's removal of a factor does the same.
    let d = Device::for_user(&s, &api).await;
    let api = device::sign_in(&s, ALICE, &d).await;
    let link = device::link(&api).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    let url = admin.url(&format!("/api/v1/admin/users/{id}/factors/{}", d.id));
    let removed: Answer<serde_json::Value> =
        Api::read(admin.http.delete(url).send().await.unwrap()).await;
    removed.ok();
    refused_in_words(offer(&s, &token_of(&link.uri)).await, "reset or removed");
}

#[tokio::test]
async fn reset_authenticator_app_revokes_the_link() {
    let s = TestServer::start().await;
    let api = alice(&s).await;
    let key = s.enroll_app(&api).await;
    let link = device::link(&api).await;
    api.totp_reset(&s.code(&key, 0)).await.ok();
    refused_in_words(offer(&s, &token_of(&link.uri)).await, "reset or removed");
}

#[tokio::test]
async fn ending_the_users_sessions_revokes_the_link() {
    let s = TestServer::start().await;
    // By the user: "sign out everywhere else".
    let api = alice(&s).await;
    let link = device::link(&api).await;
    let ended: Answer<serde_json::Value> = api.post_empty("/api/v1/sessions/end-others").await;
    ended.ok();
    refused_in_words(offer(&s, &token_of(&link.uri)).await, "sessions were ended");
    // By an administrator.
    let link = device::link(&api).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    let ended: Answer<serde_json::Value> = admin
        .post_empty(&format!("/api/v1/admin/users/{id}/sessions/end"))
        .await;
    ended.ok();
    refused_in_words(offer(&s, &token_of(&link.uri)).await, "sessions were ended");
}

#[tokio::test]
async fn ending_one_other_session_revokes_the_link_it_may_have_made() {
    let s = TestServer::start().await;
    let owner = alice(&s).await;
    // Another browser of hers (or someone who found it open) shows a link.
    let other = alice(&s).await;
    let link = device::link(&other).await;
    let theirs = crate::own_sessions::list(&owner)
        .await
        .into_iter()
        .find(|x| !x.current)
        .unwrap();
    crate::own_sessions::end(&owner, &theirs.id).await.ok();
    refused_in_words(offer(&s, &token_of(&link.uri)).await, "sessions were ended");
}

#[tokio::test]
async fn replacing_a_device_needs_a_fresh_factor_and_the_link_names_it() {
    let s = TestServer::start().await;
    let api = alice(&s).await;
    // Nothing to replace yet.
    let first = device::link(&api).await;
    assert_eq!(first.replaces, None);
    let d = Device::enroll(&s, &token_of(&first.uri)).await;

    let api = device::sign_in(&s, ALICE, &d).await;
    let link = device::link(&api).await;
    assert_eq!(link.replaces.as_deref(), Some("Ada's phone"));

    s.advance(11 * 60);
    let stale = api
        .post_empty::<serde_json::Value>("/api/v1/protect/enroll")
        .await;
    assert_eq!(stale.fail(), (403, ErrorCode::ReauthenticationRequired));
}

#[tokio::test]
async fn the_database_keeps_only_a_keyed_hash_of_the_token() {
    let s = TestServer::start().await;
    let api = alice(&s).await;
    let link = device::link(&api).await;
    let token = token_of(&link.uri);
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT token_hash, user_id FROM protect_enrollments")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    let (hash, _) = &rows[0];
    assert_ne!(hash, &token);
    assert!(!hash.contains(&token));
    assert_eq!(
        hash,
        &s.state.secrets.keyed_hash("protect-enrollment", &token),
        "a keyed hash, not the token"
    );
}

#[tokio::test]
async fn a_session_makes_three_links_in_ten_minutes() {
    let s = TestServer::start().await;
    let api = alice(&s).await;
    for _ in 0..3 {
        device::link(&api).await;
        s.advance(60);
    }
    let refused = api
        .post_empty::<serde_json::Value>("/api/v1/protect/enroll")
        .await;
    assert_eq!(refused.status, 429);
    let e = refused.err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts);
    // The first was made 3 minutes ago: 7 minutes to go.
    assert_eq!(e.retry_after, Some(420));
    assert!(
        e.message
            .contains("3 enrollment links in the last 10 minutes"),
        "{}",
        e.message
    );
    assert!(e.message.contains("in 420 seconds"), "{}", e.message);
    // Another session of the same user is not held back.
    let other = alice(&s).await;
    let link = device::link(&other).await;
    // The window moves on.
    s.advance(420);
    device::link(&api).await;
    // (That revoked the other session's link: one live link per user.)
    refused_in_words(
        offer(&s, &token_of(&link.uri)).await,
        "replaced by a newer one",
    );
}

/// Two links made at the same moment on two instances can both be live (each
/// revoked the links before it, and neither saw the other's): the device's
/// enrollment revokes every other link of the user, so the second one
/// cannot bind a second device afterwards.
#[tokio::test]
async fn a_device_enrolled_revokes_every_other_link_of_the_user() {
    let s = TestServer::start().await;
    let api = alice(&s).await;
    let link = device::link(&api).await;
    let user_id: String = sqlx::query_scalar("SELECT user_id FROM protect_enrollments")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    // The other instance's link, written as its transaction does.
    let other = "a-link-made-at-the-same-moment-elsewhere-0123456789";
    sqlx::query(
        "INSERT INTO protect_enrollments (token_hash, user_id, session_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(s.state.secrets.keyed_hash("protect-enrollment", other))
    .bind(&user_id)
    .bind("another-session")
    .bind(s.now())
    .bind(s.now() + 600)
    .execute(&s.state.db)
    .await
    .unwrap();
    offer(&s, &token_of(&link.uri)).await.ok();
    refused_in_words(
        offer(&s, other).await,
        "A device was enrolled for this account after this link was made",
    );
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM protect_enrollments WHERE used_at IS NULL AND revoked_at IS NULL",
    )
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert_eq!(live, 0);
}
