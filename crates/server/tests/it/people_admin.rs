//! An administrator edits a user's name, email and role, and deletes a
//! user: rank rules, unique emails, sessions ended by a role change, links
//! revoked by a new email; deletion takes everything of theirs but their
//! events, which keep their id under a tombstone name.

use portcullis_api::protect::PushStarted;
use portcullis_api::{ErrorCode, EventPage, LoginResponse, NewRecoveryCodes, Role, UserChange};

use crate::authenticator::SoftKey;
use crate::device::Device;
use crate::fixtures::{TestServer, ADMIN, PASSWORD};
use crate::{temporary_access, webauthn};

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";

async fn rows(s: &TestServer, table: &str, id: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1"))
        .bind(id)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn name_email_and_role_change_by_the_rules() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (alice, _) = s.password_login(ALICE).await;
    let id = s.user_id(&admin, ALICE).await;

    // Name and email: her session lives on; the new email signs in.
    let changed = admin
        .edit_user(
            &id,
            &UserChange {
                display_name: Some(" Alice Anders-Berg ".into()),
                email: Some("Alice.Berg@Example.com".into()),
                role: None,
            },
        )
        .await
        .ok();
    assert_eq!(
        (changed.display_name.as_str(), changed.email.as_str()),
        ("Alice Anders-Berg", "alice.berg@example.com")
    );
    alice.me().await.ok();
    assert!(matches!(
        s.api().login("alice.berg@example.com", PASSWORD).await.ok(),
        LoginResponse::Done { .. }
    ));

    // Another user's email, whatever its case, is refused in words.
    let taken = admin
        .edit_user(
            &id,
            &UserChange {
                email: Some("IVAN@example.com".into()),
                ..Default::default()
            },
        )
        .await
        .err();
    assert_eq!(taken.code, ErrorCode::Conflict);
    assert!(
        taken.message.contains("exists already"),
        "{}",
        taken.message
    );
    for bad in [
        UserChange {
            email: Some("nope".into()),
            ..Default::default()
        },
        UserChange {
            display_name: Some("  ".into()),
            ..Default::default()
        },
    ] {
        assert_eq!(
            admin.edit_user(&id, &bad).await.fail(),
            (422, ErrorCode::ValidationFailed)
        );
    }

    // A new role ends her sessions (they carried the old rights).
    let promoted = admin
        .edit_user(
            &id,
            &UserChange {
                role: Some(Role::Admin),
                ..Default::default()
            },
        )
        .await
        .ok();
    assert_eq!(promoted.role, Role::Admin);
    assert_eq!(alice.me().await.fail(), (401, ErrorCode::Unauthenticated));
    // As an administrator with no factor, her password alone is not enough.
    assert!(matches!(
        s.api().login("alice.berg@example.com", PASSWORD).await.ok(),
        LoginResponse::Locked { .. }
    ));

    // grace, a plain administrator, makes no billing administrator.
    let grace_id = s.user_id(&admin, ADMIN).await;
    admin.reset_mfa(&grace_id, None).await.ok();
    let (grace, _) = s.enroll_by_link(ADMIN).await;
    let ivan_id = s.user_id(&admin, IVAN).await;
    assert_eq!(
        grace
            .edit_user(
                &ivan_id,
                &UserChange {
                    role: Some(Role::BillingAdmin),
                    ..Default::default()
                },
            )
            .await
            .fail(),
        (403, ErrorCode::Outranked)
    );
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE kind = 'admin_user_changed' ORDER BY at, id",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].contains("email: alice@example.com → alice.berg@example.com"));
    assert!(events[1].contains("role: user → administrator; their sessions ended"));
}

#[tokio::test]
async fn a_deleted_user_leaves_only_their_events_under_a_tombstone() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (_, _) = s.enrolled(IVAN).await;
    let id = s.user_id(&admin, IVAN).await;
    assert_eq!(rows(&s, "totp_factors", &id).await, 1);

    let wrong = admin.delete_user(&id, "alice@example.com").await.err();
    assert_eq!(wrong.code, ErrorCode::Conflict);
    assert!(wrong
        .message
        .contains("type their email address, ivan@example.com"));
    let done = admin.delete_user(&id, " IVAN@example.com ").await;
    assert_eq!(done.status, 204);

    assert_eq!(
        admin
            .get::<serde_json::Value>(&format!("/api/v1/admin/users/{id}"))
            .await
            .fail(),
        (404, ErrorCode::NotFound)
    );
    for table in ["totp_factors", "sessions", "user_links", "trusted_browsers"] {
        assert_eq!(rows(&s, table, &id).await, 0, "{table}");
    }
    assert_eq!(
        s.api().login(IVAN, PASSWORD).await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );
    // The events keep the id, under the tombstone's name.
    let page: EventPage = admin.get("/api/v1/admin/events?limit=200").await.ok();
    let about: Vec<_> = page
        .events
        .iter()
        .filter(|e| e.subject_id.as_deref() == Some(id.as_str()))
        .collect();
    assert!(about.len() >= 3, "{about:?}");
    assert!(about
        .iter()
        .all(|e| e.subject_email.as_deref() == Some("Ivan Ilic (deleted)")));
    assert!(about.iter().any(|e| e.kind == "admin_delete_user"));
    // The address is free again.
    admin
        .add_user(IVAN, "Ivan the Second", Role::User)
        .await
        .ok();
}

#[tokio::test]
async fn deleting_a_user_takes_their_pushes_devices_keys_and_codes() {
    // At localhost: a security key needs a domain name as relying party.
    let s = TestServer::start_at_localhost().await;
    let (ivan, _) = s.enrolled(IVAN).await;
    let codes: NewRecoveryCodes = ivan.post_empty("/api/v1/recovery-codes").await.ok();
    assert!(!codes.codes.is_empty());
    let mut key = SoftKey::new(&s.base);
    let registered = webauthn::register(&ivan, &mut key, Some("Desk key")).await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    let device = Device::for_user(&s, &ivan).await;
    // A login waiting for a push.
    let (waiting, answer) = s.password_login(IVAN).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let push: PushStarted = waiting.post_empty("/api/v1/login/push").await.ok();
    assert_eq!(device.pending(0).await.ok().len(), 1);
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, IVAN).await;
    temporary_access::issue(&admin, &id, 1, true).await.ok();

    let tables = [
        "push_requests",
        "protect_devices",
        "webauthn_credentials",
        "recovery_codes",
        "temporary_access",
        "totp_factors",
        "sessions",
    ];
    for table in tables {
        assert!(rows(&s, table, &id).await > 0, "{table} before");
    }

    let done = admin.delete_user(&id, IVAN).await;
    assert_eq!(done.status, 204);
    for table in tables {
        assert_eq!(rows(&s, table, &id).await, 0, "{table} after");
    }
    // What they held stops working: the device is refused, the push is
    // gone, the waiting login is over.
    assert_eq!(device.pending(0).await.status, 401);
    let wait: crate::client::Answer<serde_json::Value> = waiting
        .post_empty(&format!("/api/v1/login/push/{}/wait?wait=0", push.id))
        .await;
    assert_eq!(wait.status, 401, "{:?}", wait.body);
}
