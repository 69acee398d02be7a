//! Unified mode (Protect and the authenticator app merged by a billing
//! administrator): the device's enrollment also gives it the TOTP key, whose
//! codes pass the login; separate mode gives none; an app set up before the
//! merge keeps working and the device gets no key until Reset
//! Authenticator App, which in unified mode resets both, after which one
//! QR code sets both up again; a device removed (by the user or an
//! administrator) or replaced takes its key with it, under the last-factor
//! rule; an app replaced after a temporary access code takes the device
//! with it and keeps the new app; the banner after a merge shows once;
//! only a billing administrator merges.

use std::sync::Mutex;

use portcullis_api::protect::{DeviceEnrolled, ProtectDevice, ProtectEnrollment};
use portcullis_api::{
    ErrorCode, FactorKind, LoginResponse, MfaOverview, MfaSettings, MfaStatus, ProtectMode, Role,
    TotpEnrollment, TotpState, UserDetail,
};
use portcullis_server::auth::create_user;
use portcullis_server::{audit, notify};
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::device::{self, Device};
use crate::fixtures::{TestServer, PASSWORD};
use crate::temporary_access;

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";

async fn patch_settings(api: &Api, body: &Value) -> Answer<MfaSettings> {
    let resp = api
        .http
        .patch(api.url("/api/v1/admin/settings"))
        .json(body)
        .send()
        .await
        .unwrap();
    Api::read(resp).await
}

/// The billing administrator merges Protect and the authenticator app.
async fn merge(s: &TestServer) -> MfaSettings {
    let (admin, _) = s.admin().await;
    patch_settings(&admin, &json!({ "protect_mode": "unified" }))
        .await
        .ok()
}

/// A link for the user signed in as `api`, and a new device enrolled with
/// it: the device and the whole answer to its enrollment.
async fn enroll(s: &TestServer, api: &Api) -> (Device, ProtectEnrollment, DeviceEnrolled) {
    let link = device::link(api).await;
    let key = device::new_key();
    let request = device::enroll_request(&device::token_of(&link.uri), &key, s.now());
    let enrolled: DeviceEnrolled = Api::new(&s.base)
        .post("/api/device/v1/enroll", &request)
        .await
        .ok();
    let d = Device {
        base: s.base.clone(),
        portal: enrolled.portal.clone(),
        id: enrolled.device_id.clone(),
        key,
        clock: s.clock.clone(),
        http: reqwest::Client::new(),
        last_nonce: Mutex::new(String::new()),
    };
    (d, link, enrolled)
}

/// `email` (no MFA) signed in with the password.
async fn signed_in(s: &TestServer, email: &str) -> Api {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    api
}

/// A password login of `email` finished with a code of `secret`.
async fn login_with(s: &TestServer, email: &str, secret: &str) -> Answer<LoginResponse> {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let done = api.login_totp(&s.code(secret, 0)).await;
    s.next_step();
    done
}

