//! The binary itself, as `cargo test` builds it (without the `test-clock`
//! feature, like a release): `create-admin` for the first admin of a real
//! deployment, no fake clock anywhere, and the files it creates readable by
//! the owner only with the TOTP keys sealed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use portcullis_api::{ErrorCode, LoginResponse};
use portcullis_server::auth::throttle::{self, CONSECUTIVE_CAP};
use portcullis_server::mfa::totp::{code_at, step_of};
use sqlx::sqlite::SqliteConnectOptions;

use crate::client::Api;

const BIN: &str = env!("CARGO_BIN_EXE_portcullis-server");

/// The binary with `args`, with none of the caller's `PORTCULLIS_*`
/// settings leaking in.
fn portcullis(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PORTCULLIS_") {
            c.env_remove(name);
        }
    }
    c
}

fn create_admin(dir: &Path, email: &str, extra: &[&str]) -> Output {
    portcullis(&["create-admin", "--email", email, "--name", "First Admin"])
        .args(extra)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run portcullis-server")
}

/// The token of the one-time link a command printed.
fn printed_token(out: &Output) -> String {
    let said = text(&out.stdout);
    let link = said
        .split_whitespace()
        .find(|w| w.contains("/welcome#"))
        .unwrap_or_else(|| panic!("no link in {said}"));
    link.split_once('#').unwrap().1.to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The database of a data dir, opened read-only: the test must not change
/// the files it inspects (the server's own `connect` would fix their modes).
async fn read_only_db(data: &Path) -> sqlx::SqlitePool {
    let opts = SqliteConnectOptions::new()
        .filename(data.join("portcullis.db"))
        .read_only(true);
    sqlx::SqlitePool::connect_with(opts).await.unwrap()
}

/// A server process on a loopback port; killed (SIGKILL) when dropped.
pub struct Running {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Running {
    /// Starts `portcullis-server serve` on `data` with `args` and waits until
    /// it answers.
    pub async fn start(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let log = data.with_extension(format!("{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let listen = format!("127.0.0.1:{port}");
        let spa = data.with_extension("no-spa-here");
        let child = portcullis(&["--listen", &listen])
            .arg("--data-dir")
            .arg(data)
            .arg("--spa-dir")
            .arg(&spa)
            .args(args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start portcullis-server");
        let mut running = Running {
            child,
            base: format!("http://{listen}"),
            log,
        };
        running.wait_until_up().await;
        running
    }

    /// Polls until the process answers: it needs a moment to open the
    /// database and bind. Bounded, and fails at once if the process exits.
    async fn wait_until_up(&mut self) {
        let http = reqwest::Client::new();
        let url = format!("{}/api/openapi.json", self.base);
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the server exited ({status}): {}", self.log_text());
            }
            if let Ok(r) = http.get(&url).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not answer: {}", self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn api(&self) -> Api {
        Api::new(&self.base)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[tokio::test]
async fn create_admin_makes_an_invited_admin_once_and_prints_their_link() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let out = create_admin(&data, "Boss@Example.org", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("Created boss@example.org"), "{said}");
    assert_eq!(printed_token(&out).len(), 43, "256 random bits");
    let billing = create_admin(&data, "money@example.org", &["--billing"]);
    assert!(billing.status.success(), "{}", text(&billing.stderr));
    assert_ne!(printed_token(&out), printed_token(&billing));

    let db = read_only_db(&data).await;
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT email, role, password_hash FROM users ORDER BY email")
            .fetch_all(&db)
            .await
            .unwrap();
    // Only a hash of each link is kept, never the link itself.
    let hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM user_links")
        .fetch_all(&db)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(
        rows,
        vec![
            ("boss@example.org".into(), "admin".into(), String::new()),
            (
                "money@example.org".into(),
                "billing_admin".into(),
                String::new()
            ),
        ],
        "invited: no password until they choose one"
    );
    assert_eq!(hashes.len(), 2);
    assert!(!hashes.contains(&printed_token(&out)));

    // Once: the email is taken now, whatever its case.
    let again = create_admin(&data, "BOSS@example.org", &[]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("exists already"));
}

#[test]
fn create_admin_refuses_bad_input_with_a_message() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let bad = create_admin(&data, "not-an-email", &[]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("email address"));
    let nameless = portcullis(&["create-admin", "--email", "boss@example.org", "--name", " "])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!nameless.status.success());
    assert!(text(&nameless.stderr).contains("name"));
}

#[tokio::test]
async fn the_release_binary_has_no_fake_clock() {
    let help = portcullis(&["--help"]).output().unwrap();
    assert!(help.status.success());
    let help = text(&help.stdout);
    assert!(help.contains("--data-dir"), "{help}");
    assert!(!help.contains("fake-clock"), "{help}");
    assert!(!help.contains("FAKE_CLOCK"), "{help}");

    // The flag is unknown to the parser. (`--help` after it would make a
    // build that knows the flag exit 0 at once instead of serving.)
    let flag = portcullis(&["--fake-clock", "--help"]).output().unwrap();
    assert_eq!(flag.status.code(), Some(2), "clap's usage error");
    assert!(
        text(&flag.stderr).contains("unexpected argument '--fake-clock'"),
        "{}",
        text(&flag.stderr)
    );

    // Nor is there a route, even with the environment variable set.
    let root = tempfile::tempdir().unwrap();
    let server = Running::start(
        &root.path().join("data"),
        &[],
        &[("PORTCULLIS_FAKE_CLOCK", "true")],
    )
    .await;
    let api = server.api();
    let read = api.get::<serde_json::Value>("/api/test/clock").await;
    assert_eq!(read.fail(), (404, ErrorCode::NotFound));
    let moved = api
        .post::<serde_json::Value>("/api/test/clock", &serde_json::json!({ "seconds": 86400 }))
        .await;
    assert_eq!(moved.fail(), (404, ErrorCode::NotFound));
}

#[tokio::test]
async fn the_data_dir_is_private_and_totp_keys_are_sealed() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let files = ["portcullis.db", "encryption.key"];

    // The demo: three users with an authenticator app.
    let demo = Running::start(&data, &["--demo"], &[]).await;
    assert_eq!(mode(&data), 0o700);
    for f in files {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    let bob = demo.api().login("bob@example.com", "portcullis-demo").await;
    assert!(matches!(bob.ok(), LoginResponse::Mfa { .. }));
    drop(demo);

    // An administrator made on the command line chooses a password and
    // enrolls an app through the printed link (on the real clock: the code
    // is for the current step, which the server accepts with one step of
    // skew). Until then there is no setup link to make: the invitation is it.
    let made = create_admin(&data, "boss@example.org", &[]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let early = setup_link(&data, "boss@example.org");
    assert!(!early.status.success());
    assert!(
        text(&early.stderr).contains("invitation"),
        "{}",
        text(&early.stderr)
    );
    let server = Running::start(&data, &[], &[]).await;
    let boss = server.api();
    let answer = boss
        .welcome(&printed_token(&made), "a long passphrase")
        .await
        .ok();
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: true,
            days_left: None
        }
    );
    let key = boss.totp_enroll().await.ok().secret;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = code_at(&key, step_of(now)).unwrap();
    assert!(matches!(
        boss.totp_confirm(&code).await.ok(),
        LoginResponse::Done { .. }
    ));
    drop(server);
    // With a factor, there is no setup link to make.
    let late = setup_link(&data, "boss@example.org");
    assert!(!late.status.success());
    assert!(
        text(&late.stderr).contains("has a second factor"),
        "{}",
        text(&late.stderr)
    );

    assert_eq!(mode(&data), 0o700);
    // Every file in it, SQLite's journal files included.
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    let db = read_only_db(&data).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret FROM totp_factors")
        .fetch_all(&db)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(stored.len(), 4, "bob, frank, grace and the new admin");
    for s in &stored {
        assert!(s.starts_with("x1:"), "not sealed: {s}");
    }
    // The key handed to the app is nowhere in the database's files.
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
            "the plain key is in {}",
            path.display()
        );
    }
}

