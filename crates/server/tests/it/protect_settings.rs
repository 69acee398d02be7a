//! The organisation's Protect settings on `/admin/mfa`: the push limit (on,
//! off, its number), the biometric policy and Merge/Separate — read back,
//! recorded in words, bad values refused — and the count of users whose
//! only factor is push, which an admin sees before switching push off.

use portcullis_api::{BiometricPolicy, ErrorCode, FactorKind, LoginResponse, ProtectMode};
use serde_json::json;

use crate::admin_settings::{changes_at, get, patch, patch_text, plain_admin};
use crate::device::Device;
use crate::fixtures::TestServer;

#[tokio::test]
async fn the_protect_settings_default_change_and_are_recorded_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let was = get(&admin).await.ok();
    assert!(was.push_limit_enabled);
    assert_eq!(was.push_max_concurrent, 1);
    assert_eq!(was.push_biometric, BiometricPolicy::Never);
    assert_eq!(was.protect_mode, ProtectMode::Separate);
    assert_eq!(was.protect_merged_at, None);

    let at = s.now();
    let now = patch(
        &admin,
        &json!({ "push_max_concurrent": 3, "push_biometric": "if_enabled" }),
    )
    .await
    .ok();
    assert_eq!((now.push_limit_enabled, now.push_max_concurrent), (true, 3));
    assert_eq!(now.push_biometric, BiometricPolicy::IfEnabled);
    assert_eq!(
        changes_at(&admin, at).await,
        [
            "biometric verification for push: never required → required if enabled on the device",
            "push limit: 3 pushes waiting per user and portal",
        ]
    );

    // Off keeps the number: on again brings it back.
    s.advance(10);
    let off = patch(&admin, &json!({ "push_limit_enabled": false }))
        .await
        .ok();
    assert_eq!(
        (off.push_limit_enabled, off.push_max_concurrent),
        (false, 3)
    );
    assert_eq!(changes_at(&admin, s.now()).await, ["push limit: off"]);
    let on = patch(&admin, &json!({ "push_limit_enabled": true }))
        .await
        .ok();
    assert_eq!((on.push_limit_enabled, on.push_max_concurrent), (true, 3));

    // Merging stamps its time; separating clears it.
    s.advance(10);
    let merged = patch(&admin, &json!({ "protect_mode": "unified" }))
        .await
        .ok();
    assert_eq!(merged.protect_mode, ProtectMode::Unified);
    assert_eq!(merged.protect_merged_at, Some(s.now()));
    assert_eq!(
        changes_at(&admin, s.now()).await,
        ["Protect and the authenticator app: merged (unified)"]
    );
    let apart = patch(&admin, &json!({ "protect_mode": "separate" }))
        .await
        .ok();
    assert_eq!(
        (apart.protect_mode, apart.protect_merged_at),
        (ProtectMode::Separate, None)
    );
}

#[tokio::test]
async fn bad_protect_settings_are_refused_in_words_and_change_nothing() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    for (body, words) in [
        (
            r#"{"push_max_concurrent":0}"#,
            "At most 1 to 10 pushes may wait for an answer at once (got 0).",
        ),
        (
            r#"{"push_max_concurrent":11}"#,
            "At most 1 to 10 pushes may wait for an answer at once (got 11).",
        ),
        (r#"{"push_max_concurrent":1.5}"#, "expected a whole number"),
        (r#"{"push_biometric":"sometimes"}"#, "unknown variant"),
        (r#"{"protect_mode":"merged"}"#, "unknown variant"),
    ] {
        patch_text(&admin, body).await.invalid_in_words(words, body);
    }
    let after = get(&admin).await.ok();
    assert_eq!(after.push_max_concurrent, 1);
    assert_eq!(after.updated_at, None);
}

#[tokio::test]
async fn a_plain_admin_sets_the_push_limit_but_only_a_billing_admin_merges() {
    let s = TestServer::start().await;
    let (ops, _) = plain_admin(&s).await;
    let changed = patch(&ops, &json!({ "push_max_concurrent": 2 })).await.ok();
    assert_eq!(changed.push_max_concurrent, 2);
    assert!(!changed.may_change_allowed_factors);
    assert_eq!(
        patch(&ops, &json!({ "protect_mode": "unified" }))
            .await
            .fail(),
        (403, ErrorCode::Forbidden)
    );
    assert_eq!(get(&ops).await.ok().protect_mode, ProtectMode::Separate);
}

#[tokio::test]
async fn users_whose_only_factor_is_push_are_counted() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    assert_eq!(get(&admin).await.ok().users_with_push_only, 0);
    // Alice: push alone.
    let (alice, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    Device::for_user(&s, &alice).await;
    let after = get(&admin).await.ok();
    assert_eq!(
        (
            after.users_with(FactorKind::Push),
            after.users_with_push_only
        ),
        (1, 1)
    );
    // The admin (an app, from `s.admin()`) adds push beside it: not counted.
    s.advance(1);
    Device::for_user(&s, &admin).await;
    let after = get(&admin).await.ok();
    assert_eq!(
        (
            after.users_with(FactorKind::Push),
            after.users_with_push_only
        ),
        (2, 1)
    );
}
