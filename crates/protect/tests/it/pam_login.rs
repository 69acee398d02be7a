//! Linux logins through `pam_portcullis.so`, under a real PAM stack
//! (`pamtester`, Debian's) against a real portal process: the host
//! enrolled by `portcullis-pam enroll`, codes from `oathtool` as a phone
//! computes them, a push approved or denied by the real `protect`, with
//! the number read off the prompt. It lives beside the phone's suite, as
//! both are clients of one portal process started here.
//!
//! PAM reads its service files from /etc/pam.d only: each test writes its
//! own file there (the suite runs as root, as CI does) and removes it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portcullis_api::hosts::HostEnrollment;
use portcullis_api::{EventPage, LoginResponse, NewRecoveryCodes, TotpEnrollment};

use crate::cli::{run, Phone, Run};
use crate::enroll::enrolled_phone;
use crate::portal::Browser;
use crate::server::{Server, PASSWORD};

/// The module and the enrollment command, built by the workspace's test
/// build (`cargo build -p portcullis-pam` when missing). `cargo test` leaves
/// the module (a cdylib it builds but does not copy up) in deps/, and the
/// command (built for portcullis-pam's own tests) beside `protect`; a
/// `cargo build` copies both up. The newest copy is the one that counts.
pub fn built(name: &str) -> PathBuf {
    let dir = Path::new(crate::cli::BIN).parent().unwrap();
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let newest = [dir.join(name), dir.join("deps").join(name)]
        .into_iter()
        .filter_map(|p| modified(&p).map(|t| (t, p)))
        .max();
    if let Some((_, path)) = newest {
        return path;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "portcullis-pam"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success(), "building portcullis-pam failed");
    dir.join(name)
}

/// The code of `secret` `ahead` seconds from now, as an authenticator
/// app shows it then. The portal takes the next step's code too (a clock
/// a little ahead), which lets a test use a second code within one step
/// instead of waiting for the next.
pub fn oathtool(secret: &str, ahead: u32) -> String {
    let out = Command::new("oathtool")
        .args([
            "--totp",
            "--base32",
            "-N",
            &format!("now + {ahead} seconds"),
            secret,
        ])
        .output()
        .expect("oathtool (Debian's package oathtool; scripts/install --test installs it)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The demo's billing administrator through the setup link the demo
/// printed, with an authenticator app: a fresh second factor.
pub fn admin(server: &Server) -> Browser {
    let admin = Browser::new(server);
    let link = server.demo_setup_link();
    let token = link.split_once('#').unwrap().1;
    let started: LoginResponse = admin
        .post(
            "/api/v1/welcome",
            serde_json::json!({ "token": token, "password": PASSWORD }),
        )
        .unwrap();
    assert!(
        matches!(started, LoginResponse::Enroll { .. }),
        "{started:?}"
    );
    enroll_app(&admin);
    admin
}

/// Sets up an authenticator app for the signed-in (or enrolling) browser;
/// its key.
pub fn enroll_app(browser: &Browser) -> String {
    let setup: TotpEnrollment = browser
        .post("/api/v1/totp/enroll", serde_json::json!({}))
        .unwrap();
    let done: LoginResponse = browser
        .post(
            "/api/v1/totp/confirm",
            serde_json::json!({ "code": oathtool(&setup.secret, 0) }),
        )
        .unwrap();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    setup.secret
}

/// An enrolled host: its settings folder and its PAM service.
pub struct Host {
    pub dir: tempfile::TempDir,
    pub service: String,
    pub id: String,
    /// The module's arguments in the service file.
    pub args: String,
}

static SERVICES: AtomicU32 = AtomicU32::new(0);

impl Host {
    /// Registered by `admin` (MFA on, everyone) and enrolled with
    /// `portcullis-pam enroll`; a PAM service stacking the module.
    pub fn new(server: &Server, admin: &Browser, name: &str) -> Host {
        Host::new_with(server, admin, name, false)
    }

    /// The same, checking codes offline when `offline`.
    pub fn new_with(server: &Server, admin: &Browser, name: &str, offline: bool) -> Host {
        let made: HostEnrollment = admin
            .post(
                "/api/v1/admin/hosts",
                serde_json::json!({
                    "name": name, "mfa": true, "unknown_users": "deny", "everyone": true,
                    "offline_totp": offline
                }),
            )
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc");
        let enroll = run(Command::new(built("portcullis-pam"))
            .args(["enroll", "--url", &server.base, "--dir"])
            .arg(&etc)
            .env("PORTCULLIS_HOST_TOKEN", &made.token)
            .output()
            .unwrap());
        assert_eq!(enroll.code, 0, "{enroll:?}");
        assert!(
            enroll.stdout.contains(&format!("Enrolled as {name}")),
            "{enroll:?}"
        );
        // The token never reaches the output.
        assert!(!enroll.stdout.contains(&made.token) && !enroll.stderr.contains(&made.token));
        let n = SERVICES.fetch_add(1, Ordering::SeqCst);
        let service = format!("portcullis-test-{}-{n}", std::process::id());
        let args = format!(
            "{} config_dir={} timeout=30",
            built("libpam_portcullis.so").display(),
            etc.display()
        );
        let host = Host {
            dir,
            service,
            id: made.host.id,
            args,
        };
        host.stack(&[&format!("auth required {}", host.args)]);
        host
    }

    /// Writes the PAM service: `lines`, then an account step that allows.
    pub fn stack(&self, lines: &[&str]) {
        let mut text = lines.join("\n");
        text.push_str("\naccount required pam_permit.so\nsession required pam_permit.so\n");
        std::fs::write(format!("/etc/pam.d/{}", self.service), text)
            .expect("write a PAM service file in /etc/pam.d (the suite runs as root)");
    }

    /// `pamtester` authenticating `user`, answering its prompts from
    /// `input`; stdout and stderr unbuffered, so prompts arrive at once.
    fn start(&self, user: &str) -> Child {
        Command::new("stdbuf")
            .args([
                "-o0",
                "-e0",
                "pamtester",
                "-v",
                &self.service,
                user,
                "authenticate",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("pamtester (Debian's package pamtester; scripts/install --test installs it)")
    }

    /// A whole login with the lines typed in `input`.
    fn login(&self, user: &str, input: &str) -> Run {
        let mut child = self.start(user);
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        run(child.wait_with_output().unwrap())
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(format!("/etc/pam.d/{}", self.service));
        let _ = &self.dir;
    }
}

/// Everything a running pamtester prints, line by line, as it comes.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    for pipe in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).split(b'\n').map_while(Result::ok) {
                let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
            }
        });
    }
    rx
}

