//! A real server on a real database — a SQLite file in a temp dir, or, when
//! `PORTCULLIS_TEST_POSTGRES` names a PostgreSQL server, a fresh database
//! created on it for this one test — with a manual clock,
//! listening on a loopback port; tests talk to it over HTTP with the typed
//! [`Api`] client. Helpers for the usual set-ups: an administrator with a
//! second factor, a user with an authenticator app.
#![allow(dead_code)] // shared helpers; not every test uses every one

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use portcullis_api::{LoginResponse, TotpEnrollment};
use portcullis_server::app::AppState;
use portcullis_server::clock::{Clock, ManualClock};
use portcullis_server::config::Settings;
use portcullis_server::mfa::totp::{code_at, step_of, STEP_SECS};
use portcullis_server::secret::SecretBox;
use portcullis_server::wake::Notifier;
use portcullis_server::{demo, http, people, store};

use crate::client::Api;

pub const PASSWORD: &str = "correct horse battery";
/// Stands for a precompressed file in the SPA fixture.
pub const PRECOMPRESSED_BR: &[u8] = b"precompressed-brotli-bytes";
/// 2026-11-22T00:00:00Z
pub const T0: i64 = 1_795_305_600;
/// The demo's billing admin and admin.
pub const BILLING_ADMIN: &str = "admin@example.com";
pub const ADMIN: &str = "grace@example.com";

pub struct TestServer {
    pub base: String,
    /// The database this server uses (another instance may open it too).
    pub db_url: String,
    pub clock: ManualClock,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    /// The billing admin's authenticator key, once enrolled.
    admin_key: std::sync::Mutex<Option<String>>,
}

/// The PostgreSQL server the suite runs on, if any (scripts/test starts a
/// throwaway cluster and sets it for the suite's second run).
pub fn postgres_server() -> Option<String> {
    std::env::var("PORTCULLIS_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Which database this run of the suite uses.
pub fn backend() -> store::Backend {
    if postgres_server().is_some() {
        store::Backend::Postgres
    } else {
        store::Backend::Sqlite
    }
}

/// The URL of an empty database for one test: a new SQLite file in `dir`,
/// or a new database on the PostgreSQL server.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match postgres_server() {
        None => store::default_url(dir),
        Some(server) => {
            let template = migrated_template(&server).await;
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            create_database(&server, &format!("{name} TEMPLATE {template}")).await;
            with_database(&server, &name)
        }
    }
}

/// A database with every migration applied, made once per test process,
/// that each test's database is copied from: PostgreSQL copies it in
/// milliseconds, where running the migrations again for each of some 400
/// tests took about a minute of the suite. (The copy still meets the
/// migrator at start, which finds nothing to do.)
async fn migrated_template(server: &str) -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("template_{}", uuid::Uuid::new_v4().simple());
            create_database(server, &name).await;
            let pool = store::connect(&with_database(server, &name))
                .await
                .expect("migrate the template database");
            // No connection may stay open to a database being copied.
            pool.close().await;
            name
        })
        .await
}

