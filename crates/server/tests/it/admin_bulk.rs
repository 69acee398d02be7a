//! Bulk Require MFA and Reset MFA: the preview says what will happen and
//! changes nothing; the action does exactly that for every user, with an
//! event and an email each; bad periods and bad selections are refused in
//! words; the same rules as for one user (never oneself, a fresh factor).

use portcullis_api::{BulkOutcome, ErrorCode, FactorKind, MfaStatus};
use portcullis_server::audit;
use portcullis_server::mfa::totp::STEP_SECS;
use portcullis_server::notify;
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, BILLING_ADMIN};

async fn preview(admin: &Api, body: Value) -> Answer<BulkOutcome> {
    admin.post("/api/v1/admin/users/bulk/preview", &body).await
}

async fn apply(admin: &Api, body: Value) -> Answer<BulkOutcome> {
    admin.post("/api/v1/admin/users/bulk", &body).await
}

async fn status_of(s: &TestServer, admin: &Api, email: &str) -> MfaStatus {
    let page = admin.admin_users(&format!("?search={email}")).await.ok();
    page.users
        .into_iter()
        .find(|u| u.email == email)
        .map(|u| u.mfa)
        .unwrap_or_else(|| panic!("{email} not listed on {}", s.base))
}

async fn event_kinds(s: &TestServer, id: &str) -> Vec<String> {
    audit::about(&s.state.db, id, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

const NO_MFA: [&str; 4] = [
    "alice@example.com",
    "ivan@example.com",
    "judy@example.com",
    "mallory@example.com",
];

#[tokio::test]
async fn require_for_a_filter_previews_then_changes_every_matching_user() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let body = json!({
        "action": "require",
        "period_days": 14,
        "target": { "filter": { "status": "none" } },
    });
    let seen = preview(&admin, body.clone()).await.ok();
    assert_eq!(seen.changed, NO_MFA.len() as u32);
    assert_eq!(seen.newly_required, NO_MFA.len() as u32);
    assert_eq!(seen.lose_authenticator_app, 0);
    assert!(seen.skipped.is_empty());
    // Named by email order, for a confirmation that says whom.
    assert_eq!(
        seen.names,
        ["Alice Anders", "Ivan Ilic", "Judy Jones", "Mallory Moss"]
            .map(String::from)
            .to_vec()
    );
    // A preview changes nothing.
    for email in NO_MFA {
        assert_eq!(status_of(&s, &admin, email).await, MfaStatus::None);
    }

    assert_eq!(apply(&admin, body).await.ok(), seen);
    for email in NO_MFA {
        assert_eq!(
            status_of(&s, &admin, email).await,
            MfaStatus::EnrollmentPeriod { days_left: 14 },
            "{email}"
        );
        let id = s.user_id(&admin, email).await;
        assert!(event_kinds(&s, &id)
            .await
            .contains(&"admin_require_mfa".to_string()));
        let emails = notify::kinds_for(&s.state.db, &id).await.unwrap();
        assert_eq!(emails, vec!["mfa_required".to_string()], "{email}");
    }
}

#[tokio::test]
async fn reset_for_selected_users_removes_their_apps_and_ends_their_sessions() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let (bob_client, _) = s.enrolled("ivan@example.com").await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let carol = s.user_id(&admin, "carol@example.com").await;
    let body = json!({
        "action": "reset",
        "period_days": 3,
        "target": { "ids": [ivan, carol] },
    });
    let seen = preview(&admin, body.clone()).await.ok();
    assert_eq!(
        (seen.changed, seen.lose_authenticator_app),
        (2, 1),
        "{seen:?}"
    );
    assert_eq!(apply(&admin, body).await.ok(), seen);

    let page = admin.admin_users("?search=ivan@").await.ok();
    assert_eq!(
        page.users[0].mfa,
        MfaStatus::EnrollmentPeriod { days_left: 3 }
    );
    assert!(!page.users[0].factors.contains(&FactorKind::Totp));
    assert_eq!(
        bob_client.me().await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    assert!(event_kinds(&s, &ivan)
        .await
        .contains(&"admin_reset_mfa".to_string()));
    assert!(notify::kinds_for(&s.state.db, &ivan)
        .await
        .unwrap()
        .contains(&"mfa_reset".to_string()));
}

#[tokio::test]
async fn the_administrator_is_skipped_and_named() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let me = s.user_id(&admin, BILLING_ADMIN).await;
    let judy = s.user_id(&admin, "judy@example.com").await;
    let body = json!({ "action": "require", "target": { "ids": [me, judy] } });
    let done = apply(&admin, body).await.ok();
    assert_eq!(done.changed, 1);
    assert_eq!(done.skipped.len(), 1);
    assert_eq!(done.skipped[0].email, BILLING_ADMIN);
    assert!(
        done.skipped[0].reason.contains("your own"),
        "{:?}",
        done.skipped
    );
    // The changed are named; the skipped are not among them.
    assert_eq!(done.names, vec!["Judy Jones".to_string()]);
    // The default period is 7 days.
    assert_eq!(
        status_of(&s, &admin, "judy@example.com").await,
        MfaStatus::EnrollmentPeriod { days_left: 7 }
    );
}

