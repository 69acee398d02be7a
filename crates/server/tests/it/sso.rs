//! Single sign-on, as an app (an OpenID Connect relying party) and a
//! browser drive it over HTTP: register the app, authorize, the portal's
//! steps (login, step-up, consent), the code, tokens, userinfo, refresh
//! with rotation and reuse detection, revocation, logout; and the
//! refusals — in words where there is no safe way back, as OAuth errors
//! where there is. An independent relying-party library drives the same
//! provider through the real SPA in `e2e/sso.spec.ts`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portcullis_api::apps::{Id, Uri};
use portcullis_api::{
    App, AppInput, AppPolicy, ConsentAnswer, LoginRequest, LoginResponse, LogoutRequest,
    LogoutStep, MyApp, SignedInApp, SigningAlg, SsoStep,
};
use portcullis_server::sso::jws;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::client::Api;
use crate::fixtures::{TestServer, PASSWORD};

pub(crate) const REDIRECT: &str = "https://wiki.example.com/callback";
pub(crate) const LOGOUT: &str = "https://wiki.example.com/bye";
pub(crate) const VERIFIER: &str = "a-verifier-of-enough-length-for-pkce-0123456789abcdef";

pub(crate) fn input(name: &str, policy: AppPolicy, confidential: bool) -> AppInput {
    AppInput {
        name: name.into(),
        launch_url: "https://wiki.example.com/".into(),
        redirect_uris: vec![Uri(REDIRECT.into())],
        logout_uris: vec![Uri(LOGOUT.into())],
        confidential,
        policy,
        first_party: false,
        signing_alg: SigningAlg::RS256,
        everyone: true,
        groups: vec![],
        users: vec![],
    }
}

pub(crate) async fn register(admin: &Api, app: &AppInput) -> App {
    admin.post("/api/v1/admin/apps", app).await.ok()
}

pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A client that does not follow redirects (as a browser's address bar
/// shows each hop), sharing the cookies of `api`.
pub(crate) fn hops() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

pub(crate) fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.to_string())
}

/// `/oauth2/authorize` with these parameters; the `Location` it answers.
pub(crate) async fn authorize(s: &TestServer, query: &str) -> (u16, String, String) {
    let r = hops()
        .get(s.url(&format!("/oauth2/authorize?{query}")))
        .send()
        .await
        .expect("authorize");
    let status = r.status().as_u16();
    let loc = location(&r);
    (status, loc, r.text().await.unwrap_or_default())
}

pub(crate) fn query(app: &App, state: &str, extra: &str) -> String {
    format!(
        "response_type=code&client_id={}&redirect_uri={}&scope=openid%20profile%20email%20groups&state={state}&nonce=n-{state}&code_challenge={}&code_challenge_method=S256{extra}",
        app.client_id,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(),
        challenge(VERIFIER)
    )
}

/// The request id of a good authorization request.
pub(crate) async fn request(s: &TestServer, app: &App, state: &str, extra: &str) -> String {
    let (status, loc, body) = authorize(s, &query(app, state, extra)).await;
    assert_eq!(status, 303, "{body}");
    loc.strip_prefix("/sso/")
        .expect("on to the portal")
        .to_string()
}

pub(crate) async fn step(api: &Api, id: &str) -> SsoStep {
    api.post_empty(&format!("/api/v1/sso/{id}")).await.ok()
}

pub(crate) async fn ended(api: &Api, id: &str) -> bool {
    api.post_empty::<SsoStep>(&format!("/api/v1/sso/{id}"))
        .await
        .status
        == 404
}

pub(crate) fn redirect_of(step: SsoStep) -> String {
    match step {
        SsoStep::Redirect { url } => url,
        other => panic!("not a redirect: {other:?}"),
    }
}