async fn create_database(server: &str, what: &str) {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .expect("the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {what}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    admin.close().await.ok();
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let cut = base.rfind('/').expect("a database URL has a path");
    format!("{}/{name}{query}", &base[..cut])
}

/// A page shaped like Trunk's output: an inline module script that loads the app.
pub const SPA_INDEX: &str = r#"<!DOCTYPE html><html><head><script type="module">import init from '/app-0123456789abcdef.js';init();</script></head><body></body></html>"#;

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(Settings::default()).await
    }

    /// A server with these settings; its public origin is set to where it
    /// listens unless the settings name an https one.
    pub async fn start_with(settings: Settings) -> TestServer {
        Self::start_on(settings, "127.0.0.1").await
    }

    /// A server reached at `localhost` rather than an IP address, as
    /// WebAuthn needs (its relying party is a domain name). It still
    /// listens on 127.0.0.1.
    pub async fn start_at_localhost() -> TestServer {
        Self::start_on(Settings::default(), "localhost").await
    }

    /// [`Self::start_at_localhost`] with these settings.
    pub async fn start_at_localhost_with(settings: Settings) -> TestServer {
        Self::start_on(settings, "localhost").await
    }

    async fn start_on(mut settings: Settings, host: &str) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = fresh_database(dir.path()).await;
        let pool = store::connect(&url).await.expect("database");
        let clock = ManualClock::new(T0);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{host}:{}", addr.port());
        if !settings.is_https() {
            settings.public_origin = base.clone();
        }
        let wake = Notifier::start(&url, &pool).await.expect("notifier");
        let state = AppState::new(
            pool,
            Arc::new(clock.clone()),
            settings,
            SecretBox::random(),
            wake,
        )
        .expect("state");
        demo::seed(&state, PASSWORD).await.expect("seed");
        let spa = dir.path().join("spa");
        write_spa_fixture(&spa);
        let router = http::app(state.clone(), Some(spa));
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .ok();
        });
        TestServer {
            base,
            db_url: url,
            clock,
            state,
            dir,
            admin_key: std::sync::Mutex::new(None),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Another instance on this server's database, clock and sealing key
    /// (its own pool and wake-up listener), as behind a load balancer;
    /// returns its base URL. It lives as long as the test's runtime.
    pub async fn second_instance(&self) -> String {
        let pool = store::connect(&self.db_url).await.expect("database");
        let wake = Notifier::start(&self.db_url, &pool)
            .await
            .expect("notifier");
        let state = AppState::new(
            pool,
            Arc::new(self.clock.clone()),
            self.state.settings.as_ref().clone(),
            self.state.secrets.clone(),
            wake,
        )
        .expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = http::app(state, None);
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .ok();
        });
        format!("http://127.0.0.1:{}", addr.port())
    }

    /// A new browser-like client (no cookies yet).
    pub fn api(&self) -> Api {
        Api::new(&self.base)
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance(secs);
    }

    /// Moves the clock to the next TOTP step (a code can be used once per step).
    pub fn next_step(&self) {
        self.clock.advance(STEP_SECS);
    }

    /// The current code of `secret`, `steps_off` steps from now.
    pub fn code(&self, secret: &str, steps_off: i64) -> String {
        code_at(secret, step_of(self.now()) + steps_off).expect("code")
    }

    /// A six-digit code that no step near now accepts for `key`.
    pub fn wrong_code(&self, key: &str) -> String {
        let now = step_of(self.now());
        let near: Vec<String> = (now - 3..=now + 3)
            .map(|step| code_at(key, step).expect("code"))
            .collect();
        (0..1_000_000)
            .map(|n| format!("{n:06}"))
            .find(|c| !near.contains(c))
            .expect("a wrong code")
    }

    /// Signs `email` in with the password; panics unless the answer is `next`.
    pub async fn password_login(&self, email: &str) -> (Api, LoginResponse) {
        let api = self.api();
        let answer = api.login(email, PASSWORD).await.ok();
        (api, answer)
    }

    /// Logs `email` in and enrolls an authenticator app at the enrollment
    /// step the login asks for; returns the signed-in client and the key.
    /// The user must be one the login sends to enrollment.
    pub async fn enroll_at_login(&self, email: &str) -> (Api, String) {
        let (api, answer) = self.password_login(email).await;
        assert!(
            matches!(answer, LoginResponse::Enroll { .. }),
            "{email}: {answer:?}"
        );
        let secret = self.enroll_app(&api).await;
        (api, secret)
    }

    /// Enrolls an authenticator app in this session; returns its key.
    pub async fn enroll_app(&self, api: &Api) -> String {
        let TotpEnrollment { secret, .. } = api.totp_enroll().await.ok();
        let done = api.totp_confirm(&self.code(&secret, 0)).await.ok();
        assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
        self.next_step();
        secret
    }

    /// The token of a new setup link for `email` (as the command line
    /// makes one; it is emailed too).
    pub async fn setup_token(&self, email: &str) -> String {
        let issued = people::add::setup_link_by_email(&self.state, email)
            .await
            .expect("setup link");
        token_of(issued.url.expose())
    }

    /// An account with no factor, through a setup link and its password,
    /// enrolls an authenticator app (how an administrator gets their first
    /// factor); returns the signed-in client and the key.
    pub async fn enroll_by_link(&self, email: &str) -> (Api, String) {
        let token = self.setup_token(email).await;
        let api = self.api();
        let answer = api.welcome(&token, PASSWORD).await.ok();
        assert!(
            matches!(answer, LoginResponse::Enroll { .. }),
            "{email}: {answer:?}"
        );
        let secret = self.enroll_app(&api).await;
        (api, secret)
    }

    /// The demo's billing admin, signed in with a fresh second factor: the
    /// first call enrolls an authenticator app through a setup link, later
    /// calls sign in with a code from it.
    pub async fn admin(&self) -> (Api, String) {
        let known = self.admin_key.lock().expect("lock").clone();
        let (api, key) = match known {
            None => self.enroll_by_link(BILLING_ADMIN).await,
            Some(key) => (self.login_with_code(BILLING_ADMIN, &key).await, key),
        };
        *self.admin_key.lock().expect("lock") = Some(key.clone());
        (api, key)
    }

    /// Signs in a user who has an authenticator app: password, then a code.
    pub async fn login_with_code(&self, email: &str, key: &str) -> Api {
        let (api, answer) = self.password_login(email).await;
        assert!(
            matches!(answer, LoginResponse::Mfa { .. }),
            "{email}: {answer:?}"
        );
        let done = api.login_totp(&self.code(key, 0)).await.ok();
        assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
        self.next_step();
        api
    }

    /// The id of a user, looked up by an administrator client.
    pub async fn user_id(&self, admin: &Api, email: &str) -> String {
        let page = admin.admin_users(&format!("?search={email}")).await.ok();
        page.users
            .into_iter()
            .find(|u| u.email == email)
            .unwrap_or_else(|| panic!("no user {email}"))
            .id
    }

    /// Requires MFA for `email` (period in days, `None`: none) as a fresh admin.
    pub async fn require(&self, email: &str, period_days: Option<u32>) {
        let (admin, _) = self.admin().await;
        let id = self.user_id(&admin, email).await;
        admin.require_mfa(&id, period_days).await.ok();
    }

    /// A user with MFA required and an authenticator app set up, signed in;
    /// returns the client and the key.
    pub async fn enrolled(&self, email: &str) -> (Api, String) {
        self.require(email, Some(7)).await;
        self.enroll_at_login(email).await
    }
}

