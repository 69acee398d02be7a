//! Security keys and passkeys against the real server, with the software
//! authenticator of `authenticator.rs`: registering, logging in with a key
//! as the second factor, ceremonies bound to their session and good once
//! for five minutes, wrong origins and relying parties, copied keys (a
//! counter that goes back), excluded keys, the last-factor rule, keys
//! that belong to someone else, passkeys that must verify their user, and
//! the limit of open ceremonies per session.

use portcullis_api::webauthn::KeyInfo;
use portcullis_api::{ErrorCode, FactorKind, LoginResponse, UserDetail};
use serde_json::{json, Value};

use crate::authenticator::SoftKey;
use crate::client::{Answer, Api};
use crate::fixtures::TestServer;

const IVAN: &str = "ivan@example.com";
const JUDY: &str = "judy@example.com";

pub(crate) async fn start(api: &Api) -> Value {
    api.post("/api/v1/webauthn/register/start", &json!({}))
        .await
        .ok()
}

pub(crate) async fn finish(
    api: &Api,
    ceremony: &Value,
    name: Option<&str>,
    cred: Value,
) -> Answer<LoginResponse> {
    api.post(
        "/api/v1/webauthn/register/finish",
        &json!({ "ceremony": ceremony, "name": name, "credential": cred }),
    )
    .await
}

/// Registers `key` in this session under `name`.
pub(crate) async fn register(
    api: &Api,
    key: &mut SoftKey,
    name: Option<&str>,
) -> Answer<LoginResponse> {
    let opts = start(api).await;
    let cred = key.register(&opts["options"]);
    finish(api, &opts["ceremony"], name, cred).await
}

pub(crate) async fn login_start(api: &Api) -> Value {
    api.post_empty("/api/v1/login/webauthn/start").await.ok()
}

pub(crate) async fn login_finish(
    api: &Api,
    ceremony: &Value,
    cred: Value,
) -> Answer<LoginResponse> {
    api.post(
        "/api/v1/login/webauthn/finish",
        &json!({ "ceremony": ceremony, "credential": cred }),
    )
    .await
}

/// Password, then the key's answer.
pub(crate) async fn login_with(
    s: &TestServer,
    email: &str,
    key: &mut SoftKey,
) -> (Api, Answer<LoginResponse>) {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let opts = login_start(&api).await;
    let cred = key.assert(&opts["options"]);
    let done = login_finish(&api, &opts["ceremony"], cred).await;
    (api, done)
}

pub(crate) async fn keys(api: &Api) -> Vec<KeyInfo> {
    api.get("/api/v1/webauthn/credentials").await.ok()
}