#[tokio::test]
async fn bad_periods_and_selections_are_refused_in_words_and_change_nothing() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let judy = s.user_id(&admin, "judy@example.com").await;
    for period in [json!(0), json!(366), json!(-3), json!("seven"), json!(7.5)] {
        for path in [
            "/api/v1/admin/users/bulk/preview",
            "/api/v1/admin/users/bulk",
        ] {
            let body =
                json!({ "action": "require", "period_days": period, "target": { "ids": [judy] } });
            let refused: Answer<BulkOutcome> = admin.post(path, &body).await;
            let (status, err) = (refused.status, refused.err());
            assert_eq!(
                (status, err.code),
                (422, ErrorCode::ValidationFailed),
                "{period}"
            );
            assert!(!err.message.is_empty());
        }
    }
    let refused = apply(
        &admin,
        json!({ "action": "require", "period_days": 366, "target": { "ids": [judy] } }),
    )
    .await
    .err();
    assert_eq!(
        refused.message,
        "The enrollment period must be between 1 and 365 days (got 366)."
    );
    let cases = [
        (json!({ "ids": [] }), 422, "at least one"),
        (json!({ "ids": ["no-such-user"] }), 404, "no longer exist"),
        (json!({ "ids": vec!["x"; 301] }), 422, "at most 300"),
    ];
    for (target, status, says) in cases {
        let answer = apply(&admin, json!({ "action": "reset", "target": target })).await;
        assert_eq!(answer.status, status, "{says}");
        let err = answer.err();
        assert!(err.message.contains(says), "{}", err.message);
    }
    for bad in [
        json!({ "action": "delete_everyone", "target": { "ids": [judy] } }),
        json!({ "action": "require", "target": { "filter": { "status": "asleep" } } }),
        json!({ "action": "require" }),
        json!({ "action": "require", "target": { "filter": [] } }),
        json!({ "action": "require", "target": { "ids": [judy], "filter": {} } }),
        json!({ "action": "require", "target": { "": {} } }),
    ] {
        assert_eq!(apply(&admin, bad.clone()).await.status, 422, "{bad}");
    }
    assert_eq!(
        status_of(&s, &admin, "judy@example.com").await,
        MfaStatus::None
    );
}

#[tokio::test]
async fn bulk_actions_are_for_admins_with_a_fresh_second_factor() {
    let s = TestServer::start().await;
    let body = json!({ "action": "require", "target": { "filter": {} } });
    // Not an administrator.
    let alice = s.api();
    alice
        .login("alice@example.com", crate::fixtures::PASSWORD)
        .await
        .ok();
    assert_eq!(
        preview(&alice, body.clone()).await.fail(),
        (403, ErrorCode::Forbidden)
    );
    assert_eq!(
        apply(&alice, body.clone()).await.fail(),
        (403, ErrorCode::Forbidden)
    );
    // An administrator whose second factor is no longer recent may look,
    // not act; a fresh code lets the action go through.
    let (admin, key) = s.admin().await;
    s.advance(s.state.settings.fresh_mfa_secs + STEP_SECS);
    preview(&admin, body.clone()).await.ok();
    assert_eq!(
        apply(&admin, body.clone()).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    admin.verify(&s.code(&key, 0)).await.ok();
    assert!(apply(&admin, body).await.ok().changed > 0);
}

#[tokio::test]
async fn a_large_action_names_its_first_ten_users_and_counts_them_all() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let body = json!({ "action": "require", "target": { "filter": {} } });
    let seen = preview(&admin, body).await.ok();
    // every demo user but the billing admin herself
    assert_eq!(seen.changed, 11, "{seen:?}");
    assert_eq!(seen.names.len(), portcullis_api::admin_bulk::BULK_NAMES_MAX);
    let everyone = admin.admin_users("?limit=100").await.ok().users;
    let mut first: Vec<(String, String)> = everyone
        .into_iter()
        .filter(|u| u.email != BILLING_ADMIN)
        .map(|u| (u.email, u.display_name))
        .collect();
    first.sort();
    let first: Vec<String> = first.into_iter().take(10).map(|(_, n)| n).collect();
    assert_eq!(seen.names, first);
}
