//! The organisation's MFA settings (`/admin/mfa`): who may read and change
//! them, each change read back and recorded as one event per setting in
//! words, refusals that change nothing, and the settings at work — the
//! default period of Require MFA, users created with MFA required, and
//! authenticator apps no longer offered (those set up keep working).

use portcullis_api::{
    AdminUser, AllowedFactors, BulkOutcome, ErrorCode, EventPage, FactorKind, LoginResponse,
    MfaSettings, MfaStatus, Role,
};
use portcullis_server::auth::create_user;
use portcullis_server::mfa::totp::STEP_SECS;
use portcullis_server::rules::requirement::DAY;
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, BILLING_ADMIN, PASSWORD};

const PATH: &str = "/api/v1/admin/settings";

pub async fn get(api: &Api) -> Answer<MfaSettings> {
    api.get(PATH).await
}

pub async fn patch(api: &Api, body: &Value) -> Answer<MfaSettings> {
    patch_text(api, &body.to_string()).await
}

/// A PATCH with the body exactly as written (`7.0` stays `7.0`).
pub async fn patch_text(api: &Api, body: &str) -> Answer<MfaSettings> {
    let resp = api
        .http
        .patch(api.url(PATH))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    Api::read(resp).await
}

/// The details of the setting changes recorded at `at`, sorted (the events
/// of one change share their time), with who made them.
pub async fn changes_at(admin: &Api, at: i64) -> Vec<String> {
    let page: EventPage = admin
        .get(&format!(
            "/api/v1/admin/events?kind=admin_setting_changed&from={at}&to={}&limit=100",
            at + 1
        ))
        .await
        .ok();
    for e in &page.events {
        assert_eq!(e.actor_kind, "admin", "{e:?}");
        assert_eq!(e.subject_id, None, "{e:?}");
    }
    let mut details: Vec<String> = page.events.into_iter().map(|e| e.detail).collect();
    details.sort();
    details
}

/// How many setting changes were ever recorded.
async fn all_changes(admin: &Api) -> usize {
    admin
        .get::<EventPage>("/api/v1/admin/events?kind=admin_setting_changed&limit=100")
        .await
        .ok()
        .events
        .len()
}

const ALL_KINDS: AllowedFactors = AllowedFactors::all();

/// The settings of a new database (the demo adds no change).
fn assert_defaults(s: &MfaSettings) {
    assert_eq!(s.default_period_days, 7);
    assert!(!s.require_new_users);
    assert_eq!(s.new_user_period_days, Some(7));
    assert_eq!(s.allowed_factors, ALL_KINDS);
    assert_eq!((s.updated_at, s.updated_by_email.as_deref()), (None, None));
}

/// An administrator (not billing) with an authenticator app, signed in
/// with a fresh second factor.
pub async fn plain_admin(s: &TestServer) -> (Api, String) {
    create_user(&s.state, "ops@example.com", "Ops", PASSWORD, Role::Admin)
        .await
        .unwrap();
    s.enroll_by_link("ops@example.com").await
}

#[tokio::test]
async fn users_and_admins_without_a_second_factor_may_not_see_or_change_them() {
    let s = TestServer::start().await;
    let change = json!({ "default_period_days": 30 });
    // A user.
    let (alice, answer) = s.password_login("alice@example.com").await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    assert_eq!(get(&alice).await.fail(), (403, ErrorCode::Forbidden));
    assert_eq!(
        patch(&alice, &change).await.fail(),
        (403, ErrorCode::Forbidden)
    );
    // An administrator half-way through the login has no session for it.
    let (half, _) = s.password_login(BILLING_ADMIN).await;
    assert_eq!(get(&half).await.fail(), (401, ErrorCode::Unauthenticated));
    assert_eq!(
        patch(&half, &change).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    // An administrator whose session no second factor proved: alice, made
    // one while signed in with her password only.
    sqlx::query("UPDATE users SET role = 'admin' WHERE email = 'alice@example.com'")
        .execute(&s.state.db)
        .await
        .unwrap();
    assert_eq!(get(&alice).await.fail(), (403, ErrorCode::MfaRequired));
    assert_eq!(
        patch(&alice, &change).await.fail(),
        (403, ErrorCode::MfaRequired)
    );
    let (admin, _) = s.admin().await;
    assert_defaults(&get(&admin).await.ok());
    assert_eq!(all_changes(&admin).await, 0);
}

#[tokio::test]
async fn the_defaults_read_back_with_the_users_of_each_kind() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let settings = get(&admin).await.ok();
    assert_defaults(&settings);
    assert!(settings.may_change_allowed_factors);
    // bob, frank and grace of the demo, and the billing admin just now
    assert_eq!(settings.users_with(FactorKind::Totp), 4);
    assert_eq!(
        (
            settings.users_with(FactorKind::Webauthn),
            settings.users_with(FactorKind::Push)
        ),
        (0, 0)
    );
    // A plain administrator sees them too, without the right to the kinds.
    let (ops, _) = plain_admin(&s).await;
    let seen = get(&ops).await.ok();
    assert!(!seen.may_change_allowed_factors);
    assert_eq!(seen.users_with(FactorKind::Totp), 5);
}