async fn rename(api: &Api, id: &str, name: &str) -> Answer<KeyInfo> {
    let url = api.url(&format!("/api/v1/webauthn/credentials/{id}"));
    Api::read(
        api.http
            .patch(url)
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn remove(api: &Api, id: &str) -> Answer<()> {
    let url = api.url(&format!("/api/v1/webauthn/credentials/{id}"));
    Api::read(api.http.delete(url).send().await.unwrap()).await
}

/// The details of the audit events of one kind, oldest first.
pub(crate) async fn events(s: &TestServer, kind: &str) -> Vec<String> {
    sqlx::query_scalar::<_, String>(
        "SELECT detail FROM audit_events WHERE kind = $1 ORDER BY at, id",
    )
    .bind(kind)
    .fetch_all(&s.state.db)
    .await
    .unwrap()
}

/// A user without MFA, signed in, with one key registered.
pub(crate) async fn with_key(s: &TestServer, email: &str, name: &str) -> (Api, SoftKey) {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    let mut key = SoftKey::new(&s.base);
    let done = register(&api, &mut key, Some(name)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    (api, key)
}

#[tokio::test]
async fn register_log_out_and_log_in_with_the_key() {
    let s = TestServer::start_at_localhost().await;
    let (api, mut key) = with_key(&s, IVAN, "  YubiKey 5  ").await;
    let listed = keys(&api).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "YubiKey 5");
    assert_eq!(listed[0].added_at, s.now());
    assert_eq!(listed[0].last_used_at, None);
    assert_eq!(listed[0].transports, vec!["usb", "nfc"]);
    assert!(events(&s, "mfa_enrolled")
        .await
        .contains(&"security key “YubiKey 5”".to_string()));

    // The options ask for a key at this portal's relying party.
    let opts = start(&api).await;
    assert_eq!(opts["options"]["publicKey"]["rp"]["id"], "localhost");
    // A security key needs only the user's touch, and no credProtect
    // policy that browsers refuse for a non-discoverable credential.
    let pk = &opts["options"]["publicKey"];
    assert_eq!(
        pk["authenticatorSelection"]["userVerification"],
        "discouraged"
    );
    assert!(
        pk["extensions"].get("credentialProtectionPolicy").is_none(),
        "{pk}"
    );

    assert_eq!(api.mfa().await.ok().factors, vec![FactorKind::Webauthn]);

    api.logout().await;
    let (half, answer) = s.password_login(IVAN).await;
    assert_eq!(
        answer,
        LoginResponse::Mfa {
            factors: vec![FactorKind::Webauthn]
        }
    );
    // Half signed in, the overview names the factors too (the SPA's
    // `/login/mfa` offers them, even after a reload).
    assert_eq!(half.mfa().await.ok().factors, vec![FactorKind::Webauthn]);
    s.advance(60);
    let (api, done) = login_with(&s, IVAN, &mut key).await;
    let done = done.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    assert_eq!(api.me().await.ok().email, IVAN);
    let listed = keys(&api).await;
    assert_eq!(listed[0].last_used_at, Some(s.now()));
    assert!(events(&s, "login_succeeded")
        .await
        .contains(&"password + security key “YubiKey 5”".to_string()));
}

#[tokio::test]
async fn ceremonies_are_single_use_and_bound_to_their_session() {
    let s = TestServer::start_at_localhost().await;
    let (a, _) = s.password_login(IVAN).await;
    let mut key = SoftKey::new(&s.base);
    let opts = start(&a).await;
    let cred = key.register(&opts["options"]);
    finish(&a, &opts["ceremony"], None, cred.clone()).await.ok();
    // The same answer again: the ceremony is used up.
    let replay = finish(&a, &opts["ceremony"], None, cred).await;
    assert_eq!(replay.fail(), (409, ErrorCode::Conflict));

    // Another session's ceremony is refused.
    let (b, _) = s.password_login(JUDY).await;
    let theirs = start(&b).await;
    let mut other = SoftKey::new(&s.base);
    let cred = other.register(&theirs["options"]);
    let answer = finish(&a, &theirs["ceremony"], None, cred).await.err();
    assert_eq!(answer.code, ErrorCode::Conflict);
    assert!(answer.message.contains("Start again"), "{}", answer.message);

    // At login too: a login's ceremony is not another login's, and good once.
    let (x, _) = s.password_login(IVAN).await;
    let (y, _) = s.password_login(IVAN).await;
    let opts = login_start(&x).await;
    let cred = key.assert(&opts["options"]);
    assert_eq!(
        login_finish(&y, &opts["ceremony"], cred.clone())
            .await
            .fail(),
        (409, ErrorCode::Conflict)
    );
    login_finish(&x, &opts["ceremony"], cred).await.ok();
    let (z, _) = s.password_login(IVAN).await;
    let cred = key.assert(&opts["options"]);
    assert_eq!(
        login_finish(&z, &opts["ceremony"], cred).await.fail(),
        (409, ErrorCode::Conflict)
    );
}

#[tokio::test]
async fn an_expired_ceremony_is_refused() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = s.password_login(IVAN).await;
    let mut key = SoftKey::new(&s.base);
    let opts = start(&api).await;
    let cred = key.register(&opts["options"]);
    s.advance(5 * 60 + 1);
    assert_eq!(
        finish(&api, &opts["ceremony"], None, cred).await.fail(),
        (409, ErrorCode::Conflict)
    );
    assert!(keys(&api).await.is_empty());
}

#[tokio::test]
async fn wrong_origin_and_wrong_relying_party_are_refused() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = s.password_login(IVAN).await;

    let mut phished = SoftKey::new("http://portcullis.example.net");
    let refused = register(&api, &mut phished, None).await;
    assert_eq!(refused.status, 401);
    let message = refused.err().message;
    assert!(message.contains("another web address"), "{message}");

    let mut elsewhere = SoftKey::new(&s.base);
    elsewhere.rp_id_override = Some("example.net".into());
    let message = register(&api, &mut elsewhere, None).await.err().message;
    assert!(message.contains("another site"), "{message}");
    assert!(keys(&api).await.is_empty());

    // The same at login, with a registered key.
    let mut key = SoftKey::new(&s.base);
    register(&api, &mut key, Some("Key")).await.ok();
    key.origin = "http://portcullis.example.net".into();
    let (_, done) = login_with(&s, IVAN, &mut key).await;
    let message = done.err().message;
    assert!(message.contains("another web address"), "{message}");
    key.origin = s.base.clone();
    key.rp_id_override = Some("example.net".into());
    let (_, done) = login_with(&s, IVAN, &mut key).await;
    let message = done.err().message;
    assert!(message.contains("another site"), "{message}");
    // Each refusal is on record, naming the key.
    let failed = events(&s, "mfa_failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().all(|d| d.contains("“Key”")), "{failed:?}");
}

#[tokio::test]
async fn a_counter_that_goes_back_is_refused_and_recorded() {
    let s = TestServer::start_at_localhost().await;
    let (_, mut key) = with_key(&s, IVAN, "Blue key").await;
    key.counter = 10;
    login_with(&s, IVAN, &mut key).await.1.ok();
    // A copy of the key, still at an older count.
    key.counter = 4;
    let (api, done) = login_with(&s, IVAN, &mut key).await;
    let answer = done.err();
    assert_eq!(answer.code, ErrorCode::WrongCode);
    assert!(
        answer.message.contains("copy of the key"),
        "{}",
        answer.message
    );
    assert_eq!(api.me().await.status, 401, "still not signed in");
    let failed = events(&s, "mfa_failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].contains("“Blue key”") && failed[0].contains("counter went backwards"));
    // The same count again is no better; the real key, counting on, still works.
    key.counter = 10;
    assert_eq!(login_with(&s, IVAN, &mut key).await.1.status, 401);
    key.counter = 11;
    login_with(&s, IVAN, &mut key).await.1.ok();
}

#[tokio::test]
async fn a_second_registration_excludes_the_keys_one_has() {
    let s = TestServer::start_at_localhost().await;
    let (api, mut first) = with_key(&s, IVAN, "First").await;
    let opts = start(&api).await;
    let excluded: Vec<&str> = opts["options"]["publicKey"]["excludeCredentials"]
        .as_array()
        .expect("excludeCredentials")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(excluded, vec![first.id()]);
    // A browser would refuse; one that did not is refused here.
    let again = register(&api, &mut first, None).await;
    assert_eq!(again.fail(), (409, ErrorCode::AlreadySetUp));
    // Another key gets the next default name.
    let mut second = SoftKey::new(&s.base);
    register(&api, &mut second, None).await.ok();
    let names: Vec<String> = keys(&api).await.into_iter().map(|k| k.name).collect();
    assert_eq!(names, vec!["First", "Security key 2"]);
}

#[tokio::test]
async fn enrollment_at_login_and_the_last_factor_rule() {
    let s = TestServer::start_at_localhost().await;
    s.require(JUDY, Some(7)).await;
    let (api, answer) = s.password_login(JUDY).await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");
    let mut key = SoftKey::new(&s.base);
    let enrolled = register(&api, &mut key, Some("Only key")).await;
    assert!(enrolled.session_cookie().is_some(), "a new session id");
    assert!(matches!(enrolled.ok(), LoginResponse::Done { .. }));
    let id = keys(&api).await[0].id.clone();

    // The only factor of a user who must have MFA stays, with the reason.
    let refused = remove(&api, &id).await.err();
    assert_eq!(refused.code, ErrorCode::Conflict);
    assert!(
        refused.message.contains("only second factor"),
        "{}",
        refused.message
    );

    // With a second key, the first can go; sessions it proved elsewhere end.
    let (elsewhere, done) = login_with(&s, JUDY, &mut key).await;
    done.ok();
    let mut spare = SoftKey::new(&s.base);
    register(&api, &mut spare, Some("Spare")).await.ok();
    assert_eq!(remove(&api, &id).await.status, 204);
    assert_eq!(elsewhere.me().await.status, 401);
    assert_eq!(api.me().await.ok().email, JUDY);
    let left: Vec<String> = keys(&api).await.into_iter().map(|k| k.name).collect();
    assert_eq!(left, vec!["Spare"]);

    // The administrator sees the key by its name and can remove it by its id.
    let (admin, _) = s.admin().await;
    let judy = s.user_id(&admin, JUDY).await;
    let detail: UserDetail = admin.get(&format!("/api/v1/admin/users/{judy}")).await.ok();
    assert_eq!(detail.factors.len(), 1);
    assert_eq!(detail.factors[0].kind, FactorKind::Webauthn);
    assert_eq!(detail.factors[0].label, "Security key or passkey “Spare”");
    let spare_id = detail.factors[0].id.clone();
    let totp = s.enroll_app(&api).await;
    let url = admin.url(&format!("/api/v1/admin/users/{judy}/factors/{spare_id}"));
    let after: UserDetail = Api::read(admin.http.delete(url).send().await.unwrap())
        .await
        .ok();
    assert_eq!(after.factors.len(), 1);
    assert_eq!(after.factors[0].kind, FactorKind::Totp);
    assert!(!totp.is_empty());
}

#[tokio::test]
async fn keys_are_renamed_and_removed_only_by_their_owner() {
    let s = TestServer::start_at_localhost().await;
    let (ivan, _) = with_key(&s, IVAN, "Ivan's key").await;
    let (judy, _) = with_key(&s, JUDY, "Judy's key").await;
    let ivans = keys(&ivan).await[0].id.clone();
    assert_eq!(
        rename(&judy, &ivans, "Mine now").await.fail(),
        (404, ErrorCode::NotFound)
    );
    assert_eq!(
        remove(&judy, &ivans).await.fail(),
        (404, ErrorCode::NotFound)
    );
    assert_eq!(keys(&ivan).await[0].name, "Ivan's key");

    assert_eq!(
        rename(&ivan, &ivans, "   ").await.fail(),
        (422, ErrorCode::ValidationFailed)
    );
    let long = "k".repeat(65);
    assert_eq!(
        rename(&ivan, &ivans, &long).await.fail(),
        (422, ErrorCode::ValidationFailed)
    );
    let renamed = rename(&ivan, &ivans, "  Keyring  ").await.ok();
    assert_eq!(renamed.name, "Keyring");
    assert_eq!(
        events(&s, "mfa_factor_renamed").await,
        vec!["security key “Ivan's key” renamed “Keyring”"]
    );
    // Ivan has no MFA requirement: his only key may go.
    assert_eq!(remove(&ivan, &ivans).await.status, 204);
    assert!(keys(&ivan).await.is_empty());
    let (_, answer) = s.password_login(IVAN).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
}

#[tokio::test]
async fn unreadable_answers_and_ip_addresses() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = s.password_login(IVAN).await;
    let opts = start(&api).await;
    // Without a live ceremony that is the answer, whatever the body holds.
    let unknown = finish(&api, &json!("0"), None, json!({ "id": 7 })).await;
    assert_eq!(unknown.fail(), (409, ErrorCode::Conflict));
    let garbled = finish(&api, &opts["ceremony"], None, json!({ "id": 7 }))
        .await
        .err();
    assert_eq!(garbled.code, ErrorCode::WrongCode);
    assert!(
        garbled.message.contains("could not be read"),
        "{}",
        garbled.message
    );
    // Its ceremony is used up like any other's.
    let again = finish(&api, &opts["ceremony"], None, json!({ "id": 7 })).await;
    assert_eq!(again.fail(), (409, ErrorCode::Conflict));

    // Browsers offer WebAuthn to domain names only; the server says so.
    let s = TestServer::start().await;
    let (api, _) = s.password_login(IVAN).await;
    let refused: Answer<Value> = api
        .post("/api/v1/webauthn/register/start", &json!({}))
        .await;
    let message = refused.err().message;
    assert!(message.contains("domain name"), "{message}");
}

#[tokio::test]
async fn a_passkey_is_discoverable_and_also_proves_a_login_like_a_key() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = s.password_login(IVAN).await;
    let opts: Value = api
        .post(
            "/api/v1/webauthn/register/start",
            &json!({ "passkey": true }),
        )
        .await
        .ok();
    // Discoverable, so it can sign in without the password; verification
    // preferred, so a key without a PIN can still hold one (which then
    // counts for the password only).
    let selection = &opts["options"]["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required");
    assert_eq!(selection["userVerification"], "preferred");
    let mut key = SoftKey::new(&s.base);
    let cred = key.register(&opts["options"]);
    finish(&api, &opts["ceremony"], Some("Phone"), cred)
        .await
        .ok();
    assert_eq!(keys(&api).await[0].name, "Phone");
    login_with(&s, IVAN, &mut key).await.1.ok();
}

