//! Suspending an account: every session ends, links die, the login says
//! so in words (only to whoever knows the password), and reactivating
//! gives the account back as it was.

use portcullis_api::{ErrorCode, LoginResponse, Role};
use portcullis_server::login::flow::SUSPENDED_MESSAGE;

use crate::fixtures::{token_of, TestServer, ADMIN, BILLING_ADMIN, PASSWORD};

const ALICE: &str = "alice@example.com";

async fn post(
    api: &crate::client::Api,
    path: &str,
) -> crate::client::Answer<portcullis_api::AdminUser> {
    api.post_empty(path).await
}

#[tokio::test]
async fn a_suspended_user_is_signed_out_everywhere_and_told_why_only_with_the_password() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (alice, _) = s.password_login(ALICE).await;
    alice.me().await.ok();
    let id = s.user_id(&admin, ALICE).await;

    let suspended = post(&admin, &format!("/api/v1/admin/users/{id}/suspend"))
        .await
        .ok();
    assert!(suspended.suspended);
    // Her session ended at once.
    assert_eq!(alice.me().await.fail(), (401, ErrorCode::Unauthenticated));
    // The right password: told in words, and no session.
    let answer = s.api().login(ALICE, PASSWORD).await;
    assert!(answer.session_cookie().is_none());
    assert_eq!(
        answer.ok(),
        LoginResponse::Locked {
            message: SUSPENDED_MESSAGE.to_string()
        }
    );
    // A wrong one learns nothing.
    assert_eq!(
        s.api().login(ALICE, "not her password").await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );
    // Twice is said so.
    assert_eq!(
        post(&admin, &format!("/api/v1/admin/users/{id}/suspend"))
            .await
            .fail(),
        (409, ErrorCode::Conflict)
    );
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'admin_suspend'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(events, 1);

    // Reactivated: she signs in as before.
    let back = post(&admin, &format!("/api/v1/admin/users/{id}/reactivate"))
        .await
        .ok();
    assert!(!back.suspended);
    assert!(matches!(
        s.api().login(ALICE, PASSWORD).await.ok(),
        LoginResponse::Done { .. }
    ));
    assert_eq!(
        post(&admin, &format!("/api/v1/admin/users/{id}/reactivate"))
            .await
            .fail(),
        (409, ErrorCode::Conflict)
    );
}

#[tokio::test]
async fn suspending_revokes_the_invitation_and_follows_the_role_rules() {
    let s = TestServer::start().await;
    let (billing, _) = s.admin().await;
    let zoe = billing
        .add_user("zoe@example.com", "Zoe", Role::User)
        .await
        .ok();
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE to_addr = 'zoe@example.com' AND kind = 'invitation'",
    )
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/welcome#"))
        .unwrap()
        .to_string();
    post(&billing, &format!("/api/v1/admin/users/{}/suspend", zoe.id))
        .await
        .ok();
    assert_eq!(s.api().welcome_peek(&token_of(&link)).await.fail().0, 404);
    // No new link while suspended.
    assert_eq!(
        billing.resend_invitation(&zoe.id).await.fail(),
        (409, ErrorCode::Conflict)
    );

    // grace, a plain administrator, may not suspend the billing admin,
    // and nobody suspends themselves.
    let grace_id = s.user_id(&billing, ADMIN).await;
    let billing_id = s.user_id(&billing, BILLING_ADMIN).await;
    billing.reset_mfa(&grace_id, None).await.ok();
    let (grace, _) = s.enroll_by_link(ADMIN).await;
    assert_eq!(
        post(&grace, &format!("/api/v1/admin/users/{billing_id}/suspend"))
            .await
            .fail(),
        (403, ErrorCode::Outranked)
    );
    assert_eq!(
        post(&grace, &format!("/api/v1/admin/users/{grace_id}/suspend"))
            .await
            .fail(),
        (403, ErrorCode::Outranked)
    );
}