/// A change, a test of what it reads back as, and the events it records.
type Step = (Value, fn(&MfaSettings) -> bool, &'static [&'static str]);

#[tokio::test]
async fn each_setting_changes_reads_back_and_is_recorded_once_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let steps: [Step; 7] = [
        (
            json!({ "default_period_days": 14 }),
            |s| s.default_period_days == 14,
            &["default enrollment period: 7 → 14 days"],
        ),
        (
            json!({ "require_new_users": true }),
            |s| s.require_new_users && s.new_user_period_days == Some(7),
            &["new users: MFA required with a 7-day period"],
        ),
        (
            json!({ "new_user_period": { "days": null } }),
            |s| s.new_user_period_days.is_none(),
            &["new users' enrollment period: 7 days → none (set up at the first login)"],
        ),
        (
            json!({ "new_user_period": { "days": 30 } }),
            |s| s.new_user_period_days == Some(30),
            &["new users' enrollment period: none (set up at the first login) → 30 days"],
        ),
        (
            json!({ "allowed_factors": ["totp"] }),
            |s| s.allowed_factors.kinds() == [FactorKind::Totp],
            &[
                "Protect push: no longer allowed",
                "security keys and passkeys: no longer allowed",
            ],
        ),
        (
            json!({ "require_new_users": false }),
            |s| !s.require_new_users && s.new_user_period_days == Some(30),
            &["new users: MFA no longer required"],
        ),
        // several settings in one change, one of them unchanged
        (
            json!({
                "default_period_days": 7,
                "require_new_users": false,
                "allowed_factors": ["webauthn", "push"],
            }),
            |s| {
                s.default_period_days == 7
                    && s.allowed_factors == ALL_KINDS.without(FactorKind::Totp)
            },
            &[
                "Protect push: allowed",
                "authenticator app: no longer allowed",
                "default enrollment period: 14 → 7 days",
                "security keys and passkeys: allowed",
            ],
        ),
    ];
    let mut recorded = 0;
    for (body, reads_back, events) in steps {
        // each change at its own second, so its events are told apart
        s.advance(1);
        let answer = patch(&admin, &body).await.ok();
        assert!(reads_back(&answer), "{body}: {answer:?}");
        let again = get(&admin).await.ok();
        assert_eq!(again, answer, "{body}");
        assert_eq!(again.updated_at, Some(s.now()));
        assert_eq!(again.updated_by_email.as_deref(), Some(BILLING_ADMIN));
        assert_eq!(changes_at(&admin, s.now()).await, events, "{body}");
        recorded += events.len();
    }
    let page: EventPage = admin
        .get("/api/v1/admin/events?kind=admin_setting_changed&limit=100")
        .await
        .ok();
    assert_eq!(page.events.len(), recorded);
    assert!(page
        .events
        .iter()
        .all(|e| e.actor_email.as_deref() == Some(BILLING_ADMIN)));
}

#[tokio::test]
async fn an_empty_or_unchanged_change_records_nothing() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    for body in [
        json!({}),
        json!({ "default_period_days": null, "allowed_factors": null }),
        json!({
            "default_period_days": 7,
            "require_new_users": false,
            "new_user_period": { "days": 7 },
            "allowed_factors": ["totp", "webauthn", "push"],
        }),
    ] {
        let answer = patch(&admin, &body).await.ok();
        assert_defaults(&answer);
    }
    assert_eq!(all_changes(&admin).await, 0);
}

