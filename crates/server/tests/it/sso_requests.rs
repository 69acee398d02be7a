//! Single sign-on, the parts of a request an app controls and the
//! administrator's side of an app: a public client with PKCE, a new
//! client secret (kept only as a keyed hash), the claims by scope
//! (`email_verified`, `preferred_username`, `groups`), an app assigned to
//! a group, `prompt=login`, `prompt=consent`, `max_age` and `login_hint`,
//! the event log of app changes and sign-ins, and a phishing-resistant
//! app for a user whose only factor is an authenticator app. The browser's
//! side goes over the same API the SPA uses (`/api/v1/sso/{id}`,
//! `/api/v1/login` with the request's id).

use portcullis_api::apps::Id;
use portcullis_api::{
    AdminEvent, App, AppPolicy, ConsentAnswer, EventPage, Group, GroupName, LoginRequest,
    LoginResponse, MyApp, SsoStep,
};
use portcullis_server::sso::jws;
use serde_json::Value;

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, BILLING_ADMIN, PASSWORD};
use crate::sso::{
    asks_consent, authorize, challenge, code_for, ended, exchange, form, input, jwks, param,
    redirect_of, refused_in_words, refused_to_app, register, request, step, userinfo, REDIRECT,
    VERIFIER,
};

/// An authorization request of `app` with this scope (PKCE S256 with
/// [`VERIFIER`]) and extra parameters.
fn scoped(app: &App, state: &str, scope: &str, extra: &str) -> String {
    format!(
        "response_type=code&client_id={}&redirect_uri={}&scope={}&state={state}&code_challenge={}&code_challenge_method=S256{extra}",
        app.client_id,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(),
        url::form_urlencoded::byte_serialize(scope.as_bytes()).collect::<String>(),
        challenge(VERIFIER)
    )
}

/// The request id of a good authorization request with this scope.
async fn scoped_request(s: &TestServer, app: &App, state: &str, scope: &str) -> String {
    let (status, loc, body) = authorize(s, &scoped(app, state, scope, "")).await;
    assert_eq!(status, 303, "{body}");
    loc.strip_prefix("/sso/")
        .expect("on to the portal")
        .to_string()
}

/// The code in a redirect back to the app (after checking it is one).
fn code_of(step: SsoStep) -> String {
    let url = redirect_of(step);
    assert!(url.starts_with(REDIRECT), "{url}");
    param(&url, "code").unwrap_or_else(|| panic!("no code in {url}"))
}

/// The verified claims of a token answer's ID token.
async fn id_claims(s: &TestServer, tokens: &Value) -> Value {
    let token = tokens["id_token"].as_str().expect("an ID token");
    jws::verify(token, &jwks(s).await).expect("signed by the provider")
}

/// The password step of the portal's login for the sign-in request `id`,
/// as the SPA sends it from `/sso/{id}`.
async fn login_for(api: &Api, email: &str, id: &str) -> LoginResponse {
    api.post(
        "/api/v1/login",
        &LoginRequest {
            email: email.into(),
            password: PASSWORD.into(),
            sso: Some(id.to_string()),
        },
    )
    .await
    .ok()
}

/// `POST /oauth2/token` for a code with these extra fields (and no
/// verifier unless given).
async fn exchange_with(
    s: &TestServer,
    app: &App,
    secret: Option<&str>,
    code: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut fields = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    fields.extend_from_slice(extra);
    form(&s.base, "/oauth2/token", app, secret, &fields).await
}

async fn refresh(s: &TestServer, app: &App, secret: Option<&str>, token: &Value) -> (u16, Value) {
    let t = token.as_str().expect("a refresh token");
    form(
        &s.base,
        "/oauth2/token",
        app,
        secret,
        &[("grant_type", "refresh_token"), ("refresh_token", t)],
    )
    .await
}

async fn new_group(admin: &Api, name: &str) -> Group {
    let made: Answer<Group> = admin
        .post("/api/v1/admin/groups", &GroupName { name: name.into() })
        .await;
    assert_eq!(made.status, 201);
    made.ok()
}

