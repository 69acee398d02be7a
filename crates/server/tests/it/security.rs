//! Security properties across the API: administrators always use MFA, admin
//! changes need a fresh second factor and respect role rank, a login in
//! progress reaches nothing but the login flow, a code is good once even
//! when raced, and the password-stage session id dies with the MFA step.

use portcullis_api::{ErrorCode, LoginResponse, Role};
use portcullis_server::auth::client::Client;
use portcullis_server::auth::create_user;
use portcullis_server::auth::session::{self, NewSession, Proof};
use portcullis_server::rules::resource::Resource;
use reqwest::header::COOKIE;
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, ADMIN, BILLING_ADMIN, PASSWORD};

const ALICE: &str = "alice@example.com";
const CAROL: &str = "carol@example.com";
/// An administrator the tests create, so its authenticator key is known.
const OPS: &str = "ops@example.com";

/// The operations a login in progress may use: the login flow itself.
/// Spelled out one by one, so a route added later is refused by default.
const LOGIN_FLOW: &[(&str, &str)] = &[
    ("post", "/api/v1/login"),
    ("post", "/api/v1/login/totp"),
    ("post", "/api/v1/login/skip-enrollment"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/mfa"),
    ("post", "/api/v1/totp/enroll"),
    ("post", "/api/v1/totp/confirm"),
    ("post", "/api/v1/login/webauthn/start"),
    ("post", "/api/v1/login/webauthn/finish"),
    // Like the password step, a passkey sign-in needs no session.
    ("post", "/api/v1/login/passkey/start"),
    ("post", "/api/v1/login/passkey/finish"),
    ("post", "/api/v1/webauthn/register/start"),
    ("post", "/api/v1/webauthn/register/finish"),
    ("post", "/api/v1/login/push"),
    ("post", "/api/v1/login/push/{id}/wait"),
    ("post", "/api/v1/login/push/{id}/cancel"),
    // A helpdesk's code in place of a lost factor (then only enrollment).
    ("post", "/api/v1/login/temporary-access"),
    // A login that must set up a factor may choose Protect: the link.
    ("post", "/api/v1/protect/enroll"),
    // Like the password step, a one-time link needs no session.
    ("post", "/api/v1/welcome/peek"),
    ("post", "/api/v1/welcome/check"),
    // Asking for and using a reset link needs no session either.
    ("post", "/api/v1/password/forgot"),
    ("post", "/api/v1/password/reset"),
    ("post", "/api/v1/welcome"),
    // An app's sign-in request and sign-out need no session: without a
    // signed-in one they answer "sign in first" or "signed out".
    ("post", "/api/v1/sso/{id}"),
    ("post", "/api/v1/sso/logout"),
    // The organisation's branding is public: the MFA prompt shows its
    // help text.
    ("get", "/api/v1/branding"),
];

/// A user's id, read from the database (the admin API would need an
/// administrator session, which some tests must not create).
async fn user_id(s: &TestServer, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&s.state.db)
        .await
        .unwrap_or_else(|e| panic!("no user {email}: {e}"))
}

/// The value of a `Set-Cookie: portcullis_session=…` header.
fn cookie_value(set_cookie: &str) -> String {
    let rest = set_cookie
        .strip_prefix("portcullis_session=")
        .unwrap_or_else(|| panic!("not the session cookie: {set_cookie}"));
    rest.split(';').next().unwrap().to_string()
}

/// A request carrying exactly this session cookie value (and the CSRF
/// header, as the portal sends it), from a client with no cookies of its own.
async fn with_cookie(
    s: &TestServer,
    method: &str,
    path: &str,
    cookie: &str,
    body: Option<&Value>,
) -> Answer<Value> {
    let api = s.api();
    let mut req = api
        .http
        .request(method.to_uppercase().parse().unwrap(), api.url(path))
        .header(COOKIE, format!("portcullis_session={cookie}"));
    if let Some(body) = body {
        req = req.json(body);
    }
    Api::read(req.send().await.expect("request")).await
}