#[tokio::test]
async fn bad_periods_are_refused_in_words_and_whole_numbers_like_7_0_accepted() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    for bad in ["0", "366", "-3", "\"7\"", "7.5"] {
        for body in [
            format!(r#"{{"default_period_days":{bad}}}"#),
            format!(r#"{{"new_user_period":{{"days":{bad}}}}}"#),
        ] {
            let expected = match bad {
                "0" | "366" => {
                    format!("The enrollment period must be between 1 and 365 days (got {bad}).")
                }
                "7.5" => "expected a whole number".to_string(),
                _ => "invalid".to_string(),
            };
            patch_text(&admin, &body)
                .await
                .invalid_in_words(&expected, &body);
        }
    }
    // An unknown field, and a period that does not say its days.
    for body in [r#"{"colour":"red"}"#, r#"{"new_user_period":{}}"#] {
        assert_eq!(
            patch_text(&admin, body).await.fail(),
            (422, ErrorCode::ValidationFailed),
            "{body}"
        );
    }
    assert_defaults(&get(&admin).await.ok());
    assert_eq!(all_changes(&admin).await, 0);

    // JSON Schema's integers include 14.0, and so does the server.
    let answer = patch_text(
        &admin,
        r#"{"default_period_days":14.0,"new_user_period":{"days":7.0}}"#,
    )
    .await
    .ok();
    assert_eq!(answer.default_period_days, 14);
    assert_eq!(answer.new_user_period_days, Some(7));
}

#[tokio::test]
async fn only_a_billing_admin_changes_which_factors_are_allowed() {
    let s = TestServer::start().await;
    let (ops, _) = plain_admin(&s).await;
    let totp_off = json!(["webauthn", "push"]);
    for body in [
        json!({ "allowed_factors": totp_off }),
        // nothing of a refused change is applied
        json!({ "default_period_days": 20, "allowed_factors": totp_off }),
    ] {
        let answer = patch(&ops, &body).await;
        let status = answer.status;
        let err = answer.err();
        assert_eq!((status, err.code), (403, ErrorCode::Forbidden), "{body}");
        assert_eq!(
            err.message,
            "Only a billing administrator can change which factors users may set up."
        );
    }
    let (admin, _) = s.admin().await;
    assert_defaults(&get(&admin).await.ok());
    assert_eq!(all_changes(&admin).await, 0);

    // The other settings are for every administrator; stating the allowed
    // kinds as they are is no change of them.
    let answer = patch(
        &ops,
        &json!({ "default_period_days": 20, "allowed_factors": ALL_KINDS }),
    )
    .await
    .ok();
    assert_eq!(answer.default_period_days, 20);
    assert_eq!(answer.updated_by_email.as_deref(), Some("ops@example.com"));

    // The billing administrator may.
    s.advance(1);
    let answer = patch(&admin, &json!({ "allowed_factors": totp_off }))
        .await
        .ok();
    assert!(!answer.allowed_factors.allows(FactorKind::Totp));
    assert_eq!(
        changes_at(&admin, s.now()).await,
        ["authenticator app: no longer allowed"]
    );
}

#[tokio::test]
async fn switching_every_kind_off_is_a_conflict() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let none = json!([]);
    for body in [
        json!({ "allowed_factors": none }),
        json!({ "default_period_days": 20, "allowed_factors": none }),
    ] {
        let answer = patch(&admin, &body).await;
        let status = answer.status;
        let err = answer.err();
        assert_eq!((status, err.code), (409, ErrorCode::Conflict), "{body}");
        assert!(
            err.message
                .contains("At least one kind of factor must stay allowed"),
            "{}",
            err.message
        );
    }
    assert_defaults(&get(&admin).await.ok());
    assert_eq!(all_changes(&admin).await, 0);
}