#[test]
fn a_bad_database_url_is_reported_without_its_password() {
    let root = tempfile::tempdir().unwrap();
    for (url, says) in [
        (
            "mysql://app:hunter2@127.0.0.1/p",
            "use sqlite://FILE or postgres://",
        ),
        (
            "postgres://app:hunter2@127.0.0.1:1/p",
            "cannot open database",
        ),
    ] {
        let out = portcullis(&["--database", url, "--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(root.path())
            .stdin(Stdio::null())
            .output()
            .expect("run portcullis-server");
        assert!(!out.status.success(), "{url}");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{url}: {err}");
        assert!(err.contains("app:***@127.0.0.1"), "{url}: {err}");
        assert!(!err.contains("hunter2"), "{url}: {err}");
    }
}

/// A free loopback port (free when asked: nothing else here binds it).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn help_never_shows_the_value_of_a_secret_environment_variable() {
    let secrets = [
        ("PORTCULLIS_DATABASE_URL", "postgres://app:db-secret-1@db/p"),
        ("PORTCULLIS_SMTP_URL", "smtp://mail:smtp-secret-2@mx:587"),
        ("PORTCULLIS_DEMO_PASSWORD", "demo-secret-3"),
        ("PORTCULLIS_METRICS_TOKEN", "metrics-secret-4"),
        ("PORTCULLIS_ENCRYPTION_KEY", "key-secret-5"),
        ("PORTCULLIS_ENCRYPTION_KEY_FILE", "/keys/key-file-secret-6"),
    ];
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["create-admin", "--help"],
    ] {
        let out = portcullis(args)
            .envs(secrets.iter().copied())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        let help = text(&out.stdout) + &text(&out.stderr);
        for (name, value) in secrets {
            assert!(!help.contains(value), "{args:?} shows {name}: {help}");
        }
        // The options are there, with the variables' names.
        for name in [
            "PORTCULLIS_DATABASE_URL",
            "PORTCULLIS_SMTP_URL",
            "PORTCULLIS_METRICS_TOKEN",
        ] {
            assert!(help.contains(name), "{args:?}: {name}: {help}");
        }
    }
    // An ordinary setting's value is still shown (the hiding is per option).
    let out = portcullis(&["--help"])
        .env("PORTCULLIS_MAIL_FROM", "Ops <ops@example.org>")
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("ops@example.org"));
}