#[tokio::test]
async fn an_administrators_first_factor_never_comes_from_the_password_alone() {
    let s = TestServer::start().await;
    // A new admin, never required to use MFA: the role alone requires it.
    create_user(&s.state, OPS, "Ops", PASSWORD, Role::Admin)
        .await
        .unwrap();
    for email in [BILLING_ADMIN, OPS] {
        // The password alone: refused in words, and no session at all.
        let answer = s.api().login(email, PASSWORD).await;
        assert!(answer.session_cookie().is_none(), "{email}");
        assert_eq!(
            answer.ok(),
            LoginResponse::Locked {
                message: portcullis_server::login::flow::SETUP_LINK_MESSAGE.to_string()
            },
            "{email}"
        );
        // Nor can a signed-in session proven by the password alone (a user
        // made administrator while signed in, say) bind a factor.
        let cookie = admin_without_second_factor(&s, email).await;
        for path in [
            "/api/v1/totp/enroll",
            "/api/v1/webauthn/register/start",
            "/api/v1/protect/enroll",
        ] {
            let body = json!({ "passkey": false });
            let refused = with_cookie(&s, "post", path, &cookie, Some(&body)).await;
            assert_eq!(refused.status, 403, "{email}: {path}: {:?}", refused.body);
        }

        // A setup link with a wrong password: refused, and the link lives on.
        let token = s.setup_token(email).await;
        let api = s.api();
        assert_eq!(
            api.welcome(&token, "not the password").await.fail(),
            (401, ErrorCode::InvalidCredentials),
            "{email}"
        );
        // The link and the password: the login asks for a factor at once,
        let answer = api.welcome(&token, PASSWORD).await.ok();
        assert_eq!(
            answer,
            LoginResponse::Enroll {
                mandatory: true,
                days_left: None
            },
            "{email}"
        );
        // with no "remind me later" for an administrator,
        assert_eq!(
            api.skip_enrollment().await.fail(),
            (403, ErrorCode::NotAllowedNow),
            "{email}"
        );
        // and no administration before it is set up.
        assert_eq!(
            api.admin_users("").await.fail(),
            (401, ErrorCode::Unauthenticated),
            "{email}"
        );
        s.enroll_app(&api).await;
        assert!(!api.admin_users("").await.ok().users.is_empty());
        // The link worked once.
        assert_eq!(
            s.api().welcome(&token, PASSWORD).await.fail().0,
            404,
            "{email}"
        );
    }
}

/// A session of the administrator `email` that is signed in but proven by
/// the password alone. The login never makes one (administrators always
/// pass a second factor), so it is made directly, to check that the admin
/// routes would refuse it anyway.
async fn admin_without_second_factor(s: &TestServer, email: &str) -> String {
    let id = user_id(s, email).await;
    let mut conn = s.state.db.acquire().await.unwrap();
    let cookie = session::start(
        &mut conn,
        &s.state.settings,
        NewSession {
            user_id: &id,
            signed_in: true,
            proof: Proof::password(s.now()),
            not_after: None,
            client: &Client::new(None, "test"),
            resource: Resource::AdminPortal,
            known_browser: false,
        },
        s.now(),
    )
    .await
    .unwrap();
    cookie.expose().clone()
}

/// Every operation of the served API document whose path starts with `prefix`.
async fn operations_under(s: &TestServer, prefix: &str) -> Vec<(String, String)> {
    let doc: Value = s
        .api()
        .http
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str())
                && path.starts_with(prefix)
            {
                operations.push((method.clone(), path.clone()));
            }
        }
    }
    operations
}