#[tokio::test]
async fn the_allowed_kinds_are_a_set_of_names_each_once_and_never_recovery_codes() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    // On the wire: an array of the kinds' names, in the kinds' order.
    let raw: Value = admin.get(PATH).await.ok();
    assert_eq!(raw["allowed_factors"], json!(["totp", "webauthn", "push"]));
    let counts = raw["users_per_kind"].as_array().unwrap();
    let kinds: Vec<&str> = counts.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["totp", "webauthn", "push"]);
    // Any order in; the kinds' order out.
    let answer = patch(&admin, &json!({ "allowed_factors": ["push", "totp"] }))
        .await
        .ok();
    assert_eq!(
        answer.allowed_factors.kinds(),
        [FactorKind::Totp, FactorKind::Push]
    );
    for (bad, words) in [
        (json!(["totp", "totp"]), "names a kind twice"),
        (
            json!(["totp", "recovery_code"]),
            "recovery codes back up the others",
        ),
        (json!(["sms"]), "unknown variant"),
        (json!({ "totp": true }), "invalid type"),
    ] {
        patch(&admin, &json!({ "allowed_factors": bad }))
            .await
            .invalid_in_words(words, &bad.to_string());
    }
    assert_eq!(
        get(&admin).await.ok().allowed_factors.kinds(),
        [FactorKind::Totp, FactorKind::Push]
    );
}

#[tokio::test]
async fn changes_need_a_second_factor_from_the_last_minutes() {
    let s = TestServer::start().await;
    let (admin, key) = s.admin().await;
    s.advance(s.state.settings.fresh_mfa_secs + STEP_SECS);
    // reading needs no fresh factor
    assert_defaults(&get(&admin).await.ok());
    let change = json!({ "default_period_days": 30 });
    assert_eq!(
        patch(&admin, &change).await.fail(),
        (403, ErrorCode::ReauthenticationRequired)
    );
    assert_defaults(&get(&admin).await.ok());
    assert_eq!(all_changes(&admin).await, 0);
    admin.verify(&s.code(&key, 0)).await.ok();
    assert_eq!(patch(&admin, &change).await.ok().default_period_days, 30);
}

#[tokio::test]
async fn require_and_reset_without_a_period_use_the_organisation_default() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    patch(&admin, &json!({ "default_period_days": 14 }))
        .await
        .ok();
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let judy = s.user_id(&admin, "judy@example.com").await;
    let mallory = s.user_id(&admin, "mallory@example.com").await;
    let alice = s.user_id(&admin, "alice@example.com").await;
    let path = |id: &str, what: &str| format!("/api/v1/admin/users/{id}/{what}");

    // absent: the default
    let user: AdminUser = admin
        .post(&path(&ivan, "require-mfa"), &json!({}))
        .await
        .ok();
    assert_eq!(user.deadline, Some(s.now() + 14 * DAY));
    assert_eq!(user.mfa, MfaStatus::EnrollmentPeriod { days_left: 14 });
    let user: AdminUser = admin
        .post(&path(&mallory, "reset-mfa"), &json!({}))
        .await
        .ok();
    assert_eq!(user.deadline, Some(s.now() + 14 * DAY));
    // null: no period; a number: that many days
    let user: AdminUser = admin
        .post(&path(&judy, "require-mfa"), &json!({ "period_days": null }))
        .await
        .ok();
    assert_eq!(user.mfa, MfaStatus::RequiredNoPeriod);
    let user: AdminUser = admin
        .post(&path(&judy, "require-mfa"), &json!({ "period_days": 3 }))
        .await
        .ok();
    assert_eq!(user.deadline, Some(s.now() + 3 * DAY));
    // the bulk actions too
    let done: BulkOutcome = admin
        .post(
            "/api/v1/admin/users/bulk",
            &json!({ "action": "require", "target": { "ids": [alice] } }),
        )
        .await
        .ok();
    assert_eq!(done.changed, 1);
    let page = admin.admin_users("?search=alice@").await.ok();
    assert_eq!(page.users[0].deadline, Some(s.now() + 14 * DAY));
    // and the event says the period it used
    let events = portcullis_server::audit::about(&s.state.db, &ivan, 10)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.detail == "require MFA (14-day enrollment period)"),
        "{events:?}"
    );
}

