//! The portal under test: its users, written into the database through the
//! server's library (no route creates users, and one password hash serves
//! them all), and
//! one or two `portcullis-server` processes on it, killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use portcullis_api::Role;
use portcullis_server::app::AppState;
use portcullis_server::auth::{self, password};
use portcullis_server::clock::SystemClock;
use portcullis_server::config::Settings;
use portcullis_server::secret::SecretBox;
use portcullis_server::store;
use portcullis_server::wake::Notifier;
use rand_core::{OsRng, RngCore};

/// Every benchmark user's password.
pub const PASSWORD: &str = "push-bench-password";

/// `push00000@bench.example` and on.
pub fn email(n: usize) -> String {
    format!("push{n:05}@bench.example")
}

/// Adds `count` users with no MFA to the database at `url` (empty: their
/// emails must be free); their emails, in order.
pub async fn seed_users(url: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let db = store::connect(url).await?;
    let wake = Notifier::start(url, &db).await?;
    let state = AppState::new(
        db,
        Arc::new(SystemClock),
        Settings::default(),
        SecretBox::random(),
        wake,
    )?;
    let hash = password::hash(PASSWORD)?;
    let emails: Vec<String> = (0..count).map(email).collect();
    for (n, email) in emails.iter().enumerate() {
        auth::insert_user(&state, email, &format!("Push Bench {n}"), &hash, Role::User)
            .await
            .context("adding the users (the database must be empty)")?;
    }
    state.db.close().await;
    Ok(emails)
}

/// The server binary: `PORTCULLIS_SERVER_BIN`, else the one built beside
/// this example (`target/<profile>/examples/..`).
pub fn server_bin() -> anyhow::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("PORTCULLIS_SERVER_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("portcullis-server"))
        .context("no directory above this example")?;
    if !bin.exists() {
        bail!(
            "{} is missing: build it with the same profile (cargo build -p portcullis-server \
             --bin portcullis-server) or set PORTCULLIS_SERVER_BIN",
            bin.display()
        );
    }
    Ok(bin)
}

struct Instance {
    child: Child,
    log: PathBuf,
}

/// The running instances of one portal.
pub struct Portal {
    instances: Vec<Instance>,
    /// Where each instance answers, `http://127.0.0.1:PORT`.
    pub urls: Vec<String>,
    /// The portal's public URL: the last instance's, so enrollment links
    /// (which name it) send the phones there, while browsers use the first.
    pub public_url: String,
    /// The encryption key every instance shares (base64), for commands run
    /// on the same database.
    pub key: String,
}

fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

impl Portal {
    /// `count` instances on the database at `url`, each with its own data
    /// directory under `dir`, once they all answer.
    pub fn start(bin: &Path, url: &str, count: usize, dir: &Path) -> anyhow::Result<Portal> {
        Portal::start_with(bin, url, count, dir, &[])
    }

    /// The same, each instance with `extra` arguments too.
    pub fn start_with(
        bin: &Path,
        url: &str,
        count: usize,
        dir: &Path,
        extra: &[String],
    ) -> anyhow::Result<Portal> {
        let ports = (0..count)
            .map(|_| free_port())
            .collect::<anyhow::Result<Vec<u16>>>()?;
        let urls: Vec<String> = ports
            .iter()
            .map(|p| format!("http://127.0.0.1:{p}"))
            .collect();
        let public_url = urls.last().cloned().context("no instance")?;
        // Every instance must open what another sealed.
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        let key = STANDARD.encode(key);
        let mut portal = Portal {
            instances: Vec::new(),
            urls: urls.clone(),
            public_url: public_url.clone(),
            key: key.clone(),
        };
        for (i, port) in ports.iter().enumerate() {
            let data = dir.join(format!("instance-{i}"));
            std::fs::create_dir_all(&data)?;
            let log = data.join("server.log");
            let out = std::fs::File::create(&log)?;
            let mut cmd = Command::new(bin);
            // None of the caller's settings leak in.
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("PORTCULLIS_") {
                    cmd.env_remove(name);
                }
            }
            let child = cmd
                .args(["--listen", &format!("127.0.0.1:{port}")])
                .args(["--public-url", &public_url, "--database", url])
                .arg("--data-dir")
                .arg(data.join("data"))
                .arg("--spa-dir")
                .arg(data.join("no-spa"))
                // Every round signs a user in with the password again: the
                // per-account limit (20 in 5 minutes) would refuse them.
                .args(["--logins-per-account", "1000000"])
                .args(extra)
                .env("PORTCULLIS_ENCRYPTION_KEY", &key)
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(out.try_clone()?)
                .stderr(out)
                .spawn()
                .with_context(|| format!("cannot start {}", bin.display()))?;
            // Kept before waiting, so that a failure below still kills it.
            portal.instances.push(Instance { child, log });
            portal.wait_until_up(i, &urls[i])?;
        }
        Ok(portal)
    }

    fn wait_until_up(&mut self, i: usize, url: &str) -> anyhow::Result<()> {
        let http = reqwest::blocking::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        let instance = &mut self.instances[i];
        while Instant::now() < deadline {
            if let Some(status) = instance.child.try_wait()? {
                bail!(
                    "the server exited ({status}):\n{}",
                    std::fs::read_to_string(&instance.log).unwrap_or_default()
                );
            }
            let up = http
                .get(format!("{url}/api/openapi.json"))
                .send()
                .is_ok_and(|r| r.status().is_success());
            if up {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "the server did not answer in 30 s:\n{}",
            std::fs::read_to_string(&instance.log).unwrap_or_default()
        )
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        for instance in &mut self.instances {
            instance.child.kill().ok();
            instance.child.wait().ok();
        }
    }
}