/// The token of a one-time link (what follows `#`).
pub fn token_of(url: &str) -> String {
    url.split_once('#')
        .expect("a link with a token")
        .1
        .to_string()
}

fn write_spa_fixture(spa: &std::path::Path) {
    std::fs::create_dir_all(spa).expect("spa dir");
    std::fs::write(spa.join("index.html"), SPA_INDEX).expect("index");
    std::fs::write(
        spa.join("app-0123456789abcdef.js"),
        "export default 1;".repeat(100),
    )
    .expect("js");
    std::fs::write(spa.join("app-0123456789abcdef.css"), "body{}".repeat(100)).expect("css");
    // a precompressed copy, as scripts/build-spa writes (marked so tests can
    // tell it from on-the-fly compression)
    std::fs::write(spa.join("app-0123456789abcdef.css.br"), PRECOMPRESSED_BR).expect("br");
    // a file outside the SPA directory, for path traversal tests
    if let Some(parent) = spa.parent() {
        std::fs::write(parent.join("outside-secret.txt"), "do not serve").expect("outside");
    }
}

/// The SPA directory of a server (for tests that add files).
pub fn spa_dir(s: &TestServer) -> PathBuf {
    s.dir.path().join("spa")
}

/// Every header but the date, sorted: for comparing two answers.
pub fn headers_but_date(h: &reqwest::header::HeaderMap) -> Vec<String> {
    let mut v: Vec<_> = h
        .iter()
        .filter(|(k, _)| *k != "date")
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("")))
        .collect();
    v.sort();
    v
}