#[tokio::test]
async fn every_admin_route_refuses_users_and_administrators_without_a_second_factor() {
    let s = TestServer::start().await;
    let alice_id = user_id(&s, ALICE).await;
    let operations = operations_under(&s, "/api/v1/admin/").await;
    // Not vacuous: the list, details, bulk, settings and events are walked.
    for must in [
        "/api/v1/admin/users",
        "/api/v1/admin/users/{id}/factors/{factor}",
        "/api/v1/admin/users/bulk",
        "/api/v1/admin/settings",
        "/api/v1/admin/events",
    ] {
        assert!(
            operations.iter().any(|(_, p)| p == must),
            "{must} not walked"
        );
    }
    let login = s.api().login(ALICE, PASSWORD).await;
    let alice_cookie = cookie_value(&login.session_cookie().expect("alice's session"));
    assert!(matches!(login.ok(), LoginResponse::Done { .. }));
    let half_admin = admin_without_second_factor(&s, ADMIN).await;
    for (method, path) in &operations {
        let path = path
            .replace("{id}", &alice_id)
            .replace("{factor}", "totp")
            .replace("{user_id}", &alice_id);
        assert!(!path.contains('{'), "a new path parameter: {path}");
        // Any body: the session is checked before the body is read.
        let body = json!({});
        let body = (method != "get").then_some(&body);
        for (who, cookie, expected) in [
            ("a user", &alice_cookie, ErrorCode::Forbidden),
            (
                "an admin without a second factor",
                &half_admin,
                ErrorCode::MfaRequired,
            ),
        ] {
            let answer = with_cookie(&s, method, &path, cookie, body).await;
            assert_eq!(
                answer.status, 403,
                "{who}: {method} {path}: {:?}",
                answer.body
            );
            assert_eq!(answer.err().code, expected, "{who}: {method} {path}");
        }
    }
}