#[tokio::test]
async fn users_created_while_new_users_need_mfa_have_it_required() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    // Off (the default): nothing required.
    let before = create_user(
        &s.state,
        "before@example.com",
        "Before",
        PASSWORD,
        Role::User,
    )
    .await
    .unwrap();
    assert!(!before.mfa_required);

    patch(
        &admin,
        &json!({ "require_new_users": true, "new_user_period": { "days": 10 } }),
    )
    .await
    .ok();
    let user = create_user(&s.state, "new@example.com", "New", PASSWORD, Role::User)
        .await
        .unwrap();
    assert!(user.mfa_required);
    assert_eq!(user.mfa_deadline, Some(s.now() + 10 * DAY));
    let page = admin.admin_users("?search=new@").await.ok();
    assert_eq!(
        page.users[0].mfa,
        MfaStatus::EnrollmentPeriod { days_left: 10 }
    );
    let (_, answer) = s.password_login("new@example.com").await;
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(10)
        }
    );

    // No period: set up at the first login.
    patch(&admin, &json!({ "new_user_period": { "days": null } }))
        .await
        .ok();
    create_user(&s.state, "first@example.com", "First", PASSWORD, Role::User)
        .await
        .unwrap();
    let page = admin.admin_users("?search=first@").await.ok();
    assert_eq!(page.users[0].mfa, MfaStatus::RequiredNoPeriod);
    let (_, answer) = s.password_login("first@example.com").await;
    assert!(
        matches!(
            answer,
            LoginResponse::Enroll {
                mandatory: true,
                ..
            }
        ),
        "{answer:?}"
    );

    // Users created before keep what they had.
    let page = admin.admin_users("?search=before@").await.ok();
    assert_eq!(page.users[0].mfa, MfaStatus::None);
}

#[tokio::test]
async fn authenticator_apps_not_allowed_refuse_new_setups_but_set_up_ones_work() {
    let s = TestServer::start().await;
    let (_, judy_key) = s.enrolled("judy@example.com").await;
    let (admin, _) = s.admin().await;
    // alice starts a setup while it is allowed
    let (alice, _) = s.password_login("alice@example.com").await;
    let pending = alice.totp_enroll().await.ok();

    let off = json!({ "allowed_factors": ["webauthn", "push"] });
    patch(&admin, &off).await.ok();

    // No new setup, signed in or at a login that asks for one…
    let refused = alice.totp_enroll().await;
    let status = refused.status;
    let err = refused.err();
    assert_eq!((status, err.code), (403, ErrorCode::FactorNotAllowed));
    assert!(
        err.message.contains("does not allow authenticator apps"),
        "{}",
        err.message
    );
    let (carol, answer) = s.password_login("carol@example.com").await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");
    assert_eq!(
        carol.totp_enroll().await.fail(),
        (403, ErrorCode::FactorNotAllowed)
    );
    // …and a setup begun before is not finished either.
    assert_eq!(
        alice.totp_confirm(&s.code(&pending.secret, 0)).await.fail(),
        (403, ErrorCode::FactorNotAllowed)
    );

    // An app set up already still signs in.
    s.next_step();
    let judy = s.login_with_code("judy@example.com", &judy_key).await;
    judy.me().await.ok();
    assert_eq!(get(&admin).await.ok().users_with(FactorKind::Totp), 5);

    // Allowed again: setups work again.
    patch(&admin, &json!({ "allowed_factors": ALL_KINDS }))
        .await
        .ok();
    let again = alice.totp_enroll().await.ok();
    let done = alice.totp_confirm(&s.code(&again.secret, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_at_once_follow_one_another() {
    let s = TestServer::start().await;
    let (ops, _) = plain_admin(&s).await;
    let (admin, _) = s.admin().await;
    s.advance(1);
    let (fourteen, twenty_one) = (
        json!({ "default_period_days": 14 }),
        json!({ "default_period_days": 21 }),
    );
    let (a, b) = tokio::join!(patch(&admin, &fourteen), patch(&ops, &twenty_one));
    a.ok();
    b.ok();
    // Each change compared with what the other left: the events make one
    // chain from 7 to the final value, never two changes "from 7".
    let last = get(&admin).await.ok().default_period_days;
    let mut events = changes_at(&admin, s.now()).await;
    let chain = if last == 21 {
        [
            "default enrollment period: 14 → 21 days",
            "default enrollment period: 7 → 14 days",
        ]
    } else {
        [
            "default enrollment period: 21 → 14 days",
            "default enrollment period: 7 → 21 days",
        ]
    };
    events.sort();
    assert_eq!(events, chain);
}