async fn events(s: &TestServer, user_id: &str) -> Vec<(String, String)> {
    audit::about(&s.state.db, user_id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect()
}

fn has(events: &[(String, String)], kind: &str, words: &str) -> bool {
    events.iter().any(|(k, d)| k == kind && d.contains(words))
}

/// The newest email of `kind` to the user.
async fn mail(s: &TestServer, user_id: &str, kind: &str) -> String {
    sqlx::query_scalar(
        "SELECT body FROM outbox WHERE user_id = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(kind)
    .fetch_one(&s.state.db)
    .await
    .unwrap()
}

async fn remove_device(api: &Api) -> Answer<()> {
    let resp = api
        .http
        .delete(api.url("/api/v1/protect/device"))
        .send()
        .await
        .unwrap();
    Api::read(resp).await
}

fn active_on_device(o: &MfaOverview) -> bool {
    matches!(
        o.totp,
        TotpState::Active {
            on_device: true,
            ..
        }
    )
}

#[tokio::test]
async fn a_unified_enrollment_gives_the_device_a_key_whose_codes_pass_the_login() {
    let s = TestServer::start().await;
    merge(&s).await;
    let api = signed_in(&s, ALICE).await;
    let id = api.me().await.ok().id;
    let (d, link, enrolled) = enroll(&s, &api).await;
    assert!(link.totp_included, "the Security page can say so");
    let key = enrolled.totp.clone().expect("a key in unified mode");
    assert_eq!(enrolled.totp_note, None);
    assert_eq!((key.digits, key.period), (6, 30));
    assert_eq!(key.algorithm, "SHA1");
    assert_eq!(key.issuer, "Portcullis");
    assert_eq!(key.account, ALICE);
    assert!(
        !format!("{enrolled:?}").contains(&key.secret),
        "not in Debug"
    );

    // Stored as a confirmed app on the device, in the same step: both
    // factors count.
    let m = api.mfa().await.ok();
    assert!(active_on_device(&m), "{:?}", m.totp);
    assert!(m.factors.contains(&FactorKind::Totp) && m.factors.contains(&FactorKind::Push));
    let evs = events(&s, &id).await;
    assert!(
        has(&evs, "mfa_enrolled", "authenticator app on Protect device"),
        "{evs:?}"
    );
    assert!(
        has(
            &evs,
            "push_device_enrolled",
            "received the authenticator key"
        ),
        "{evs:?}"
    );
    // One email for one QR code, saying both.
    assert_eq!(
        notify::kinds_for(&s.state.db, &id).await.unwrap(),
        ["push_device_enrolled"]
    );
    assert!(mail(&s, &id, "push_device_enrolled")
        .await
        .contains("also your authenticator app"));

    // The device's codes pass the login's second step.
    api.logout().await.ok();
    let done = login_with(&s, ALICE, &key.secret).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");

    // Enrolled again (a new phone), the device gets a new key; the old
    // phone's key stops working.
    let api = device::sign_in(&s, ALICE, &d).await;
    let (_, _, again) = enroll(&s, &api).await;
    let new_key = again.totp.expect("a new key");
    assert_ne!(new_key.secret, key.secret);
    assert_eq!(d.status().await.status, 401);
    let (old, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    assert_eq!(
        old.login_totp(&s.code(&key.secret, 0)).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    s.next_step();
    let done = login_with(&s, ALICE, &new_key.secret).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    assert!(has(
        &events(&s, &id).await,
        "push_device_enrolled",
        "the old device's authenticator key went with it"
    ));
}

#[tokio::test]
async fn an_app_replaced_with_a_temporary_code_takes_the_device_and_keeps_the_new_app() {
    let s = TestServer::start().await;
    merge(&s).await;
    let api = signed_in(&s, ALICE).await;
    let id = api.me().await.ok().id;
    let (d, _, enrolled) = enroll(&s, &api).await;
    let old_key = enrolled.totp.expect("a key in unified mode").secret;
    api.logout().await.ok();
    // The phone is lost: the helpdesk's code opens a login that sets up a
    // new app, which replaces the key the phone held.
    let (admin, _) = s.admin().await;
    let tap = temporary_access::issue(&admin, &id, 1, true).await.ok();
    let (alice, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    temporary_access::offer(&alice, &tap.code).await.ok();
    let TotpEnrollment { secret, .. } = alice.totp_enroll().await.ok();
    let done = alice.totp_confirm(&s.code(&secret, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    s.next_step();
    // The device went with the old key, through the removal path; the new
    // app is no key on a device, and its codes pass.
    assert_eq!(d.status().await.status, 401, "the lost phone is removed");
    let m = alice.mfa().await.ok();
    assert!(!active_on_device(&m), "{:?}", m.totp);
    assert!(!m.factors.contains(&FactorKind::Push), "{:?}", m.factors);
    assert!(has(
        &events(&s, &id).await,
        "push_device_removed",
        "removed with the authenticator app"
    ));
    alice.logout().await.ok();
    let done = login_with(&s, ALICE, &secret).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    let (old, _) = s.password_login(ALICE).await;
    assert_eq!(
        old.login_totp(&s.code(&old_key, 0)).await.fail(),
        (401, ErrorCode::WrongCode)
    );
}

#[tokio::test]
async fn separate_mode_gives_no_key() {
    let s = TestServer::start().await;
    let api = signed_in(&s, ALICE).await;
    let (_, link, enrolled) = enroll(&s, &api).await;
    assert!(!link.totp_included);
    assert_eq!((enrolled.totp, enrolled.totp_note), (None, None));
    // Not even as null: the answer is as it was before unified mode.
    let api = signed_in(&s, IVAN).await;
    let link = device::link(&api).await;
    let raw: Value = Api::new(&s.base)
        .post(
            "/api/device/v1/enroll",
            &device::enroll_request(&device::token_of(&link.uri), &device::new_key(), s.now()),
        )
        .await
        .ok();
    assert!(
        raw.get("totp").is_none() && raw.get("totp_note").is_none(),
        "{raw}"
    );
    let m = api.mfa().await.ok();
    assert_eq!(m.totp, TotpState::NotSetUp);
    assert_eq!(m.factors, [FactorKind::Push]);
}

#[tokio::test]
async fn an_app_from_before_the_merge_keeps_working_until_a_reset_resets_both() {
    let s = TestServer::start().await;
    let api = signed_in(&s, ALICE).await;
    let id = api.me().await.ok().id;
    let app = s.enroll_app(&api).await;
    merge(&s).await;

    // The app set up in this session proved it: the link needs nothing more.
    let (d, link, enrolled) = enroll(&s, &api).await;
    assert!(!link.totp_included, "another app is in the way");
    assert_eq!(enrolled.totp, None);
    let note = enrolled.totp_note.expect("the device is told why");
    assert!(note.contains("already has an authenticator app"), "{note}");
    assert!(note.contains("Reset Authenticator App"), "{note}");
    let m = api.mfa().await.ok();
    assert!(
        matches!(
            m.totp,
            TotpState::Active {
                on_device: false,
                ..
            }
        ),
        "{:?}",
        m.totp
    );
    assert!(has(
        &events(&s, &id).await,
        "push_device_enrolled",
        "the user keeps another app"
    ));
    // The app keeps working, and so does the device.
    let done = login_with(&s, ALICE, &app).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    let api = device::sign_in(&s, ALICE, &d).await;

    // Reset Authenticator App (with a code of the app) resets both.
    let other = device::sign_in(&s, ALICE, &d).await;
    let m = api.totp_reset(&s.code(&app, 0)).await.ok();
    s.next_step();
    assert_eq!(m.totp, TotpState::NotSetUp);
    assert!(m.factors.is_empty(), "{:?}", m.factors);
    assert_eq!(d.status().await.status, 401, "the device's key stopped");
    let none: Option<ProtectDevice> = api.get("/api/v1/protect/device").await.ok();
    assert!(none.is_none());
    assert_eq!(other.me().await.status, 401, "other sessions end");
    let evs = events(&s, &id).await;
    assert!(
        has(&evs, "mfa_reset_by_user", "authenticator app removed"),
        "{evs:?}"
    );
    assert!(
        has(&evs, "push_device_removed", "Reset Authenticator App"),
        "{evs:?}"
    );
    let kinds = notify::kinds_for(&s.state.db, &id).await.unwrap();
    for kind in ["authenticator_removed", "push_device_removed"] {
        assert!(kinds.contains(&kind.to_string()), "{kind}: {kinds:?}");
    }

    // One QR code sets both up again, the device's key this time.
    let (d, link, enrolled) = enroll(&s, &api).await;
    assert!(link.totp_included);
    let key = enrolled.totp.expect("the key, now");
    assert!(active_on_device(&api.mfa().await.ok()));
    api.logout().await.ok();
    let done = login_with(&s, ALICE, &key.secret).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    device::sign_in(&s, ALICE, &d).await;
}

#[tokio::test]
async fn a_required_user_resets_both_and_enrolls_again_with_one_qr_code() {
    let s = TestServer::start().await;
    merge(&s).await;
    let api = signed_in(&s, ALICE).await;
    let (d, _, enrolled) = enroll(&s, &api).await;
    let key = enrolled.totp.expect("a key");
    s.require(ALICE, Some(7)).await;
    let api = device::sign_in(&s, ALICE, &d).await;

    // Removing the device would take its key, the only other factor: no.
    let refused = remove_device(&api).await;
    assert_eq!(refused.status, 409);
    let message = refused.err().message;
    assert!(message.contains("authenticator key on it"), "{message}");
    assert!(active_on_device(&api.mfa().await.ok()));
    d.status().await.ok();

    // The reset may leave nothing: as for any reset, the user sets up
    // again now, or at the next login (never locked out).
    let m = api.totp_reset(&s.code(&key.secret, 0)).await.ok();
    s.next_step();
    assert_eq!(m.status, MfaStatus::RequiredNoPeriod);
    assert!(m.factors.is_empty());
    assert_eq!(d.status().await.status, 401);
    assert_eq!(api.me().await.status, 200, "the user's own session stays");
    let (_, _, again) = enroll(&s, &api).await;
    let key = again.totp.expect("one QR code: both again");
    let m = api.mfa().await.ok();
    assert_eq!(m.status, MfaStatus::Active);
    assert!(active_on_device(&m));
    assert_eq!(m.factors, [FactorKind::Push, FactorKind::Totp]);
    api.logout().await.ok();
    let done = login_with(&s, ALICE, &key.secret).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

#[tokio::test]
async fn a_removed_device_takes_its_key_with_it() {
    let s = TestServer::start().await;
    merge(&s).await;

    // By the user (no MFA required): both go, sessions the key proved end.
    let api = signed_in(&s, ALICE).await;
    let alice = api.me().await.ok().id;
    let (_, _, enrolled) = enroll(&s, &api).await;
    let key = enrolled.totp.expect("a key");
    let api = s.login_with_code(ALICE, &key.secret).await;
    let other = s.login_with_code(ALICE, &key.secret).await;
    assert_eq!(remove_device(&api).await.status, 204);
    let m = api.mfa().await.ok();
    assert_eq!(m.totp, TotpState::NotSetUp);
    assert!(m.factors.is_empty(), "{:?}", m.factors);
    assert_eq!(other.me().await.status, 401, "proven by the key: ended");
    assert_eq!(api.me().await.status, 200, "the user's own stays");
    assert!(has(
        &events(&s, &alice).await,
        "push_device_removed",
        "with the authenticator key on it"
    ));
    assert!(mail(&s, &alice, "push_device_removed")
        .await
        .contains("authenticator key on the device was removed"));

    // By an administrator: refused while it is all a required user has,
    // then (with MFA no longer required) the key goes with the device.
    let api = signed_in(&s, IVAN).await;
    let ivan = api.me().await.ok().id;
    let (d, _, enrolled) = enroll(&s, &api).await;
    assert!(enrolled.totp.is_some());
    let (admin, _) = s.admin().await;
    admin.require_mfa(&ivan, Some(7)).await.ok();
    let detail: UserDetail = admin.get(&format!("/api/v1/admin/users/{ivan}")).await.ok();
    let push = detail
        .factors
        .iter()
        .find(|f| f.kind == FactorKind::Push)
        .expect("push")
        .id
        .clone();
    let path = format!("/api/v1/admin/users/{ivan}/factors/{push}");
    let refused: Answer<UserDetail> =
        Api::read(admin.http.delete(admin.url(&path)).send().await.unwrap()).await;
    assert_eq!(refused.status, 409);
    let message = refused.err().message;
    assert!(
        message.contains("authenticator key on the device"),
        "{message}"
    );
    admin.unrequire_mfa(&ivan).await.ok();
    let detail: UserDetail = Api::read(admin.http.delete(admin.url(&path)).send().await.unwrap())
        .await
        .ok();
    assert!(detail.factors.is_empty(), "{:?}", detail.factors);
    assert_eq!(d.status().await.status, 401);
    assert!(mail(&s, &ivan, "push_device_removed")
        .await
        .contains("authenticator key on the device was removed"));
}

#[tokio::test]
async fn a_device_replaced_in_separate_mode_takes_its_key_too() {
    let s = TestServer::start().await;
    merge(&s).await;
    let api = signed_in(&s, ALICE).await;
    let (d, _, enrolled) = enroll(&s, &api).await;
    let key = enrolled.totp.expect("a key");
    let (admin, _) = s.admin().await;
    patch_settings(&admin, &json!({ "protect_mode": "separate" }))
        .await
        .ok();
    // Keys given while unified keep working after the separation.
    let done = login_with(&s, ALICE, &key.secret).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    // A new phone, enrolled separately: the old phone and its key go.
    let api = device::sign_in(&s, ALICE, &d).await;
    let (_, _, enrolled) = enroll(&s, &api).await;
    assert_eq!((enrolled.totp, enrolled.totp_note), (None, None));
    let m = api.mfa().await.ok();
    assert_eq!(m.totp, TotpState::NotSetUp);
    assert_eq!(m.factors, [FactorKind::Push]);
}

#[tokio::test]
async fn the_merge_notice_shows_once_to_users_with_a_factor() {
    let s = TestServer::start().await;
    let api = signed_in(&s, ALICE).await;
    s.enroll_app(&api).await;
    let judy = signed_in(&s, "judy@example.com").await;
    assert!(
        !api.mfa().await.ok().protect_merged_notice,
        "not merged yet"
    );

    merge(&s).await;
    assert!(api.mfa().await.ok().protect_merged_notice);
    assert!(
        !judy.mfa().await.ok().protect_merged_notice,
        "no factor: nothing changes for judy"
    );
    let (half, _) = s.password_login(ALICE).await;
    assert!(
        !half.mfa().await.ok().protect_merged_notice,
        "half signed in"
    );
    let seen = api.post_empty::<()>("/api/v1/protect/merge-notice").await;
    assert_eq!(seen.status, 204);
    assert!(!api.mfa().await.ok().protect_merged_notice, "once");

    // Separated, nothing shows; merged again later, it shows again.
    let (admin, _) = s.admin().await;
    patch_settings(&admin, &json!({ "protect_mode": "separate" }))
        .await
        .ok();
    assert!(!api.mfa().await.ok().protect_merged_notice);
    s.advance(60);
    merge(&s).await;
    assert!(api.mfa().await.ok().protect_merged_notice);

    // Only for a signed-in session.
    let stranger = s.api();
    assert_eq!(
        stranger
            .post_empty::<()>("/api/v1/protect/merge-notice")
            .await
            .fail(),
        (401, ErrorCode::Unauthenticated)
    );
    assert_eq!(
        half.post_empty::<()>("/api/v1/protect/merge-notice")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn only_a_billing_administrator_merges_and_separates() {
    let s = TestServer::start().await;
    create_user(&s.state, "ops@example.com", "Ops", PASSWORD, Role::Admin)
        .await
        .unwrap();
    let (ops, _) = s.enroll_by_link("ops@example.com").await;
    let refused = patch_settings(&ops, &json!({ "protect_mode": "unified" })).await;
    assert_eq!(refused.status, 403);
    let e = refused.err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(
        e.message,
        "Only a billing administrator can merge or separate Protect and the authenticator app."
    );
    // Stating the mode as it is is no change.
    patch_settings(&ops, &json!({ "protect_mode": "separate" }))
        .await
        .ok();

    s.advance(5);
    let merged = merge(&s).await;
    assert_eq!(merged.protect_mode, ProtectMode::Unified);
    assert_eq!(merged.protect_merged_at, Some(s.now()));
    let (admin, _) = s.admin().await;
    let refused = patch_settings(&ops, &json!({ "protect_mode": "separate" })).await;
    assert_eq!(refused.fail(), (403, ErrorCode::Forbidden));
    let page: Value = admin
        .get("/api/v1/admin/events?kind=admin_setting_changed&limit=10")
        .await
        .ok();
    assert!(
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["detail"] == "Protect and the authenticator app: merged (unified)"),
        "{page}"
    );
    let separate = patch_settings(&admin, &json!({ "protect_mode": "separate" }))
        .await
        .ok();
    assert_eq!(separate.protect_mode, ProtectMode::Separate);
    assert_eq!(separate.protect_merged_at, None);
}