/// The number the prompt asks to enter in Protect.
fn number_from(lines: &mpsc::Receiver<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
            if let Some(rest) = line.split("Enter the number ").nth(1) {
                return rest.split_whitespace().next().unwrap().to_string();
            }
            seen.push(line);
        }
    }
    panic!("no number to match in {seen:?}");
}

fn rest_of(lines: &mpsc::Receiver<String>) -> String {
    lines.iter().collect::<Vec<_>>().join("\n")
}

pub fn host_events(admin: &Browser, kind: &str) -> EventPage {
    admin
        .get(&format!("/api/v1/admin/events?kind={kind}&limit=100"))
        .unwrap()
}

const OK: &str = "successfully authenticated";

#[test]
fn codes_at_the_prompt() {
    let server = Server::start();
    let admin = admin(&server);
    let host = Host::new(&server, &admin, "web-1");

    let alice = Browser::new(&server);
    assert!(matches!(
        alice.login("alice@example.com"),
        LoginResponse::Done { .. }
    ));
    let secret = enroll_app(&alice);

    // A wrong code is refused in words and asked again; the right one passes.
    let run = host.login("alice", &format!("000000\n{}\n", oathtool(&secret, 30)));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(OK), "{run:?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("Verification code: "), "{run:?}");
    assert!(all.contains("That code is not correct."), "{run:?}");

    // A recovery code stands in once.
    let codes: NewRecoveryCodes = alice
        .post("/api/v1/recovery-codes", serde_json::json!({}))
        .unwrap();
    let code = &codes.codes[0];
    let run = host.login("alice", &format!("{code}\n"));
    assert_eq!(run.code, 0, "{run:?}");
    let run = host.login("alice", &format!("{code}\n{code}\n{code}\n"));
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("Too many wrong codes"), "{run:?}");

    // The events name the host and the factor; no code is in them.
    let events = host_events(&admin, "system_login");
    let details: Vec<_> = events
        .events
        .iter()
        .map(|e| (e.resource.clone().unwrap_or_default(), e.detail.clone()))
        .collect();
    assert!(
        details.contains(&("web-1".into(), "password + authenticator app".into())),
        "{details:?}"
    );
    assert!(
        details.contains(&("web-1".into(), "password + recovery code".into())),
        "{details:?}"
    );
    let refused = host_events(&admin, "system_refused");
    assert!(refused
        .events
        .iter()
        .all(|e| !e.detail.contains(code.as_str())));
}