fn setup_link(data: &Path, email: &str) -> Output {
    portcullis(&["setup-link", "--email", email])
        .arg("--data-dir")
        .arg(data)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn setup_link_says_why_it_makes_none() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let out = setup_link(&data, "nobody@example.org");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no user with the email nobody@example.org"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_demo_refuses_an_address_other_machines_reach() {
    let root = tempfile::tempdir().unwrap();
    for listen in ["0.0.0.0:0", "192.0.2.10:8080", "[::]:0"] {
        let out = portcullis(&["--demo", "--listen", listen])
            .arg("--data-dir")
            .arg(root.path().join("data"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{listen}");
        let err = text(&out.stderr);
        assert!(
            err.contains("--demo refuses to listen on")
                && err.contains("passwords are public")
                && err.contains("--demo-on-public-address"),
            "{listen}: {err}"
        );
    }
    // Refused before anything was created.
    assert!(!root.path().join("data").exists());
}

#[tokio::test]
async fn the_demo_listens_on_a_public_address_when_told_to() {
    let root = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = portcullis(&["--demo", "--demo-on-public-address"])
        .arg("--listen")
        .arg(format!("0.0.0.0:{port}"))
        .arg("--data-dir")
        .arg(root.path().join("data"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let mut up = false;
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if reqwest::get(&url).await.is_ok_and(|r| r.status() == 200) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().ok();
    let out = child.wait_with_output().unwrap();
    assert!(up, "{}", text(&out.stderr));
}

#[tokio::test]
async fn metrics_listen_serves_metrics_on_its_own_address_only() {
    let root = tempfile::tempdir().unwrap();
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = Running::start(
        &root.path().join("data"),
        &["--metrics-listen", &metrics],
        &[],
    )
    .await;
    let resp = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("# TYPE portcullis_logins_total counter"),
        "{body}"
    );
    // Only /metrics there.
    let other = reqwest::get(format!("http://{metrics}/api/v1/me"))
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    // Not on the main address, which has no token.
    let main = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(main.status(), 404);
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn log_format_json_writes_one_json_object_per_line() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let server = Running::start(&data, &["--log-format", "json"], &[]).await;
    // At `warn` (as `Running` starts it) the missing SPA is logged.
    let log = server.log_text();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let spa = lines
        .iter()
        .find(|l| l["fields"]["message"] == "no built SPA here: only the API is served")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(spa["level"], "WARN");
    drop(server);

    let bad = portcullis(&["--log-format", "xml", "create-admin"])
        .args(["--email", "x@example.org", "--name", "X"])
        .arg("--data-dir")
        .arg(&data)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("[possible values: text, json]"));
}

#[tokio::test]
async fn unlock_lifts_a_suspension_from_the_command_line_and_says_what_it_did() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let made = create_admin(&data, "boss@example.org", &[]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    {
        let server = Running::start(&data, &[], &[]).await;
        let chosen = server
            .api()
            .welcome(&printed_token(&made), "a long passphrase")
            .await
            .ok();
        assert!(matches!(chosen, LoginResponse::Enroll { .. }), "{chosen:?}");
    }
    // A hundred wrong passwords in a row, counted as the server counts
    // them (a minute apart, in the past: each waits out the last delay).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let db = portcullis_server::store::connect(&portcullis_server::store::default_url(&data))
        .await
        .unwrap();
    let counter = throttle::password_account("boss@example.org");
    for i in 0..CONSECUTIVE_CAP {
        let at = now - (CONSECUTIVE_CAP - i) * 61;
        throttle::begin_attempt(&db, std::slice::from_ref(&counter), at)
            .await
            .unwrap();
    }
    db.close().await;

    let server = Running::start(&data, &[], &[]).await;
    let boss = server.api();
    let refused = boss.login("boss@example.org", "a long passphrase").await;
    assert_eq!(refused.fail(), (423, ErrorCode::Suspended));

    // The only administrator is the one suspended: the operator unlocks.
    let out = portcullis(&["unlock", "--email", "Boss@Example.org"])
        .arg("--data-dir")
        .arg(&data)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("Unlocked boss@example.org"), "{said}");
    assert!(said.contains("password: 100"), "{said}");
    assert!(said.contains("suspension"), "{said}");

    // The password is taken again (an administrator with no factor is
    // sent to their setup link, which `setup-link` makes).
    let answer = boss
        .login("boss@example.org", "a long passphrase")
        .await
        .ok();
    assert!(matches!(answer, LoginResponse::Locked { .. }), "{answer:?}");
    let link = setup_link(&data, "boss@example.org");
    assert!(link.status.success(), "{}", text(&link.stderr));
    let answer = boss
        .welcome(&printed_token(&link), "a long passphrase")
        .await
        .ok();
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");

    // An unknown email is said so, and nothing is done.
    let out = portcullis(&["unlock", "--email", "nobody@example.org"])
        .arg("--data-dir")
        .arg(&data)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("no user with the email nobody@example.org"),
        "{err}"
    );
}