#[tokio::test]
async fn reset_mfa_removes_every_key() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = with_key(&s, IVAN, "Old key").await;
    let (admin, _) = s.admin().await;
    let ivan = s.user_id(&admin, IVAN).await;
    admin.reset_mfa(&ivan, Some(7)).await.ok();
    assert_eq!(api.me().await.status, 401, "sessions end with a reset");
    let (_, answer) = s.password_login(IVAN).await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");
    let detail: UserDetail = admin.get(&format!("/api/v1/admin/users/{ivan}")).await.ok();
    assert!(detail.factors.is_empty(), "{:?}", detail.factors);
}

#[tokio::test]
async fn a_passkey_that_verified_its_user_proves_the_second_step_after_the_password() {
    let s = TestServer::start_at_localhost().await;
    let (api, _) = s.password_login(IVAN).await;
    let opts: Value = api
        .post(
            "/api/v1/webauthn/register/start",
            &json!({ "passkey": true }),
        )
        .await
        .ok();
    // A key with a PIN or biometrics, asked for them ("preferred").
    let mut key = SoftKey::new(&s.base);
    let cred = key.register(&opts["options"]);
    finish(&api, &opts["ceremony"], Some("Phone"), cred)
        .await
        .ok();
    api.logout().await;

    let (half, answer) = s.password_login(IVAN).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    // The library refuses this passkey's answer without verification, so
    // the browser is asked for it: told "discouraged", it would not ask
    // for the PIN (as the software key does not either).
    let opts = login_start(&half).await;
    assert_eq!(
        opts["options"]["publicKey"]["userVerification"],
        "preferred"
    );
    let cred = key.assert(&opts["options"]);
    let done = login_finish(&half, &opts["ceremony"], cred).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    assert!(events(&s, "login_succeeded")
        .await
        .contains(&"password + security key “Phone”".to_string()));

    // Security keys alone still ask for a touch only.
    let (judy, _) = with_key(&s, JUDY, "Desk key").await;
    judy.logout().await;
    let (half, _) = s.password_login(JUDY).await;
    let opts = login_start(&half).await;
    assert_eq!(
        opts["options"]["publicKey"]["userVerification"],
        "discouraged"
    );
}