#[tokio::test]
async fn admin_routes_need_an_administrator_proven_with_a_second_factor() {
    let s = TestServer::start().await;
    let alice_id = user_id(&s, ALICE).await;

    // no session at all
    assert_eq!(
        s.api().admin_users("").await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    // an administrator half logged in (password only)
    let (half_admin, _) = s.password_login(BILLING_ADMIN).await;
    assert_eq!(
        half_admin.admin_users("").await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    assert_eq!(
        half_admin.unlock(&alice_id).await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
    // a signed-in user who is not an administrator
    let (alice, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    assert_eq!(
        alice.admin_users("").await.fail(),
        (403, ErrorCode::Forbidden)
    );
    assert_eq!(
        alice.require_mfa(&alice_id, Some(7)).await.fail(),
        (403, ErrorCode::Forbidden)
    );

    let cookie = admin_without_second_factor(&s, ADMIN).await;
    // the session itself is good...
    assert_eq!(
        with_cookie(&s, "get", "/api/v1/me", &cookie, None)
            .await
            .status,
        200
    );
    // ...but administration needs the second factor
    let list = with_cookie(&s, "get", "/api/v1/admin/users", &cookie, None).await;
    assert_eq!(list.fail(), (403, ErrorCode::MfaRequired));
    let path = format!("/api/v1/admin/users/{alice_id}/require-mfa");
    let body = json!({ "period_days": 7 });
    let change = with_cookie(&s, "post", &path, &cookie, Some(&body)).await;
    assert_eq!(change.fail(), (403, ErrorCode::MfaRequired));
}

#[tokio::test]
async fn admin_changes_need_a_second_factor_from_the_last_ten_minutes() {
    let s = TestServer::start().await;
    let (admin, key) = s.admin().await;
    let alice = user_id(&s, ALICE).await;
    admin.require_mfa(&alice, Some(7)).await.ok();

    s.advance(11 * 60);
    let stale = (403, ErrorCode::ReauthenticationRequired);
    assert_eq!(admin.require_mfa(&alice, Some(7)).await.fail(), stale);
    assert_eq!(admin.reset_mfa(&alice, Some(7)).await.fail(), stale);
    assert_eq!(admin.unlock(&alice).await.fail(), stale);
    // reading changes nothing: the session is still an admin session
    admin.admin_users("").await.ok();

    // a wrong code renews nothing
    assert_eq!(
        admin.verify(&s.wrong_code(&key)).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    assert_eq!(admin.require_mfa(&alice, Some(7)).await.fail(), stale);

    // a right one does
    s.next_step();
    admin.verify(&s.code(&key, 0)).await.ok();
    let user = admin.require_mfa(&alice, Some(7)).await.ok();
    assert!(user.mfa_required);
    admin.unlock(&alice).await.ok();
}

#[tokio::test]
async fn administrators_act_only_on_lower_or_equal_ranks_and_never_on_themselves() {
    let s = TestServer::start().await;
    let (billing, _) = s.admin().await;
    create_user(&s.state, OPS, "Ops", PASSWORD, Role::Admin)
        .await
        .unwrap();
    let (ops, _) = s.enroll_by_link(OPS).await;
    let billing_id = user_id(&s, BILLING_ADMIN).await;
    let ops_id = user_id(&s, OPS).await;
    let grace_id = user_id(&s, ADMIN).await;
    let alice_id = user_id(&s, ALICE).await;

    // The admin's session may make changes: on a user, on another admin.
    ops.unlock(&alice_id).await.ok();
    ops.unlock(&grace_id).await.ok();

    let outranked = (403, ErrorCode::Outranked);
    // an admin on the billing admin, and on themselves
    for target in [&billing_id, &ops_id] {
        assert_eq!(ops.require_mfa(target, Some(7)).await.fail(), outranked);
        assert_eq!(ops.reset_mfa(target, Some(7)).await.fail(), outranked);
        assert_eq!(ops.unlock(target).await.fail(), outranked);
    }
    // the billing admin on themselves
    assert_eq!(
        billing.require_mfa(&billing_id, None).await.fail(),
        outranked
    );
    assert_eq!(
        billing.reset_mfa(&billing_id, Some(7)).await.fail(),
        outranked
    );
    assert_eq!(billing.unlock(&billing_id).await.fail(), outranked);
    // The refused resets removed nothing: the billing admin still signs in
    // with their app (the fixture asserts the code step of the login).
    s.admin().await;

    // the billing admin on an admin
    let user = billing.require_mfa(&ops_id, Some(7)).await.ok();
    assert!(user.mfa_required);
    billing.unlock(&ops_id).await.ok();
    billing.reset_mfa(&ops_id, Some(7)).await.ok();
    // the reset ended the admin's sessions
    assert_eq!(ops.me().await.fail(), (401, ErrorCode::Unauthenticated));
}

#[tokio::test]
async fn a_login_in_progress_reaches_only_the_login_flow() {
    // The walk moves the clock a code step per route: the logins in
    // progress must outlive every route, however many there are.
    let s = TestServer::start_with(portcullis_server::config::Settings {
        partial_session_secs: 3 * 3600,
        session_idle_secs: 3 * 3600,
        ..Default::default()
    })
    .await;
    let (_, key) = s.enrolled(ALICE).await;
    let alice_id = user_id(&s, ALICE).await;

    let operations = operations_under(&s, "").await;
    // The allowed list names real operations (a rename must update it).
    for (method, path) in LOGIN_FLOW {
        assert!(
            operations.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is not in the OpenAPI document"
        );
    }
    // The device and host APIs take no session: a device or host signs
    // its requests (see device_signatures.rs, hosts.rs), so a cookie opens
    // none of it.
    let refused: Vec<&(String, String)> = operations
        .iter()
        .filter(|(m, p)| !LOGIN_FLOW.contains(&(m.as_str(), p.as_str())))
        .filter(|(_, p)| !p.starts_with("/api/device/") && !p.starts_with("/api/host/"))
        .collect();
    // Not vacuous: the portal and admin routes are among them.
    for must in [
        "/api/v1/me",
        "/api/v1/mfa/verify",
        "/api/v1/totp/reset",
        "/api/v1/admin/users",
        "/api/v1/admin/users/{id}/reset-mfa",
    ] {
        assert!(refused.iter().any(|(_, p)| p == must), "{must} not walked");
    }

    // Logins stopped at each kind of step: a code (alice), enrollment in a
    // period (carol), mandatory enrollment (a new administrator).
    create_user(&s.state, OPS, "Ops", PASSWORD, Role::Admin)
        .await
        .unwrap();
    for (email, stage) in [(ALICE, "mfa"), (CAROL, "enroll"), (OPS, "enroll now")] {
        let api = s.api();
        // An administrator's login that sets up the first factor starts
        // with a setup link: a password alone never gets there.
        let answer = if email == OPS {
            api.welcome(&s.setup_token(email).await, PASSWORD).await
        } else {
            api.login(email, PASSWORD).await
        };
        let cookie = cookie_value(&answer.session_cookie().expect("a session cookie"));
        let answer = answer.ok();
        assert!(
            !matches!(
                answer,
                LoginResponse::Done { .. } | LoginResponse::Locked { .. }
            ),
            "{email}: {answer:?}"
        );
        for (method, path) in &refused {
            let path = path
                .replace("{id}", &alice_id)
                .replace("{factor}", "totp")
                .replace("{user_id}", &alice_id);
            assert!(!path.contains('{'), "a new path parameter: {path}");
            // A new step, so the code is valid and unused: only the session
            // check can refuse it.
            s.next_step();
            let body = json!({ "code": s.code(&key, 0), "period_days": 7 });
            let body = (method == "post").then_some(&body);
            let answer = with_cookie(&s, method, &path, &cookie, body).await;
            assert!(
                answer.status == 401 || answer.status == 403,
                "{email} ({stage}): {method} {path} answered {}: {:?}",
                answer.status,
                answer.body
            );
            // The refusal is the rule, not a session that died meanwhile.
            let alive = with_cookie(&s, "get", "/api/v1/mfa", &cookie, None).await;
            assert_eq!(alive.status, 200, "{email}: session ended at {path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_code_raced_from_two_logins_signs_in_once() {
    let s = TestServer::start().await;
    let (_, key) = s.enrolled(ALICE).await;
    let (a, first) = s.password_login(ALICE).await;
    let (b, second) = s.password_login(ALICE).await;
    for answer in [first, second] {
        assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    }
    let code = s.code(&key, 0);
    let (x, y) = tokio::join!(a.login_totp(&code), b.login_totp(&code));
    let winner_is_a = x.status == 200;
    let (won, lost) = if winner_is_a { (x, y) } else { (y, x) };
    assert_eq!(won.status, 200, "neither login succeeded: {won:?} {lost:?}");
    assert_eq!(lost.fail(), (401, ErrorCode::CodeAlreadyUsed));
    let (winner, loser) = if winner_is_a { (a, b) } else { (b, a) };
    winner.me().await.ok();
    // the loser is still only half logged in
    assert_eq!(loser.me().await.fail(), (401, ErrorCode::Unauthenticated));
}

#[tokio::test]
async fn the_password_stage_session_id_dies_when_mfa_completes() {
    let s = TestServer::start().await;
    let (_, key) = s.enrolled(ALICE).await;
    let api = s.api();
    let answer = api.login(ALICE, PASSWORD).await;
    let old = cookie_value(&answer.session_cookie().expect("a session cookie"));
    assert!(matches!(answer.ok(), LoginResponse::Mfa { .. }));
    // Before MFA the id is good for the login flow (so its later 401 is
    // the id's death, not a rule about half sessions).
    assert_eq!(
        with_cookie(&s, "get", "/api/v1/mfa", &old, None)
            .await
            .status,
        200
    );

    let done = api.login_totp(&s.code(&key, 0)).await;
    let new = cookie_value(&done.session_cookie().expect("a new session cookie"));
    assert!(matches!(done.ok(), LoginResponse::Done { .. }));
    assert_ne!(old, new);

    let dead = (401, ErrorCode::Unauthenticated);
    for path in ["/api/v1/mfa", "/api/v1/me"] {
        assert_eq!(
            with_cookie(&s, "get", path, &old, None).await.fail(),
            dead,
            "{path}"
        );
    }
    assert_eq!(
        with_cookie(&s, "get", "/api/v1/me", &new, None)
            .await
            .status,
        200
    );
}
