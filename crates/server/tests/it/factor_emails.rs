//! Every change to a user's factors queues an email saying what happened,
//! when, from which browser and address, and what to do if it was not
//! them: their own changes from their browser, an administrator's from the
//! administrator's, said to be by an administrator. (A recovery code used:
//! `recovery_codes.rs`.)

use portcullis_api::{FactorKind, LoginResponse, UserDetail};

use crate::authenticator::SoftKey;
use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, BILLING_ADMIN, PASSWORD};
use crate::own_sessions::{behind_proxy, browser, CHROME_MAC, FIREFOX_LINUX};
use crate::webauthn::{keys, register};

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";

/// The newest email of `kind` to `email`.
async fn mail(s: &TestServer, email: &str, kind: &str) -> String {
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT o.body FROM outbox o JOIN users u ON u.id = o.user_id
          WHERE u.email = $1 AND o.kind = $2 ORDER BY o.created_at DESC, o.id",
    )
    .bind(email)
    .bind(kind)
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    assert_eq!(bodies.len(), 1, "{kind} to {email}: {bodies:?}");
    bodies[0].clone()
}

/// `body` names the moment, the browser and the address, and says what to
/// do if the change was not wanted.
fn assert_from(s: &TestServer, body: &str, browser: &str, ip: &str, if_not: &str) {
    let when = format!("When: {}\n", portcullis_server::notify::format_utc(s.now()));
    for line in [
        when.as_str(),
        &format!("Browser: {browser}\n"),
        &format!("IP address: {ip}\n"),
        if_not,
        "contact your administrator",
    ] {
        assert!(body.contains(line), "{line:?} missing from:\n{body}");
    }
}

async fn remove_key(api: &Api, id: &str) -> Answer<()> {
    let url = api.url(&format!("/api/v1/webauthn/credentials/{id}"));
    Api::read(api.http.delete(url).send().await.unwrap()).await
}

async fn remove_factor(admin: &Api, id: &str, factor: &str) -> Answer<UserDetail> {
    let url = admin.url(&format!("/api/v1/admin/users/{id}/factors/{factor}"));
    Api::read(admin.http.delete(url).send().await.unwrap()).await
}

#[tokio::test]
async fn a_users_own_factor_changes_are_emailed_with_their_browser_and_address() {
    let s = TestServer::start_at_localhost_with(behind_proxy()).await;
    let ivan = browser(&s, FIREFOX_LINUX, "203.0.113.9");
    let answer = ivan.login(IVAN, PASSWORD).await.ok();
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    let at =
        |body: &str, if_not: &str| assert_from(&s, body, "Firefox on Linux", "203.0.113.9", if_not);

    let mut key = SoftKey::new(&s.base);
    register(&ivan, &mut key, Some("YubiKey")).await.ok();
    let added = mail(&s, IVAN, "security_key_added").await;
    at(&added, "If this was not you");
    assert!(added.contains("Key: “YubiKey”"), "{added}");

    let enrollment = ivan.totp_enroll().await.ok();
    ivan.totp_confirm(&s.code(&enrollment.secret, 0)).await.ok();
    at(
        &mail(&s, IVAN, "mfa_setup_complete").await,
        "If this was not you",
    );
    s.next_step();

    ivan.totp_reset(&s.code(&enrollment.secret, 0)).await.ok();
    let reset = mail(&s, IVAN, "authenticator_removed").await;
    at(&reset, "If this was not you");
    assert!(reset.contains("signed in as you"), "{reset}");
    assert!(!reset.contains("administrator removed"), "{reset}");

    let id = keys(&ivan).await[0].id.clone();
    assert_eq!(remove_key(&ivan, &id).await.status, 204);
    let removed = mail(&s, IVAN, "security_key_removed").await;
    at(&removed, "If this was not you");
    assert!(removed.contains("Key: “YubiKey”"), "{removed}");
    assert!(!removed.contains("By: an administrator"), "{removed}");
}

#[tokio::test]
async fn an_administrators_changes_are_emailed_as_theirs_with_their_browser() {
    let s = TestServer::start_at_localhost_with(behind_proxy()).await;
    // Alice: MFA required, an authenticator app and two keys.
    let (alice, _) = s.enrolled(ALICE).await;
    for name in ["Work key", "Home key"] {
        let mut key = SoftKey::new(&s.base);
        register(&alice, &mut key, Some(name)).await.ok();
    }
    let (_, admin_key) = s.admin().await;
    let admin = browser(&s, CHROME_MAC, "198.51.100.7");
    let answer = admin.login(BILLING_ADMIN, PASSWORD).await.ok();
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    admin.login_totp(&s.code(&admin_key, 0)).await.ok();
    s.next_step();
    let at = |body: &str, if_not: &str| {
        assert_from(&s, body, "Chrome on macOS", "198.51.100.7", if_not);
        assert!(body.contains("By: an administrator\n"), "{body}");
    };

    let id = s.user_id(&admin, ALICE).await;
    let detail: UserDetail = admin.get(&format!("/api/v1/admin/users/{id}")).await.ok();
    let work = detail
        .factors
        .iter()
        .find(|f| f.kind == FactorKind::Webauthn && f.label.contains("Work key"))
        .unwrap()
        .id
        .clone();
    remove_factor(&admin, &id, "totp").await.ok();
    let app = mail(&s, ALICE, "authenticator_removed").await;
    at(&app, "If you did not ask for this");
    assert!(app.contains("An administrator removed"), "{app}");

    remove_factor(&admin, &id, &work).await.ok();
    let key = mail(&s, ALICE, "security_key_removed").await;
    at(&key, "If you did not ask for this");
    assert!(key.contains("Key: “Work key”"), "{key}");

    admin.reset_mfa(&id, Some(7)).await.ok();
    let reset = mail(&s, ALICE, "mfa_reset").await;
    at(&reset, "If you did not ask for this");
}