#[tokio::test]
async fn a_session_holds_at_most_five_open_key_ceremonies() {
    let s = TestServer::start_at_localhost().await;
    let (api, _key) = with_key(&s, IVAN, "Desk key").await;
    // Registrations and proofs count together.
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(start(&api).await);
    }
    for _ in 0..2 {
        open.push(
            api.post_empty("/api/v1/mfa/verify/webauthn/start")
                .await
                .ok(),
        );
    }
    s.advance(60);
    let full: Answer<Value> = api
        .post("/api/v1/webauthn/register/start", &json!({}))
        .await;
    assert_eq!(full.status, 429);
    let err = full.err();
    assert_eq!(err.code, ErrorCode::TooManyAttempts);
    // The first of them ends in 4 minutes.
    assert_eq!(err.retry_after, Some(4 * 60));
    assert!(
        err.message.contains("5 security-key requests open"),
        "{}",
        err.message
    );
    assert_eq!(
        api.post_empty::<Value>("/api/v1/mfa/verify/webauthn/start")
            .await
            .fail(),
        (429, ErrorCode::TooManyAttempts)
    );

    // Another session is not concerned.
    let (other, _) = s.password_login(IVAN).await;
    assert_eq!(
        other
            .post_empty::<Value>("/api/v1/login/webauthn/start")
            .await
            .status,
        200
    );

    // A ceremony finished is no longer open.
    let mut stranger = SoftKey::new(&s.base);
    let cred = stranger.register(&open[0]["options"]);
    finish(&api, &open[0]["ceremony"], Some("Spare"), cred)
        .await
        .ok();
    start(&api).await;
    assert_eq!(
        api.post_empty::<Value>("/api/v1/mfa/verify/webauthn/start")
            .await
            .status,
        429
    );
    // Expired ones are not either.
    s.advance(5 * 60);
    for _ in 0..5 {
        start(&api).await;
    }
}

