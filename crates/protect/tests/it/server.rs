//! A `portcullis-server --demo` process on a loopback port, killed when
//! dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

pub const PASSWORD: &str = "protect-test-password";

/// The server binary: `PORTCULLIS_SERVER_BIN`, or the workspace's own next
/// to `protect`. Another package's binary is not built for this one's
/// tests: `cargo test --workspace` builds it anyway (the server's tests need
/// it), and it is used when newer than the server's sources; otherwise
/// cargo builds it here (alone, cargo may pick other dependency features
/// than in a workspace build, hence not every time).
fn server_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        if let Some(bin) = std::env::var_os("PORTCULLIS_SERVER_BIN") {
            return root.join(bin);
        }
        let dir = Path::new(env!("CARGO_BIN_EXE_protect")).parent().unwrap();
        let bin = dir.join("portcullis-server");
        let sources = [
            "Cargo.lock",
            "crates/api/Cargo.toml",
            "crates/api/src",
            "crates/server/Cargo.toml",
            "crates/server/src",
            "crates/server/migrations",
        ]
        .map(|p| newest(&root.join(p)));
        let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
        if built.is_some_and(|b| sources.iter().all(|s| *s <= b)) {
            return bin;
        }
        let profile = match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "portcullis-server"])
            .args(["--bin", "portcullis-server", "--profile", profile])
            .current_dir(&root)
            .status()
            .expect("run cargo to build portcullis-server");
        assert!(status.success(), "building portcullis-server failed");
        bin
    })
}

/// The latest modification time of a file or of the files under a folder.
fn newest(path: &Path) -> SystemTime {
    let meta = std::fs::metadata(path).unwrap();
    let mut latest = meta.modified().unwrap();
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            latest = latest.max(newest(&entry.unwrap().path()));
        }
    }
    latest
}

pub struct Server {
    child: Child,
    /// Where this instance answers; also what its enrollment links name,
    /// unless it was started with another `--public-url`.
    pub base: String,
    log: PathBuf,
    _data: tempfile::TempDir,
}

/// A free loopback port (free a moment ago).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `PORTCULLIS_TEST_POSTGRES` (set by scripts/pg-cluster): a PostgreSQL
/// server to run the suite on instead of SQLite.
pub fn postgres_server() -> Option<String> {
    std::env::var("PORTCULLIS_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A new, empty database on the test PostgreSQL server (made with psql, to
/// keep a database driver out of this crate); its URL.
pub fn fresh_postgres_database(server: &str) -> String {
    // Named by process and a count within it, not by a free port: a port
    // free a moment ago can be handed to another test running at once (it
    // was, once, and the second CREATE DATABASE failed).
    static MADE: AtomicU32 = AtomicU32::new(0);
    let n = MADE.fetch_add(1, Ordering::Relaxed);
    let name = format!("protect_{}_{n}", std::process::id());
    let status = Command::new("psql")
        .args([server, "-q", "-c", &format!("CREATE DATABASE {name}")])
        .stdout(Stdio::null())
        .status()
        .expect("run psql");
    assert!(status.success(), "CREATE DATABASE {name} failed");
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let prefix = &base[..base.rfind('/').unwrap()];
    match query {
        "" => format!("{prefix}/{name}"),
        q => format!("{prefix}/{name}?{q}"),
    }
}

/// The same on every instance of one database: the key that seals TOTP
/// keys at rest (base64 of 32 bytes).
const SHARED_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

impl Server {
    /// A demo portal on a fresh database (SQLite, or PostgreSQL when the
    /// suite runs on it).
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// The same with more flags (`--fake-clock`).
    pub fn start_with(extra: &[&str]) -> Server {
        let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
        if let Some(pg) = postgres_server() {
            args.extend(["--database".to_string(), fresh_postgres_database(&pg)]);
        }
        Server::launch(free_port(), &args)
    }

    /// `portcullis-server --demo` on `port` with `args`, once it answers.
    pub fn launch(port: u16, args: &[String]) -> Server {
        let data = tempfile::tempdir().unwrap();
        let log = data.path().join("server.log");
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(server_bin());
        // None of the caller's settings leak in.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("PORTCULLIS_") {
                cmd.env_remove(name);
            }
        }
        let child = cmd
            .args(["--demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data.path().join("data"))
            .arg("--spa-dir")
            .arg(data.path().join("no-spa"))
            .args(args)
            .env("PORTCULLIS_DEMO_PASSWORD", PASSWORD)
            .env("PORTCULLIS_ENCRYPTION_KEY", SHARED_KEY)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start portcullis-server");
        let mut server = Server {
            child,
            // Its own address (the server's default public URL for it).
            base: format!("http://localhost:{port}"),
            log,
            _data: data,
        };
        server.wait_until_up(port);
        server
    }

    fn wait_until_up(&mut self, port: u16) {
        let http = reqwest::blocking::Client::new();
        let url = format!("http://127.0.0.1:{port}/api/openapi.json");
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the server exited ({status}): {}", self.log_text());
            }
            if http.get(&url).send().is_ok_and(|r| r.status() == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not answer: {}", self.log_text());
    }

    /// The setup link the demo printed for its billing administrator.
    pub fn demo_setup_link(&self) -> String {
        let log = self.log_text();
        log.split_whitespace()
            .find(|w| w.contains("/welcome#"))
            .unwrap_or_else(|| panic!("no setup link in: {log}"))
            .to_string()
    }

    /// The server process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
