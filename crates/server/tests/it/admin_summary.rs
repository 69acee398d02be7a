//! The counts above the users list: each status's number is the number of
//! users the list shows with that status (the list judges each user on
//! its own, the summary counts in one statement), as users are added,
//! suspended and required to set up MFA, and as periods run out; and only
//! an administrator with a second factor reads them.

use portcullis_api::{
    AccountFilter, AdminUser, ErrorCode, LoginResponse, Role, StatusFilter, UserSummary,
};

use crate::client::Api;
use crate::fixtures::TestServer;

async fn summary(api: &Api) -> crate::client::Answer<UserSummary> {
    api.get("/api/v1/admin/users/summary").await
}

/// Every user, from the list (at most 100 in these tests).
async fn everyone(admin: &Api) -> Vec<AdminUser> {
    let page = admin.admin_users("?limit=100").await.ok();
    assert!(page.next_after.is_none(), "more than one page");
    page.users
}

/// The summary the list implies.
fn counted(users: &[AdminUser]) -> UserSummary {
    let mut s = UserSummary {
        total: users.len() as u32,
        ..UserSummary::default()
    };
    for status in StatusFilter::ALL {
        *s.of_status_mut(status) = users.iter().filter(|u| status.matches(&u.mfa)).count() as u32;
    }
    s.invited = users.iter().filter(|u| u.invited).count() as u32;
    s.suspended = users.iter().filter(|u| u.suspended).count() as u32;
    s
}

#[tokio::test]
async fn the_counts_are_those_of_the_list_as_users_change() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;

    // The demo's users: one or more in every status.
    let first = summary(&admin).await.ok();
    assert_eq!(first, counted(&everyone(&admin).await));
    assert_eq!(first.total, 12);
    for status in StatusFilter::ALL {
        assert!(first.of_status(status) > 0, "{status:?}");
    }
    assert_eq!(first.of_account(AccountFilter::Invited), 0);
    assert_eq!(first.of_account(AccountFilter::Suspended), 0);

    // Two invited users, one of them suspended; alice (no MFA) required
    // with no period, bob (an app) reset with 3 days.
    let zoe = admin
        .add_user("zoe@example.com", "Zoë Zed", Role::User)
        .await
        .ok();
    admin
        .add_user("yann@example.com", "Yann Yu", Role::User)
        .await
        .ok();
    admin
        .post_empty::<AdminUser>(&format!("/api/v1/admin/users/{}/suspend", zoe.id))
        .await
        .ok();
    let alice = s.user_id(&admin, "alice@example.com").await;
    admin.require_mfa(&alice, None).await.ok();
    let bob = s.user_id(&admin, "bob@example.com").await;
    admin.reset_mfa(&bob, Some(3)).await.ok();

    let now = summary(&admin).await.ok();
    assert_eq!(now, counted(&everyone(&admin).await));
    assert_eq!(now.total, 14);
    assert_eq!((now.invited, now.suspended), (2, 1));
    assert_eq!(
        now.required_no_period,
        first.required_no_period + 1,
        "alice"
    );
    assert_eq!(now.active, first.active - 1, "bob");
    assert_eq!(
        now.enrollment_period,
        first.enrollment_period + 1,
        "bob's 3 days"
    );

    // Eight days on, every period has ended: they count as expired, judged
    // at the server's time as the list judges.
    s.advance(8 * 86_400);
    let (admin, _) = s.admin().await;
    let later = summary(&admin).await.ok();
    assert_eq!(later, counted(&everyone(&admin).await));
    assert_eq!(later.enrollment_period, 0);
    assert_eq!(
        later.enrollment_expired,
        now.enrollment_expired + now.enrollment_period
    );
}

#[tokio::test]
async fn only_an_administrator_with_a_second_factor_reads_the_counts() {
    let s = TestServer::start().await;
    // No session.
    assert_eq!(
        summary(&s.api()).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    // A user signed in with the password, and one with a factor.
    let (alice, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }));
    assert_eq!(summary(&alice).await.fail(), (403, ErrorCode::Forbidden));
    let (judy, _) = s.enrolled("judy@example.com").await;
    assert_eq!(summary(&judy).await.fail(), (403, ErrorCode::Forbidden));
    // An administrator half-way through the login.
    let (half, _) = s.password_login(crate::fixtures::BILLING_ADMIN).await;
    assert_eq!(
        summary(&half).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    // The administrator: the counts.
    let (admin, _) = s.admin().await;
    assert_eq!(summary(&admin).await.ok().total, 12);
}