/// How many recovery codes the user has stored, used or not.
async fn stored_codes(s: &TestServer, email: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(&s.state.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn removing_ones_last_key_forgets_the_recovery_codes_as_an_administrators_removal_does() {
    let s = TestServer::start_at_localhost().await;
    let (_, mut key) = with_key(&s, IVAN, "Only key").await;
    let (api, done) = login_with(&s, IVAN, &mut key).await;
    done.ok();
    let made: portcullis_api::NewRecoveryCodes =
        api.post_empty("/api/v1/recovery-codes").await.ok();
    assert_eq!(made.codes.len(), 10);
    let id = keys(&api).await[0].id.clone();

    // The key was ivan's only factor (not required of him): with it go the
    // codes that stood in for it, and the email and event name the key.
    assert_eq!(remove(&api, &id).await.status, 204);
    assert_eq!(stored_codes(&s, IVAN).await, 0);
    assert_eq!(
        api.me().await.ok().email,
        IVAN,
        "the removing session stays"
    );
    let said = events(&s, "mfa_reset_by_user").await;
    let last = said.last().expect("an event");
    assert!(last.contains("“Only key” removed"), "{last}");

    // With two factors, removing one keeps the codes.
    let (_, mut first) = with_key(&s, JUDY, "First").await;
    let (judy, done) = login_with(&s, JUDY, &mut first).await;
    done.ok();
    let mut second = SoftKey::new(&s.base);
    register(&judy, &mut second, Some("Second")).await.ok();
    let _: portcullis_api::NewRecoveryCodes = judy.post_empty("/api/v1/recovery-codes").await.ok();
    let first_id = keys(&judy).await[0].id.clone();
    assert_eq!(remove(&judy, &first_id).await.status, 204);
    assert_eq!(stored_codes(&s, JUDY).await, 10);
}