/// Signs `api`'s session in to the app, consenting when asked; the code.
pub(crate) async fn code_for(s: &TestServer, api: &Api, app: &App, state: &str) -> String {
    let id = request(s, app, state, "").await;
    let mut next = step(api, &id).await;
    if let SsoStep::Consent { .. } = next {
        next = api
            .post(
                &format!("/api/v1/sso/{id}/consent"),
                &ConsentAnswer { allow: true },
            )
            .await
            .ok();
    }
    let url = redirect_of(next);
    assert!(url.starts_with(REDIRECT), "{url}");
    assert_eq!(param(&url, "state").as_deref(), Some(state));
    assert_eq!(param(&url, "iss").as_deref(), Some(s.base.as_str()));
    param(&url, "code").expect("a code")
}

/// `POST /oauth2/token` (or another form endpoint) with Basic credentials
/// when a secret is given.
pub(crate) async fn form(
    base: &str,
    path: &str,
    app: &App,
    secret: Option<&str>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .form(fields);
    match secret {
        Some(sec) => req = req.basic_auth(&app.client_id, Some(sec)),
        None => {
            let mut with_id = fields.to_vec();
            with_id.push(("client_id", &app.client_id));
            req = reqwest::Client::new()
                .post(format!("{base}{path}"))
                .form(&with_id);
        }
    }
    let r = req.send().await.expect("token");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub(crate) async fn exchange(
    base: &str,
    app: &App,
    secret: Option<&str>,
    code: &str,
) -> (u16, Value) {
    form(
        base,
        "/oauth2/token",
        app,
        secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

pub(crate) async fn userinfo(s: &TestServer, access: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(s.url("/oauth2/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .expect("userinfo");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn jwks(s: &TestServer) -> Vec<Value> {
    let keys: Value = reqwest::get(s.url("/oauth2/jwks"))
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    keys["keys"].as_array().cloned().unwrap_or_default()
}

/// Asserts that the request `id` is refused to `api` in words containing
/// `words` (any other step fails).
pub(crate) async fn refused_in_words(api: &Api, id: &str, words: &str) {
    match step(api, id).await {
        SsoStep::Refused { message } => assert!(message.contains(words), "{message}"),
        other => panic!("not refused ({words:?}): {other:?}"),
    }
}

/// Where an authorize request that is refused goes: back to the app (303
/// to its redirect URI). The whole location, for more of its parameters.
pub(crate) async fn refused_to_app(s: &TestServer, query: &str, error: &str) -> String {
    let (status, loc, _) = authorize(s, query).await;
    assert_eq!(status, 303, "{query}");
    assert!(loc.starts_with(REDIRECT), "back to the app: {loc}");
    assert_eq!(param(&loc, "error").as_deref(), Some(error), "{loc}");
    loc
}

/// The step is the consent screen for `app`, which names the email address
/// among what the app may know.
#[track_caller]
pub(crate) fn asks_consent(step: SsoStep, app: &str) {
    match step {
        SsoStep::Consent { app: asked, shares } => {
            assert_eq!(asked, app);
            assert!(
                shares.iter().any(|w| w == "Your email address"),
                "{shares:?}"
            );
        }
        other => panic!("consent was not asked: {other:?}"),
    }
}
#[tokio::test]
async fn an_app_signs_a_user_in_and_keeps_them_with_rotating_refresh_tokens() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let app = register(&admin, &input("Wiki", AppPolicy::SecondFactor, true)).await;
    let secret = app.client_secret.clone().expect("shown once");
    assert!(secret.starts_with("pcsec_"));
    let listed: Vec<App> = admin.get("/api/v1/admin/apps").await.ok();
    assert_eq!(listed[0].client_secret, None, "never again");

    // Discovery names this issuer and its endpoints.
    let disco: Value = reqwest::get(s.url("/.well-known/openid-configuration"))
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(disco["issuer"], Value::from(s.base.as_str()));
    assert_eq!(disco["code_challenge_methods_supported"][0], "S256");

    // A user with an authenticator app, signed in to the portal.
    let (user, _) = s.enrolled("ivan@example.com").await;
    let tiles: Vec<MyApp> = user.get("/api/v1/apps").await.ok();
    assert_eq!(
        tiles.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Wiki"]
    );

    // Single sign-on: the portal session is reused; consent is asked once.
    let id = request(&s, &app, "s1", "").await;
    asks_consent(step(&user, &id).await, "Wiki");
    let url = redirect_of(
        user.post(
            &format!("/api/v1/sso/{id}/consent"),
            &ConsentAnswer { allow: true },
        )
        .await
        .ok(),
    );
    let code = param(&url, "code").expect("code");
    // The request is over: a second answer finds nothing.
    assert!(ended(&user, &id).await);

    let (status, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
    assert_eq!(status, 200, "{tokens}");
    let claims =
        jws::verify(tokens["id_token"].as_str().unwrap(), &jwks(&s).await).expect("signed");
    assert_eq!(claims["iss"], Value::from(s.base.as_str()));
    assert_eq!(claims["aud"], Value::from(app.client_id.as_str()));
    assert_eq!(claims["nonce"], "n-s1");
    assert_eq!(claims["email"], "ivan@example.com");
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(amr, ["pwd", "otp", "mfa"]);
    assert_eq!(claims["acr"], "urn:portcullis:acr:mfa");

    let access = tokens["access_token"].as_str().unwrap().to_string();
    let (status, info) = userinfo(&s, &access).await;
    assert_eq!((status, info["sub"].clone()), (200, claims["sub"].clone()));
    assert_eq!(info["name"], "Ivan Ilic");

    // Consent given once: the next sign-in goes straight back to the app.
    let id = request(&s, &app, "s2", "").await;
    assert!(matches!(step(&user, &id).await, SsoStep::Redirect { .. }));

    // Refresh: new tokens; the used refresh token again revokes the family.
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let refresh = |t: String| {
        let (app, secret, base) = (app.clone(), secret.clone(), s.base.clone());
        async move {
            form(
                &base,
                "/oauth2/token",
                &app,
                Some(&secret),
                &[("grant_type", "refresh_token"), ("refresh_token", &t)],
            )
            .await
        }
    };
    let (status, second) = refresh(first.clone()).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(
        second["refresh_token"],
        Value::from(first.as_str()),
        "rotated"
    );
    let claims2 =
        jws::verify(second["id_token"].as_str().unwrap(), &jwks(&s).await).expect("signed");
    assert_eq!(claims2["auth_time"], claims["auth_time"]);
    let (status, reuse) = refresh(first).await;
    assert_eq!(
        (status, reuse["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = refresh(second["refresh_token"].as_str().unwrap().to_string()).await;
    assert_eq!(status, 400, "the whole family is revoked");
    let (status, _) = userinfo(&s, second["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);

    // "Apps you've signed in to" lists it; revoking ends its tokens.
    let code = code_for(&s, &user, &app, "s3").await;
    let (_, tokens) = exchange(&s.base, &app, Some(&secret), &code).await;
    let mine: Vec<SignedInApp> = user.get("/api/v1/apps/signed-in").await.ok();
    assert_eq!(mine.len(), 1);
    let gone = user
        .http
        .delete(user.url(&format!("/api/v1/apps/signed-in/{}", app.id)))
        .send()
        .await
        .expect("revoke");
    assert_eq!(gone.status().as_u16(), 204);
    let (status, _) = userinfo(&s, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_bound_to_client_uri_and_verifier() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut wiki = input("Wiki", AppPolicy::OrgDefault, true);
    wiki.first_party = true;
    let app = register(&admin, &wiki).await;
    let secret = app.client_secret.clone().unwrap();
    let other = register(&admin, &input("Chat", AppPolicy::OrgDefault, true)).await;
    let (user, _) = s.enrolled("ivan@example.com").await;

    // wrong secret, or none: invalid_client (401)
    let code = code_for(&s, &user, &app, "a").await;
    let (status, e) = exchange(&s.base, &app, Some("pcsec_wrong"), &code).await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let (status, e) = exchange(&s.base, &app, None, &code).await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    // another client's credentials
    let (status, e) = exchange(&s.base, &other, other.client_secret.as_deref(), &code).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    // a wrong verifier, or redirect URI
    let (status, e) = form(
        &s.base,
        "/oauth2/token",
        &app,
        Some(&secret),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "another-verifier-of-enough-length-0123456789abcdefgh",
            ),
        ],
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    let (status, _) = form(
        &s.base,
        "/oauth2/token",
        &app,
        Some(&secret),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://wiki.example.com/other"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 400);
    // Exchanged on another instance, once; a second time revokes the tokens.
    let b = s.second_instance().await;
    let (status, tokens) = exchange(&b, &app, Some(&secret), &code).await;
    assert_eq!(status, 200, "{tokens}");
    let (status, e) = exchange(&s.base, &app, Some(&secret), &code).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    let (status, _) = userinfo(&s, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "tokens of a replayed code are revoked");
    // A code past its minute.
    let code = code_for(&s, &user, &app, "b").await;
    s.advance(61);
    let (status, _) = exchange(&s.base, &app, Some(&secret), &code).await;
    assert_eq!(status, 400);
    // Unknown grant types and garbage.
    let (status, e) = form(
        &s.base,
        "/oauth2/token",
        &app,
        Some(&secret),
        &[("grant_type", "password")],
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, e) = form(
        &s.base,
        "/oauth2/token",
        &app,
        Some(&secret),
        &[("grant_type", "authorization_code")],
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn authorize_refuses_in_words_until_the_app_is_known_then_tells_the_app() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let app = register(&admin, &input("Wiki", AppPolicy::OrgDefault, false)).await;
    assert_eq!(app.client_secret, None, "a public client has no secret");
    // Unknown app, unregistered or missing redirect URI: a page, no redirect.
    for q in [
        "response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fevil.example%2F"
            .to_string(),
        format!(
            "response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fevil.example%2F",
            app.client_id
        ),
        format!("response_type=code&client_id={}", app.client_id),
        format!("client_id={}&client_id=again", app.client_id),
    ] {
        let (status, loc, body) = authorize(&s, &q).await;
        assert_eq!((status, loc.as_str()), (400, ""), "{q}");
        assert!(body.contains("This sign-in cannot go on"), "{body}");
    }
    // Known app and URI: errors go back to it, with state and iss.
    let base = format!(
        "client_id={}&redirect_uri={}&state=xyz",
        app.client_id,
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    for (extra, error) in [
        (
            "&response_type=token&scope=openid",
            "unsupported_response_type",
        ),
        ("&response_type=code&scope=profile", "invalid_scope"),
        ("&response_type=code&scope=openid", "invalid_request"), // public: PKCE needed
        (
            "&response_type=code&scope=openid&code_challenge=abc&code_challenge_method=plain",
            "invalid_request",
        ),
        (
            "&response_type=code&scope=openid&request=eyJ",
            "request_not_supported",
        ),
    ] {
        let (status, loc, _) = authorize(&s, &format!("{base}{extra}")).await;
        assert_eq!(status, 303, "{extra}");
        assert!(loc.starts_with(REDIRECT), "{loc}");
        assert_eq!(param(&loc, "error").as_deref(), Some(error), "{extra}");
        assert_eq!(param(&loc, "state").as_deref(), Some("xyz"));
        assert_eq!(param(&loc, "iss").as_deref(), Some(s.base.as_str()));
    }
    // prompt=none without a session: login_required, to the app.
    let id = request(&s, &app, "p", "&prompt=none").await;
    let url = redirect_of(step(&s.api(), &id).await);
    assert_eq!(param(&url, "error").as_deref(), Some("login_required"));
    // An unknown request id: words.
    assert!(ended(&s.api(), "nonsense").await);
}

#[tokio::test]
async fn the_login_for_an_app_asks_what_its_policy_needs_and_refuses_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let strict = register(&admin, &input("Payroll", AppPolicy::SecondFactor, true)).await;
    // judy has no factor and no requirement: the portal lets her in with the
    // password, the app does not.
    let id = request(&s, &strict, "j", "").await;
    let browser = s.api();
    match step(&browser, &id).await {
        SsoStep::Login { app, .. } => assert_eq!(app, "Payroll"),
        other => panic!("{other:?}"),
    }
    let answer: LoginResponse = browser
        .post(
            "/api/v1/login",
            &LoginRequest {
                email: "judy@example.com".into(),
                password: PASSWORD.into(),
                sso: Some(id.clone()),
            },
        )
        .await
        .ok();
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: true,
            days_left: None
        },
        "set up a factor now, for this app"
    );
    // Signed in to the portal with the password alone (another browser),
    // she is refused by the app in words, and the refusal is an event.
    let (portal, _) = s.password_login("judy@example.com").await;
    let id = request(&s, &strict, "k", "").await;
    refused_in_words(&portal, &id, "Payroll needs a second factor").await;
    // An app not assigned to her.
    let mut only_admins = input("Vault", AppPolicy::OrgDefault, true);
    only_admins.everyone = false;
    only_admins.users = vec![Id(s.user_id(&admin, "ivan@example.com").await)];
    let vault = register(&admin, &only_admins).await;
    let id = request(&s, &vault, "v", "").await;
    refused_in_words(&portal, &id, "do not have access to Vault").await;
    let tiles: Vec<MyApp> = portal.get("/api/v1/apps").await.ok();
    assert_eq!(
        tiles.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Payroll"]
    );
    let refused: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'sso_refused'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(refused, 2);
}

#[tokio::test]
async fn an_app_signs_the_user_out_and_keys_rotate_without_breaking_tokens() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut wiki = input("Wiki", AppPolicy::OrgDefault, true);
    wiki.first_party = true;
    wiki.signing_alg = SigningAlg::ES256;
    let app = register(&admin, &wiki).await;
    let (user, _) = s.enrolled("ivan@example.com").await;
    let code = code_for(&s, &user, &app, "x").await;
    let (_, tokens) = exchange(&s.base, &app, app.client_secret.as_deref(), &code).await;
    let id_token = tokens["id_token"].as_str().unwrap().to_string();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(id_token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "ES256");

    // Rotation: the old key stays published, so the token still verifies.
    assert_eq!(jwks(&s).await.len(), 2);
    portcullis_server::sso::keys::rotate(&s.state)
        .await
        .expect("rotate");
    let keys = jwks(&s).await;
    assert_eq!(keys.len(), 4);
    assert!(jws::verify(&id_token, &keys).is_ok());

    // A sign-out request from elsewhere (no ID token) asks first.
    let out = |q: String, confirmed: bool| {
        let user = user.clone();
        async move {
            user.post::<LogoutStep>(
                "/api/v1/sso/logout",
                &LogoutRequest {
                    query: q,
                    confirmed,
                },
            )
            .await
        }
    };
    let step = out(format!("client_id={}", app.client_id), false)
        .await
        .ok();
    assert_eq!(
        step,
        LogoutStep::Confirm {
            app: Some("Wiki".into())
        }
    );
    // An unregistered address to return to is refused in words.
    let bad = out(
        format!("id_token_hint={id_token}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"),
        false,
    )
    .await;
    assert_eq!(bad.status, 422);
    // With the user's own ID token: signed out, back to the app's address.
    let step = out(
        format!(
            "id_token_hint={id_token}&post_logout_redirect_uri={}&state=bye",
            url::form_urlencoded::byte_serialize(LOGOUT.as_bytes()).collect::<String>()
        ),
        false,
    )
    .await
    .ok();
    assert_eq!(
        step,
        LogoutStep::Done {
            redirect: Some(format!("{LOGOUT}?state=bye"))
        }
    );
    assert_eq!(user.me().await.status, 401);
}

#[tokio::test]
async fn a_session_without_a_second_factor_is_stepped_up_for_an_app_that_needs_one() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let mut payroll = input("Payroll", AppPolicy::SecondFactor, true);
    payroll.first_party = true;
    let app = register(&admin, &payroll).await;
    // Browsers may be trusted: ivan's second login passes the password
    // alone, a session the portal accepts and the app does not.
    let body = serde_json::json!({ "trusted_browser_days": 30 });
    let set = admin
        .http
        .patch(admin.url("/api/v1/admin/settings"))
        .json(&body)
        .send()
        .await
        .expect("settings");
    assert_eq!(set.status().as_u16(), 200);
    let (user, key) = s.enrolled("ivan@example.com").await;
    user.logout().await.ok();
    let first = user.login("ivan@example.com", PASSWORD).await.ok();
    assert!(matches!(first, LoginResponse::Mfa { .. }), "{first:?}");
    let trusted = user
        .post::<LoginResponse>(
            "/api/v1/login/totp",
            &portcullis_api::LoginCodeRequest {
                code: s.code(&key, 0),
                trust_browser: true,
            },
        )
        .await;
    assert_eq!(trusted.status, 200);
    s.next_step();
    user.logout().await.ok();
    let spared = user.login("ivan@example.com", PASSWORD).await.ok();
    assert!(matches!(spared, LoginResponse::Done { .. }), "{spared:?}");

    let id = request(&s, &app, "up", "").await;
    match step(&user, &id).await {
        SsoStep::StepUp { app, factors } => {
            assert_eq!(app, "Payroll");
            assert_eq!(factors, vec![portcullis_api::FactorKind::Totp]);
        }
        other => panic!("{other:?}"),
    }
    // Only the missing factor is asked, in the same session.
    user.verify(&s.code(&key, 0)).await.ok();
    let url = redirect_of(step(&user, &id).await);
    let code = param(&url, "code").expect("code");
    let (_, tokens) = exchange(&s.base, &app, app.client_secret.as_deref(), &code).await;
    let claims =
        jws::verify(tokens["id_token"].as_str().unwrap(), &jwks(&s).await).expect("signed");
    let amr: Vec<&str> = claims["amr"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(amr, ["pwd", "otp", "mfa"]);
}

#[tokio::test]
async fn a_login_for_an_app_names_it_in_pushes_and_the_push_limit_counts_per_app() {
    use crate::push::{push_login, user_with_device};
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let app = register(&admin, &input("Wiki", AppPolicy::OrgDefault, true)).await;
    let (_, device) = user_with_device(&s, "alice@example.com").await;
    // A push for the portal waits; a login for Wiki may still push.
    let (_portal, _) = push_login(&s, "alice@example.com").await;
    let id = request(&s, &app, "push", "").await;
    let browser = s.api();
    let answer: LoginResponse = browser
        .post(
            "/api/v1/login",
            &LoginRequest {
                email: "alice@example.com".into(),
                password: PASSWORD.into(),
                sso: Some(id.clone()),
            },
        )
        .await
        .ok();
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let started: portcullis_api::protect::PushStarted =
        browser.post_empty("/api/v1/login/push").await.ok();
    let pending = device.pending(0).await.ok();
    let push = pending
        .iter()
        .find(|p| p.id == started.id)
        .expect("the app's push");
    assert_eq!(push.resource, "Wiki");
    // A second login for Wiki finds Wiki's one push waiting.
    let again = s.api();
    let id2 = request(&s, &app, "push2", "").await;
    again
        .post::<LoginResponse>(
            "/api/v1/login",
            &LoginRequest {
                email: "alice@example.com".into(),
                password: PASSWORD.into(),
                sso: Some(id2),
            },
        )
        .await
        .ok();
    let refused = again.post_empty::<Value>("/api/v1/login/push").await;
    assert_eq!(refused.status, 429);
}