/// Adds (`true`) or removes a member of a group through the admin API.
async fn membership(admin: &Api, group: &str, user: &str, add: bool) {
    let method = if add {
        reqwest::Method::PUT
    } else {
        reqwest::Method::DELETE
    };
    let r = admin
        .http
        .request(
            method,
            admin.url(&format!("/api/v1/admin/groups/{group}/members/{user}")),
        )
        .send()
        .await
        .expect("membership");
    assert_eq!(r.status().as_u16(), 200, "{:?}", r.text().await);
}

/// Every event of `kind` in the admin event log, newest first.
async fn events(admin: &Api, kind: &str) -> Vec<AdminEvent> {
    let page: EventPage = admin
        .get(&format!("/api/v1/admin/events?limit=100&kind={kind}"))
        .await
        .ok();
    assert_eq!(page.next_before, None, "one page holds them all");
    page.events
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().expect("a string").to_string())
        .collect()
}

/// Ivan's password and app code again for the request `id`, then the
/// code it ends with exchanged: the ID token's claims.
async fn signs_in_again(
    s: &TestServer,
    user: &Api,
    key: &str,
    app: &App,
    secret: &str,
    id: &str,
) -> Value {
    assert!(matches!(
        login_for(user, "ivan@example.com", id).await,
        LoginResponse::Mfa { .. }
    ));
    let done = user.login_totp(&s.code(key, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    let code = code_of(step(user, id).await);
    let (status, tokens) = exchange(&s.base, app, Some(secret), &code).await;
    assert_eq!(status, 200, "{tokens}");
    id_claims(s, &tokens).await
}

/// A token request refused as `invalid_grant`, its description naming `what`.
#[track_caller]
fn invalid_grant_naming(status: u16, e: &Value, what: &str) {
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert!(
        e["error_description"].as_str().unwrap_or("").contains(what),
        "{e}"
    );
}
#[tokio::test]
async fn a_public_client_signs_in_with_pkce_and_gets_nothing_without_the_right_verifier() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut spa = input("Notes", AppPolicy::OrgDefault, false);
    spa.first_party = true;
    let app = register(&admin, &spa).await;
    assert!(!app.confidential);
    assert_eq!(app.client_secret, None, "a public client has no secret");
    let (user, _) = s.enrolled("ivan@example.com").await;

    // Without a code challenge the request goes back to the app refused.
    let no_pkce = format!(
        "response_type=code&client_id={}&redirect_uri={}&scope=openid&state=np",
        app.client_id,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    refused_to_app(&s, &no_pkce, "invalid_request").await;

    // The code flow with S256: the client id alone, and the verifier.
    let code = code_for(&s, &user, &app, "ok").await;
    let (status, tokens) = exchange(&s.base, &app, None, &code).await;
    assert_eq!(status, 200, "{tokens}");
    let claims = id_claims(&s, &tokens).await;
    assert_eq!(claims["aud"], Value::from(app.client_id.as_str()));
    assert_eq!(claims["nonce"], "n-ok");
    let (status, info) = userinfo(&s, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!((status, info["sub"].clone()), (200, claims["sub"].clone()));
    // Its refresh token works with the client id alone, too.
    let (status, refreshed) = refresh(&s, &app, None, &tokens["refresh_token"]).await;
    assert_eq!(status, 200, "{refreshed}");

    // The same exchange without the verifier: refused (a refusal does not
    // spend the code; only the right verifier below gets tokens for it).
    let code = code_for(&s, &user, &app, "none").await;
    let (status, e) = exchange_with(&s, &app, None, &code, &[]).await;
    invalid_grant_naming(status, &e, "code_verifier");
    // With a wrong verifier (well formed, another one): refused.
    let (status, e) = exchange_with(
        &s,
        &app,
        None,
        &code,
        &[(
            "code_verifier",
            "another-verifier-of-enough-length-0123456789abcdefgh",
        )],
    )
    .await;
    invalid_grant_naming(status, &e, "code_verifier");
    // A public client that sends a secret is no client this provider knows.
    let (status, e) = exchange_with(
        &s,
        &app,
        None,
        &code,
        &[
            ("code_verifier", VERIFIER),
            ("client_secret", "pcsec_guess"),
        ],
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    // Only the right verifier gets tokens for it.
    let (status, tokens) =
        exchange_with(&s, &app, None, &code, &[("code_verifier", VERIFIER)]).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());
}

#[tokio::test]
async fn a_new_client_secret_replaces_the_old_one_and_only_a_hash_is_stored() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut wiki = input("Wiki", AppPolicy::OrgDefault, true);
    wiki.first_party = true;
    let app = register(&admin, &wiki).await;
    let old = app.client_secret.clone().expect("shown once");
    let stored = |id: String| {
        let db = s.state.db.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>("SELECT secret_hash FROM apps WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap()
                .expect("a confidential client has a stored secret")
        }
    };
    let old_hash = stored(app.id.clone()).await;
    let old_random = old.strip_prefix("pcsec_").expect("recognisable prefix");
    assert_ne!(old_hash, old);
    assert!(
        !old_hash.contains(old_random),
        "the secret is not stored: {old_hash}"
    );

    let (user, _) = s.enrolled("ivan@example.com").await;
    let code = code_for(&s, &user, &app, "before").await;
    let (status, before) = exchange(&s.base, &app, Some(&old), &code).await;
    assert_eq!(status, 200, "{before}");

    // The administrator makes a new secret: shown this once.
    let rotated: App = admin
        .post_empty(&format!("/api/v1/admin/apps/{}/secret", app.id))
        .await
        .ok();
    let new = rotated.client_secret.clone().expect("the new secret");
    assert!(new.starts_with("pcsec_"), "{new}");
    assert_ne!(new, old);
    let again: App = admin
        .get(&format!("/api/v1/admin/apps/{}", app.id))
        .await
        .ok();
    assert_eq!(again.client_secret, None, "never shown again");

    // Stored as a new keyed hash, containing neither secret.
    let new_hash = stored(app.id.clone()).await;
    assert_ne!(new_hash, old_hash);
    assert_ne!(new_hash, new);
    assert!(!new_hash.contains(new.strip_prefix("pcsec_").unwrap()));
    assert!(!new_hash.contains(old_random));

    // The old secret stops at once; the new one works, in the Basic header
    // and in the body.
    let code = code_for(&s, &user, &app, "after").await;
    let (status, e) = exchange(&s.base, &app, Some(&old), &code).await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let (status, e) = exchange_with(
        &s,
        &app,
        None,
        &code,
        &[("code_verifier", VERIFIER), ("client_secret", &old)],
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let (status, tokens) = exchange(&s.base, &app, Some(&new), &code).await;
    assert_eq!(status, 200, "{tokens}");
    // A refresh token issued before the new secret: the old secret is
    // refused, the new one refreshes it.
    let (status, e) = refresh(&s, &app, Some(&old), &before["refresh_token"]).await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let (status, e) = form(
        &s.base,
        "/oauth2/token",
        &app,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", before["refresh_token"].as_str().unwrap()),
            ("client_secret", &new),
        ],
    )
    .await;
    assert_eq!(status, 200, "{e}");

    // A public client has no secret to replace.
    let public = register(&admin, &input("Notes", AppPolicy::OrgDefault, false)).await;
    let refused = admin
        .post_empty::<App>(&format!("/api/v1/admin/apps/{}/secret", public.id))
        .await;
    assert_eq!(refused.status, 409);
}

#[tokio::test]
async fn tokens_and_userinfo_carry_email_verified_username_and_groups_by_scope() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut wiki = input("Wiki", AppPolicy::OrgDefault, true);
    wiki.first_party = true;
    let app = register(&admin, &wiki).await;
    let secret = app.client_secret.clone().unwrap();
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let oncall = new_group(&admin, "Oncall").await;
    let eng = new_group(&admin, "Engineering").await;
    new_group(&admin, "Sales").await;
    membership(&admin, &oncall.id, &ivan, true).await;
    membership(&admin, &eng.id, &ivan, true).await;
    let (user, _) = s.enrolled("ivan@example.com").await;

    // openid profile email groups: every claim, in the ID token and userinfo.
    let code = code_for(&s, &user, &app, "all").await;
    let (status, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
    assert_eq!(status, 200, "{tokens}");
    let claims = id_claims(&s, &tokens).await;
    let (status, info) = userinfo(&s, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{info}");
    for c in [&claims, &info] {
        assert_eq!(c["sub"], Value::from(ivan.as_str()));
        assert_eq!(c["email"], "ivan@example.com");
        assert_eq!(c["email_verified"], Value::Bool(true), "{c}");
        assert_eq!(c["preferred_username"], "ivan@example.com", "{c}");
        assert_eq!(c["name"], "Ivan Ilic");
        let mut groups = strings(&c["groups"]);
        groups.sort();
        assert_eq!(groups, ["Engineering", "Oncall"], "only his groups");
    }

    // A group he leaves is gone from the next refresh's tokens.
    membership(&admin, &oncall.id, &ivan, false).await;
    let (status, next) = refresh(&s, &app, Some(&secret), &tokens["refresh_token"]).await;
    assert_eq!(status, 200, "{next}");
    assert_eq!(
        strings(&id_claims(&s, &next).await["groups"]),
        ["Engineering"]
    );
    let (_, info) = userinfo(&s, next["access_token"].as_str().unwrap()).await;
    assert_eq!(strings(&info["groups"]), ["Engineering"]);

    // openid alone: only the subject, none of these.
    let id = scoped_request(&s, &app, "bare", "openid").await;
    let code = code_of(step(&user, &id).await);
    let (status, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["scope"], "openid");
    let claims = id_claims(&s, &tokens).await;
    let (_, info) = userinfo(&s, tokens["access_token"].as_str().unwrap()).await;
    for c in [&claims, &info] {
        assert_eq!(c["sub"], Value::from(ivan.as_str()));
        for absent in [
            "email",
            "email_verified",
            "preferred_username",
            "name",
            "groups",
        ] {
            assert!(c.get(absent).is_none(), "{absent} without its scope: {c}");
        }
    }

    // Each scope brings its own: email without profile or groups.
    let id = scoped_request(&s, &app, "mail", "openid email").await;
    let code = code_of(step(&user, &id).await);
    let (_, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
    let claims = id_claims(&s, &tokens).await;
    assert_eq!(claims["email_verified"], Value::Bool(true));
    assert!(claims.get("preferred_username").is_none(), "{claims}");
    assert!(claims.get("groups").is_none(), "{claims}");
    // profile and groups without email.
    let id = scoped_request(&s, &app, "who", "openid profile groups").await;
    let code = code_of(step(&user, &id).await);
    let (_, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
    let claims = id_claims(&s, &tokens).await;
    assert_eq!(claims["preferred_username"], "ivan@example.com");
    assert_eq!(strings(&claims["groups"]), ["Engineering"]);
    assert!(claims.get("email_verified").is_none(), "{claims}");

    // Discovery lists them.
    let disco: Value = reqwest::get(s.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let supported = strings(&disco["claims_supported"]);
    for c in ["email_verified", "preferred_username", "groups"] {
        assert!(supported.iter().any(|x| x == c), "{c}: {supported:?}");
    }
    assert!(strings(&disco["scopes_supported"]).contains(&"groups".to_string()));
}

#[tokio::test]
async fn an_app_assigned_to_a_group_lets_members_in_and_refuses_others_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let finance = new_group(&admin, "Finance").await;
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    membership(&admin, &finance.id, &ivan, true).await;
    let mut ledger = input("Ledger", AppPolicy::OrgDefault, true);
    ledger.first_party = true;
    ledger.everyone = false;
    ledger.groups = vec![Id(finance.id.clone())];
    let app = register(&admin, &ledger).await;
    assert_eq!(app.groups.len(), 1);
    assert_eq!(app.groups[0].id, finance.id);
    let secret = app.client_secret.clone().unwrap();

    // A member signs in.
    let (user, _) = s.enrolled("ivan@example.com").await;
    let tiles: Vec<MyApp> = user.get("/api/v1/apps").await.ok();
    assert!(tiles.iter().any(|t| t.name == "Ledger"), "{tiles:?}");
    let code = code_for(&s, &user, &app, "member").await;
    let (status, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
    assert_eq!(status, 200, "{tokens}");

    // Someone outside the group: no tile, and refused in words.
    let (judy, _) = s.password_login("judy@example.com").await;
    let tiles: Vec<MyApp> = judy.get("/api/v1/apps").await.ok();
    assert!(tiles.iter().all(|t| t.name != "Ledger"), "{tiles:?}");
    let id = request(&s, &app, "outsider", "").await;
    refused_in_words(&judy, &id, "You do not have access to Ledger").await;
    assert!(ended(&judy, &id).await, "the refused request is over");
    let refused = events(&admin, "sso_refused").await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].resource.as_deref(), Some("Ledger"));
    assert_eq!(
        refused[0].subject_email.as_deref(),
        Some("judy@example.com")
    );
    assert!(
        refused[0].detail.contains("not assigned"),
        "{}",
        refused[0].detail
    );

    // Taken out of the group, the member loses the app: his refresh token
    // is refused and a new sign-in is refused in words.
    membership(&admin, &finance.id, &ivan, false).await;
    let (status, e) = refresh(&s, &app, Some(&secret), &tokens["refresh_token"]).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    let id = request(&s, &app, "former", "").await;
    refused_in_words(&user, &id, "do not have access to Ledger").await;
    assert_eq!(events(&admin, "sso_refused").await.len(), 2);
}

#[tokio::test]
async fn prompt_login_asks_for_the_password_again_despite_a_portal_session() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut wiki = input("Wiki", AppPolicy::OrgDefault, true);
    wiki.first_party = true;
    let app = register(&admin, &wiki).await;
    let secret = app.client_secret.clone().unwrap();
    let (user, key) = s.enrolled("ivan@example.com").await;
    let first_auth = {
        let code = code_for(&s, &user, &app, "sso").await;
        let (_, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
        id_claims(&s, &tokens).await["auth_time"].clone()
    };

    s.advance(5);
    let id = request(&s, &app, "again", "&prompt=login").await;
    match step(&user, &id).await {
        SsoStep::Login { app, .. } => assert_eq!(app, "Wiki"),
        other => panic!("the session was reused: {other:?}"),
    }
    // The portal session itself is untouched, and reused without prompt.
    assert_eq!(user.me().await.status, 200);
    let plain = request(&s, &app, "plain", "").await;
    assert!(matches!(
        step(&user, &plain).await,
        SsoStep::Redirect { .. }
    ));
    // prompt=login with prompt=none is not a combination.
    let both = crate::sso::query(&app, "both", "&prompt=none%20login");
    refused_to_app(&s, &both, "invalid_request").await;

    // The password (and the second factor) again: then on to the app,
    // with the new authentication time.
    let login_at = s.now();
    let claims = signs_in_again(&s, &user, &key, &app, &secret, &id).await;
    assert_eq!(claims["auth_time"], Value::from(login_at));
    assert_ne!(claims["auth_time"], first_auth);
}

#[tokio::test]
async fn max_age_beyond_the_password_asks_for_the_login_again() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut wiki = input("Wiki", AppPolicy::OrgDefault, true);
    wiki.first_party = true;
    let app = register(&admin, &wiki).await;
    let secret = app.client_secret.clone().unwrap();
    let (user, key) = s.enrolled("ivan@example.com").await;

    // Ten minutes after the password (the session is still alive).
    s.advance(600);
    assert_eq!(user.me().await.status, 200);
    // Within max_age: single sign-on.
    let id = request(&s, &app, "hour", "&max_age=3600").await;
    code_of(step(&user, &id).await);
    // Beyond it: the login again; prompt=none says so to the app.
    let id = request(&s, &app, "none", "&max_age=300&prompt=none").await;
    let url = redirect_of(step(&user, &id).await);
    assert_eq!(param(&url, "error").as_deref(), Some("login_required"));
    let id = request(&s, &app, "five", "&max_age=300").await;
    match step(&user, &id).await {
        SsoStep::Login { app, .. } => assert_eq!(app, "Wiki"),
        other => panic!("an old password was accepted: {other:?}"),
    }
    // max_age must be a number of seconds.
    let bad = crate::sso::query(&app, "bad", "&max_age=soon");
    refused_to_app(&s, &bad, "invalid_request").await;

    let login_at = s.now();
    let claims = signs_in_again(&s, &user, &key, &app, &secret, &id).await;
    assert_eq!(claims["auth_time"], Value::from(login_at));
}

#[tokio::test]
async fn prompt_consent_asks_again_for_scopes_already_granted() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    // Not the organisation's own: consent is asked once per scope set.
    let app = register(&admin, &input("Chat", AppPolicy::OrgDefault, true)).await;
    let (user, _) = s.enrolled("ivan@example.com").await;
    code_for(&s, &user, &app, "first").await; // consents
    let id = request(&s, &app, "granted", "").await;
    assert!(
        matches!(step(&user, &id).await, SsoStep::Redirect { .. }),
        "granted once, not asked again"
    );

    let id = request(&s, &app, "ask", "&prompt=consent").await;
    asks_consent(step(&user, &id).await, "Chat");
    // Asked again on the next step until answered.
    assert!(matches!(step(&user, &id).await, SsoStep::Consent { .. }));
    let next: SsoStep = user
        .post(
            &format!("/api/v1/sso/{id}/consent"),
            &ConsentAnswer { allow: true },
        )
        .await
        .ok();
    let code = code_of(next);
    let (status, _) = exchange(&s.base, &app, app.client_secret.as_deref(), &code).await;
    assert_eq!(status, 200);

    // Answered: the next request without the prompt goes straight through.
    let id = request(&s, &app, "later", "").await;
    assert!(matches!(step(&user, &id).await, SsoStep::Redirect { .. }));
    // prompt=consent with prompt=none cannot be: refused to the app.
    let quiet = crate::sso::query(&app, "quiet", "&prompt=consent%20none");
    refused_to_app(&s, &quiet, "invalid_request").await;
}

#[tokio::test]
async fn a_login_hint_longer_than_254_characters_is_refused_as_invalid_request() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let app = register(&admin, &input("Wiki", AppPolicy::OrgDefault, true)).await;
    let longest = format!("{}@example.com", "a".repeat(254 - "@example.com".len()));
    assert_eq!(longest.len(), 254);
    let too_long = format!("a{longest}");
    let hint = |h: &str| {
        format!(
            "&login_hint={}",
            url::form_urlencoded::byte_serialize(h.as_bytes()).collect::<String>()
        )
    };

    let long = crate::sso::query(&app, "long", &hint(&too_long));
    let loc = refused_to_app(&s, &long, "invalid_request").await;
    assert!(
        param(&loc, "error_description")
            .unwrap_or_default()
            .contains("login_hint"),
        "{loc}"
    );
    assert_eq!(param(&loc, "state").as_deref(), Some("long"));
    assert_eq!(param(&loc, "iss").as_deref(), Some(s.base.as_str()));

    // 254 characters are taken, and the login page is given the hint.
    let id = request(&s, &app, "ok", &hint(&longest)).await;
    match step(&s.api(), &id).await {
        SsoStep::Login { app, login_hint } => {
            assert_eq!(app, "Wiki");
            assert_eq!(login_hint.as_deref(), Some(longest.as_str()));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn app_changes_and_each_sso_sign_in_are_in_the_event_log() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut wiki = input("Wiki", AppPolicy::OrgDefault, true);
    wiki.first_party = true;
    let app = register(&admin, &wiki).await;
    let mut chat = input("Chat", AppPolicy::OrgDefault, true);
    chat.first_party = true;
    let chat = register(&admin, &chat).await;
    wiki.policy = AppPolicy::SecondFactor;
    let changed: App = {
        let r = admin
            .http
            .put(admin.url(&format!("/api/v1/admin/apps/{}", app.id)))
            .json(&wiki)
            .send()
            .await
            .expect("change");
        Api::read(r).await.ok()
    };
    assert_eq!(changed.policy, AppPolicy::SecondFactor);
    let _: App = admin
        .post_empty(&format!("/api/v1/admin/apps/{}/secret", app.id))
        .await
        .ok();
    let removed = admin
        .http
        .delete(admin.url(&format!("/api/v1/admin/apps/{}", chat.id)))
        .send()
        .await
        .expect("remove");
    assert_eq!(removed.status().as_u16(), 204);

    let changes = events(&admin, "admin_app_changed").await;
    let mut details: Vec<&str> = changes.iter().map(|e| e.detail.as_str()).collect();
    details.reverse(); // oldest first
    assert_eq!(details.len(), 5, "{details:?}");
    assert!(
        details[0].contains("registered the app Wiki"),
        "{details:?}"
    );
    assert!(
        details[1].contains("registered the app Chat"),
        "{details:?}"
    );
    assert!(details[2].contains("changed the app Wiki"), "{details:?}");
    assert!(
        details[3].contains("new client secret for the app Wiki"),
        "{details:?}"
    );
    assert!(details[4].contains("removed the app Chat"), "{details:?}");
    for e in &changes {
        assert_eq!(e.actor_kind, "admin");
        assert_eq!(e.actor_email.as_deref(), Some(BILLING_ADMIN));
    }

    // Each sign-in to an app is an event naming it.
    assert!(events(&admin, "sso_sign_in").await.is_empty());
    let mut notes = input("Notes", AppPolicy::OrgDefault, true);
    notes.first_party = true;
    let notes = register(&admin, &notes).await;
    let (user, _) = s.enrolled("ivan@example.com").await;
    code_for(&s, &user, &app, "w1").await;
    code_for(&s, &user, &app, "w2").await;
    code_for(&s, &user, &notes, "n1").await;
    let sign_ins = events(&admin, "sso_sign_in").await;
    let named: Vec<(Option<&str>, Option<&str>)> = sign_ins
        .iter()
        .rev()
        .map(|e| (e.resource.as_deref(), e.subject_email.as_deref()))
        .collect();
    assert_eq!(
        named,
        [
            (Some("Wiki"), Some("ivan@example.com")),
            (Some("Wiki"), Some("ivan@example.com")),
            (Some("Notes"), Some("ivan@example.com")),
        ]
    );
    assert!(
        sign_ins[0].detail.contains("signed in to Notes"),
        "{}",
        sign_ins[0].detail
    );
    // A refusal is no sign-in.
    let (judy, _) = s.password_login("judy@example.com").await;
    let id = request(&s, &app, "j", "").await;
    assert!(matches!(step(&judy, &id).await, SsoStep::Refused { .. }));
    assert_eq!(events(&admin, "sso_sign_in").await.len(), 3);
}

#[tokio::test]
async fn a_phishing_resistant_app_refuses_a_user_whose_only_factor_is_an_authenticator_app() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut vault = input("Vault", AppPolicy::PhishingResistant, true);
    vault.first_party = true;
    let app = register(&admin, &vault).await;
    let mut wiki = input("Wiki", AppPolicy::SecondFactor, true);
    wiki.first_party = true;
    let wiki = register(&admin, &wiki).await;
    let (user, key) = s.enrolled("ivan@example.com").await;

    // His session passed an authenticator app: enough for a second-factor
    // app, not for Vault, and he has nothing Vault accepts to step up with.
    code_for(&s, &user, &wiki, "wiki").await;
    let id = request(&s, &app, "vault", "").await;
    refused_in_words(&user, &id, "Vault needs a security key or passkey").await;
    assert!(ended(&user, &id).await);
    let refused = events(&admin, "sso_refused").await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].resource.as_deref(), Some("Vault"));
    assert!(
        refused[0].detail.contains("security key or passkey"),
        "{}",
        refused[0].detail
    );

    // A fresh login for Vault does not offer his authenticator app: it
    // asks him to set up a key, and a code from the app does not pass.
    let browser = s.api();
    let id = request(&s, &app, "fresh", "").await;
    assert_eq!(
        login_for(&browser, "ivan@example.com", &id).await,
        LoginResponse::Enroll {
            mandatory: true,
            days_left: None
        }
    );
    let code = browser.login_totp(&s.code(&key, 0)).await;
    assert_ne!(
        code.status, 200,
        "a code from the app is not Vault's factor"
    );
    assert!(
        !matches!(step(&browser, &id).await, SsoStep::Redirect { .. }),
        "no way to Vault without a key"
    );
}
