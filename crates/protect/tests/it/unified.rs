//! `protect code` against a real portal: in unified mode the enrollment
//! gives the device the authenticator key, and the code it prints passes
//! the login; in separate mode it has no key and says so.

use portcullis_api::protect::DeviceTotp;
use portcullis_api::{
    LoginResponse, MfaSettings, ProtectMode, TotpEnrollment, CSRF_HEADER, CSRF_VALUE,
};
use portcullis_protect::clock::device_now;
use portcullis_protect::totp::code_at;
use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::cli::Phone;
use crate::enroll::{enrolled_phone, link_for};
use crate::server::{Server, PASSWORD};

/// A browser's session of the portal (cookies kept, the CSRF header sent),
/// for the requests this file needs beyond `portal::Browser`'s.
struct Session {
    base: String,
    http: Client,
}

impl Session {
    fn new(server: &Server) -> Session {
        let mut h = HeaderMap::new();
        h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
        Session {
            base: server.base.clone(),
            http: Client::builder()
                .cookie_store(true)
                .default_headers(h)
                .build()
                .unwrap(),
        }
    }

    fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Value) -> T {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .json(&body)
            .send()
            .unwrap();
        let status = resp.status();
        let text = resp.text().unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    }

    fn login(&self, email: &str) -> LoginResponse {
        self.call(
            Method::POST,
            "/api/v1/login",
            json!({ "email": email, "password": PASSWORD }),
        )
    }
}

/// The current code of an authenticator-app key (base32).
fn code_now(secret: &str) -> String {
    let key = DeviceTotp {
        secret: secret.to_string(),
        digits: 6,
        period: 30,
        algorithm: "SHA1".to_string(),
        issuer: "Portcullis".to_string(),
        account: String::new(),
    };
    code_at(&key, device_now()).unwrap().code
}

/// The demo's billing administrator sets up an app through the setup link
/// the demo printed (an administrator's password alone never can) and
/// merges Protect and the authenticator app.
fn merge(server: &Server) {
    let admin = Session::new(server);
    assert!(matches!(
        admin.login("admin@example.com"),
        LoginResponse::Locked { .. }
    ));
    let link = server.demo_setup_link();
    let token = link.split_once('#').unwrap().1;
    let started: LoginResponse = admin.call(
        Method::POST,
        "/api/v1/welcome",
        json!({ "token": token, "password": PASSWORD }),
    );
    assert!(
        matches!(started, LoginResponse::Enroll { .. }),
        "{started:?}"
    );
    let setup: TotpEnrollment = admin.call(Method::POST, "/api/v1/totp/enroll", json!({}));
    let done: LoginResponse = admin.call(
        Method::POST,
        "/api/v1/totp/confirm",
        json!({ "code": code_now(&setup.secret) }),
    );
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    let settings: MfaSettings = admin.call(
        Method::PATCH,
        "/api/v1/admin/settings",
        json!({ "protect_mode": "unified" }),
    );
    assert_eq!(settings.protect_mode, ProtectMode::Unified);
}

#[test]
fn protect_code_in_unified_mode_prints_a_code_the_portal_accepts() {
    let server = Server::start();
    merge(&server);
    let (_, link) = link_for(&server, "alice@example.com");
    let phone = Phone::new();
    let run = phone.run(&["enroll", &link]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("also your authenticator app"),
        "{run:?}"
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(phone.state()).unwrap()).unwrap();
    let secret = saved["totp"]["secret"].as_str().expect("the key is kept");

    let run = phone.run(&["code"]);
    assert_eq!(run.code, 0, "{run:?}");
    let mut lines = run.stdout.lines();
    let code = lines.next().unwrap().to_string();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{run:?}"
    );
    let left = lines.next().unwrap();
    assert!(left.contains("left (account alice@example.com"), "{run:?}");
    assert!(!run.stdout.contains(secret), "the key is never printed");

    // The portal takes it as the login's second factor.
    let login = Session::new(&server);
    match login.login("alice@example.com") {
        LoginResponse::Mfa { factors } => {
            assert!(factors.contains(&portcullis_api::FactorKind::Totp))
        }
        other => panic!("{other:?}"),
    }
    let done: LoginResponse =
        login.call(Method::POST, "/api/v1/login/totp", json!({ "code": code }));
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
}

#[test]
fn protect_code_without_a_key_says_why() {
    let server = Server::start();
    let phone = enrolled_phone(&server, "alice@example.com");
    let run = phone.run(&["code"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "This device has no authenticator key: the organisation enrolls Protect separately"
        ),
        "{run:?}"
    );
    assert!(run.stdout.is_empty(), "{run:?}");
}