#[test]
fn a_push_with_the_number_from_the_prompt() {
    let server = Server::start();
    let admin = admin(&server);
    let host = Host::new(&server, &admin, "db-1");
    let phone: Phone = enrolled_phone(&server, "ivan@example.com");

    // Enter sends a push; the phone approves it with the number shown.
    let mut child = host.start("ivan");
    let lines = lines_of(&mut child);
    child.stdin.as_mut().unwrap().write_all(b"\n").unwrap();
    let number = number_from(&lines);
    let approved = phone.run(&["approve", "--number", &number]);
    assert_eq!(approved.code, 0, "{approved:?}");
    let status = child.wait().unwrap();
    let rest = rest_of(&lines);
    assert!(status.success(), "{rest}");
    assert!(rest.contains("Approved on your phone"), "{rest}");

    // Denied on the phone: refused, in words.
    let mut child = host.start("ivan");
    let lines = lines_of(&mut child);
    child.stdin.as_mut().unwrap().write_all(b"\n").unwrap();
    number_from(&lines);
    let denied = phone.run(&["deny"]);
    assert_eq!(denied.code, 0, "{denied:?}");
    let status = child.wait().unwrap();
    let rest = rest_of(&lines);
    assert!(!status.success(), "{rest}");
    assert!(rest.contains("denied"), "{rest}");

    let events = host_events(&admin, "system_login");
    assert_eq!(events.events[0].resource.as_deref(), Some("db-1"));
    assert_eq!(events.events[0].detail, "password + Protect push");
}

#[test]
fn unknown_users_by_the_hosts_rule_and_a_stopped_portal_fails_closed() {
    let server = Server::start();
    let admin = admin(&server);
    let host = Host::new(&server, &admin, "build");

    let run = host.login("postgres", "");
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("does not know the account postgres"),
        "{run:?}"
    );
    let _: serde_json::Value = admin
        .put(
            &format!("/api/v1/admin/hosts/{}", host.id),
            serde_json::json!({ "name": "build", "mfa": true, "unknown_users": "pass", "everyone": true }),
        )
        .unwrap();
    let run = host.login("postgres", "");
    assert_eq!(run.code, 0, "{run:?}");

    // The portal's rules: in the enrollment period, let in with the days
    // left; required with no factor, refused in the portal's words.
    let run = host.login("carol", "");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("within 7 days"), "{run:?}");
    let run = host.login("heidi", "");
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("must set up multi-factor"), "{run:?}");

    // No portal: refused at once, in words.
    drop(server);
    let started = Instant::now();
    let run = host.login("postgres", "");
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("cannot be reached"), "{run:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn codes_checked_on_the_host_while_the_portal_is_gone() {
    let server = Server::start();
    let admin = admin(&server);
    let host = Host::new_with(&server, &admin, "laptop", true);
    let alice = Browser::new(&server);
    assert!(matches!(
        alice.login("alice@example.com"),
        LoginResponse::Done { .. }
    ));
    let secret = enroll_app(&alice);
    let codes: NewRecoveryCodes = alice
        .post("/api/v1/recovery-codes", serde_json::json!({}))
        .unwrap();

    // Online: the check keeps what offline codes need, sealed.
    let run = host.login("alice", &format!("{}\n", codes.codes[0]));
    assert_eq!(run.code, 0, "{run:?}");
    let etc = host.dir.path().join("etc");
    let kept = std::fs::read_to_string(etc.join("offline.json")).unwrap();
    assert!(kept.contains("alice") && !kept.contains(&secret), "{kept}");
    use std::os::unix::fs::PermissionsExt;
    for file in ["offline.json", "offline.key"] {
        let mode = std::fs::metadata(etc.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }

    // The portal is gone: a code is checked here, once.
    drop(server);
    let code = oathtool(&secret, 30);
    let run = host.login("alice", &format!("{code}\n"));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("checked on this host"), "{run:?}");
    let run = host.login("alice", &format!("{code}\n{code}\n{code}\n"));
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("already been used"), "{run:?}");
    let run = host.login("alice", "000000\n000000\n000000\n");
    assert_ne!(run.code, 0, "{run:?}");
    // Someone the host keeps nothing for: refused, as without the option.
    let run = host.login("ivan", "");
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("cannot be reached"), "{run:?}");
}

#[test]
fn a_portal_that_never_answers_holds_a_login_no_longer_than_the_timeout() {
    let server = Server::start();
    let admin = admin(&server);
    let host = Host::new(&server, &admin, "slow");
    // A listener that takes connections and never answers them.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hole.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = hole.incoming().collect();
        drop(held);
    });
    let config = host.dir.path().join("etc/host.json");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(&server.base, &format!("http://127.0.0.1:{port}"));
    std::fs::write(&config, text).unwrap();
    let args = host.args.replace("timeout=30", "timeout=5");
    host.stack(&[&format!("auth required {args}")]);

    let started = Instant::now();
    let run = host.login("alice", "");
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("cannot be reached"), "{run:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(8),
        "{took:?}"
    );
}
