//! Every login is for a resource (today the User Portal or the Admin
//! Portal): the session it makes records it, its pushes and audit events
//! name it, and the push limit counts per resource.

use portcullis_api::protect::PushStarted;
use portcullis_api::{ErrorCode, EventPage, LoginResponse};

use crate::client::Api;
use crate::fixtures::TestServer;
use crate::push::{push_login, user_with_device, wait};

const ALICE: &str = "alice@example.com";
use crate::fixtures::BILLING_ADMIN;

/// The resources on the sessions of user `id`, oldest first.
async fn session_resources(s: &TestServer, id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT resource FROM sessions WHERE user_id = $1 ORDER BY created_at")
        .bind(id)
        .fetch_all(&s.state.db)
        .await
        .unwrap()
}

/// (kind, resource) of the latest events about `email`, newest first.
async fn event_resources(admin: &Api, email: &str) -> Vec<(String, Option<String>)> {
    let page: EventPage = admin
        .get(&format!("/api/v1/admin/events?user={email}&limit=100"))
        .await
        .ok();
    page.events
        .into_iter()
        .map(|e| (e.kind, e.resource))
        .collect()
}

fn first_of<'a>(events: &'a [(String, Option<String>)], kind: &str) -> &'a Option<String> {
    &events
        .iter()
        .find(|(k, _)| k == kind)
        .unwrap_or_else(|| panic!("no {kind} in {events:?}"))
        .1
}

#[tokio::test]
async fn a_users_login_is_for_the_user_portal_on_its_session_push_and_events() {
    let s = TestServer::start().await;
    let (id, device) = user_with_device(&s, ALICE).await;
    let (api, started) = push_login(&s, ALICE).await;
    let pending = device.pending(0).await.ok();
    let push = pending.iter().find(|p| p.id == started.id).unwrap();
    assert_eq!(push.resource, "User Portal");
    device
        .approve(&started.id, i64::from(started.number))
        .await
        .ok();
    let done = wait(&api, &started.id, 0).await.ok();
    assert!(matches!(done.login, Some(LoginResponse::Done { .. })));
    // The completed session keeps what the login was for.
    assert_eq!(session_resources(&s, &id).await, vec!["User Portal"]);
    let (admin, _) = s.admin().await;
    let events = event_resources(&admin, ALICE).await;
    let portal = Some("User Portal".to_string());
    assert_eq!(first_of(&events, "login_succeeded"), &portal);
    assert_eq!(first_of(&events, "login_password_ok"), &portal);
    assert_eq!(first_of(&events, "push_sent"), &portal);
    // Events about no login name none.
    assert_eq!(first_of(&events, "push_device_enrolled"), &None);
}

#[tokio::test]
async fn an_administrators_login_is_for_the_admin_portal() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, BILLING_ADMIN).await;
    assert!(session_resources(&s, &id)
        .await
        .iter()
        .all(|r| r == "Admin Portal"));
    let events = event_resources(&admin, BILLING_ADMIN).await;
    assert_eq!(
        first_of(&events, "login_succeeded"),
        &Some("Admin Portal".to_string())
    );
}

async fn push(api: &Api) -> crate::client::Answer<PushStarted> {
    api.post_empty("/api/v1/login/push").await
}

#[tokio::test]
async fn the_push_limit_counts_per_resource() {
    let s = TestServer::start().await;
    // The organisation's default: one push waiting per user and resource.
    let (id, device) = user_with_device(&s, ALICE).await;
    let (user_portal, _) = push_login(&s, ALICE).await;
    let (another, _) = s.password_login(ALICE).await;
    assert_eq!(
        push(&another).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    // Signed out, so the logins in progress stay within their cap of three.
    another.logout().await.ok();
    // Alice becomes an administrator: her next logins are for the Admin
    // Portal, which has room although a User Portal push still waits.
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
        .bind(&id)
        .execute(&s.state.db)
        .await
        .unwrap();
    let (admin_portal, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let started = push(&admin_portal).await.ok();
    let resources: Vec<String> = device
        .pending(0)
        .await
        .ok()
        .into_iter()
        .map(|p| p.resource)
        .collect();
    assert_eq!(resources.len(), 2, "{resources:?}");
    assert!(resources.contains(&"User Portal".to_string()));
    assert!(resources.contains(&"Admin Portal".to_string()));
    let pending = device.pending(0).await.ok();
    let mine = pending.iter().find(|p| p.id == started.id).unwrap();
    assert_eq!(mine.resource, "Admin Portal");
    // Now the Admin Portal is full too; and the login begun for the User
    // Portal stays one (what a login is for is decided once).
    let (third, _) = s.password_login(ALICE).await;
    assert_eq!(push(&third).await.fail(), (429, ErrorCode::TooManyAttempts));
    assert_eq!(
        push(&user_portal).await.fail(),
        (429, ErrorCode::TooManyAttempts)
    );
    let mut resources = session_resources(&s, &id).await;
    resources.sort();
    assert_eq!(
        resources,
        vec!["Admin Portal", "Admin Portal", "User Portal"],
        "the first login's session is still the User Portal's"
    );
}
