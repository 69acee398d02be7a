//! Groups: names unique whatever their case, members added and removed by
//! the rules of any change to a user, the users list filtered (and paged)
//! by group, and a group as the target of a bulk action.

use portcullis_api::{BulkOutcome, ErrorCode, Group, GroupName, UserDetail, UserPage};
use serde_json::json;

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, ADMIN, BILLING_ADMIN};

pub(crate) async fn create(admin: &Api, name: &str) -> Answer<Group> {
    admin
        .post("/api/v1/admin/groups", &GroupName { name: name.into() })
        .await
}

pub(crate) async fn member(admin: &Api, group: &str, user: &str, add: bool) -> Answer<Vec<Group>> {
    let req = admin
        .http
        .request(
            if add {
                reqwest::Method::PUT
            } else {
                reqwest::Method::DELETE
            },
            admin.url(&format!("/api/v1/admin/groups/{group}/members/{user}")),
        )
        .send()
        .await
        .expect("request");
    Api::read(req).await
}

#[tokio::test]
async fn groups_have_unique_names_members_and_filter_the_users_list() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let sales = create(&admin, " Sales ").await;
    assert_eq!(sales.status, 201);
    let sales = sales.ok();
    assert_eq!((sales.name.as_str(), sales.members), ("Sales", 0));
    let dup = create(&admin, "SALES").await.err();
    assert_eq!(dup.code, ErrorCode::Conflict);
    assert!(
        dup.message.contains("A group named SALES exists already"),
        "{}",
        dup.message
    );
    assert_eq!(
        create(&admin, "a\tb").await.fail(),
        (422, ErrorCode::ValidationFailed)
    );
    let ops = create(&admin, "Ops").await.ok();

    let alice = s.user_id(&admin, "alice@example.com").await;
    let bob = s.user_id(&admin, "bob@example.com").await;
    member(&admin, &sales.id, &alice, true).await.ok();
    // Twice is the same as once.
    member(&admin, &sales.id, &alice, true).await.ok();
    let bobs = member(&admin, &sales.id, &bob, true).await.ok();
    assert_eq!(
        bobs.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["Sales"]
    );
    member(&admin, &ops.id, &bob, true).await.ok();

    let listed: Vec<Group> = admin.get("/api/v1/admin/groups").await.ok();
    assert_eq!(
        listed
            .iter()
            .map(|g| (g.name.as_str(), g.members))
            .collect::<Vec<_>>(),
        [("Ops", 1), ("Sales", 2)]
    );
    // The users list, filtered by group, a page at a time.
    let first: UserPage = admin
        .get(&format!("/api/v1/admin/users?group={}&limit=1", sales.id))
        .await
        .ok();
    assert_eq!(first.users.len(), 1);
    let after = first.next_after.expect("a second page");
    let second: UserPage = admin
        .get(&format!(
            "/api/v1/admin/users?group={}&limit=1&after={after}",
            sales.id
        ))
        .await
        .ok();
    let mut emails: Vec<String> = first
        .users
        .iter()
        .chain(&second.users)
        .map(|u| u.email.clone())
        .collect();
    emails.sort();
    assert_eq!(emails, ["alice@example.com", "bob@example.com"]);
    assert!(second.next_after.is_none());
    // A user's page names their groups.
    let detail: UserDetail = admin.get(&format!("/api/v1/admin/users/{bob}")).await.ok();
    assert_eq!(
        detail
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        ["Ops", "Sales"]
    );

    // A group is a bulk target: Require MFA for everyone in Sales.
    let body = json!({
        "action": "require",
        "period_days": 14,
        "target": { "filter": { "group": sales.id } },
    });
    let done: BulkOutcome = admin.post("/api/v1/admin/users/bulk", &body).await.ok();
    assert_eq!(done.changed, 2);

    // Renamed; a member taken out; deleted: the users stay.
    let answer = admin
        .http
        .patch(admin.url(&format!("/api/v1/admin/groups/{}", sales.id)))
        .json(&GroupName {
            name: "Sales EMEA".into(),
        })
        .send()
        .await
        .expect("request");
    let renamed: Group = Api::read(answer).await.ok();
    assert_eq!(renamed.name, "Sales EMEA");
    let left = member(&admin, &sales.id, &bob, false).await.ok();
    assert_eq!(
        left.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["Ops"]
    );
    let gone = admin
        .http
        .delete(admin.url(&format!("/api/v1/admin/groups/{}", sales.id)))
        .send()
        .await
        .expect("request");
    assert_eq!(gone.status(), 204);
    let listed: Vec<Group> = admin.get("/api/v1/admin/groups").await.ok();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        member(&admin, &sales.id, &alice, true).await.fail(),
        (404, ErrorCode::NotFound)
    );
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'admin_group_changed'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(
        events, 8,
        "2 created, 3 added (the repeat changed nothing), 1 renamed, 1 removed, 1 deleted"
    );
}

#[tokio::test]
async fn membership_follows_the_role_rules() {
    let s = TestServer::start().await;
    let (billing, _) = s.admin().await;
    let team = create(&billing, "Team").await.ok();
    let grace_id = s.user_id(&billing, ADMIN).await;
    let billing_id = s.user_id(&billing, BILLING_ADMIN).await;
    billing.reset_mfa(&grace_id, None).await.ok();
    let (grace, _) = s.enroll_by_link(ADMIN).await;
    // grace may not put the billing admin in a group, nor herself.
    for id in [&billing_id, &grace_id] {
        assert_eq!(
            member(&grace, &team.id, id, true).await.fail(),
            (403, ErrorCode::Outranked)
        );
    }
    // A user may not touch groups at all.
    let (alice, _) = s.password_login("alice@example.com").await;
    assert_eq!(create(&alice, "Mine").await.fail().0, 403);
}
