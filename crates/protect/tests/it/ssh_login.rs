//! SSH logins through a real OpenSSH server (Debian's `sshd`) on a
//! loopback port, with keyboard-interactive authentication through PAM:
//! `pam_unix` asks the local account's password, then `pam_portcullis.so`
//! the code; a scripted client (`ssh_client.py`, paramiko) answers. sshd
//! names its PAM service after its own file name, so a copy of it named
//! after the test's service reads the test's file in /etc/pam.d.
//!
//! The local account `judy` (Portcullis's demo user judy@example.com) is
//! made with the demo password when missing: the suite runs as root on a
//! machine of its own, as CI does.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portcullis_api::LoginResponse;

use crate::cli::{run, Run};
use crate::pam_login::{admin, enroll_app, host_events, oathtool, Host};
use crate::portal::Browser;
use crate::server::{free_port, Server, PASSWORD};

/// A local account with the demo password.
fn local_account(name: &str) {
    let exists = Command::new("id")
        .arg(name)
        .output()
        .unwrap()
        .status
        .success();
    if !exists {
        let made = Command::new("useradd")
            .args(["--no-create-home", "--shell", "/bin/sh", name])
            .status()
            .expect("useradd");
        assert!(made.success());
    }
    let mut chpasswd = Command::new("chpasswd")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    chpasswd
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{name}:{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(chpasswd.wait().unwrap().success());
}

/// sshd in the foreground on a loopback port, as a copy named `service`.
struct Sshd {
    child: Child,
    port: u16,
}

impl Sshd {
    fn start(dir: &Path, service: &str) -> Sshd {
        let sshd = Path::new("/usr/sbin/sshd");
        assert!(
            sshd.exists(),
            "sshd (Debian's openssh-server; scripts/install --test installs it)"
        );
        let bin = dir.join(service);
        std::fs::copy(sshd, &bin).unwrap();
        let key = dir.join("host_key");
        let keygen = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key)
            .status()
            .unwrap();
        assert!(keygen.success());
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nUsePAM yes\n\
                 KbdInteractiveAuthentication yes\nPasswordAuthentication no\n\
                 PubkeyAuthentication no\nAuthenticationMethods keyboard-interactive\n",
                key.display(),
                dir.join("sshd.pid").display()
            ),
        )
        .unwrap();
        // privilege separation needs its empty directory
        std::fs::create_dir_all("/run/sshd").unwrap();
        let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
        let child = Command::new(&bin)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "sshd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Sshd { child, port }
    }

    fn login(&self, user: &str, password: &str, codes: &[&str]) -> Run {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ssh_client.py");
        run(Command::new("python3")
            .arg(script)
            .args(["127.0.0.1", &self.port.to_string(), user, password])
            .args(codes)
            .output()
            .unwrap())
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn password_and_code_over_ssh() {
    let server = Server::start();
    let admin = admin(&server);
    let host = Host::new(&server, &admin, "ssh-box");
    // requisite: a wrong password ends the login there (as Debian's
    // common-auth does), so Portcullis is not asked.
    host.stack(&[
        "auth requisite pam_unix.so",
        &format!("auth required {}", host.args),
    ]);
    local_account("judy");
    let judy = Browser::new(&server);
    assert!(matches!(
        judy.login("judy@example.com"),
        LoginResponse::Done { .. }
    ));
    let secret = enroll_app(&judy);
    let sshd = Sshd::start(host.dir.path(), &host.service);

    // Password, then the code: signed in.
    let ok = sshd.login("judy", PASSWORD, &[&oathtool(&secret, 30)]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("PROMPT Verification code:"), "{ok:?}");
    assert!(ok.stdout.contains("AUTHENTICATED"), "{ok:?}");

    // A wrong code, three times: refused.
    let wrong = sshd.login("judy", PASSWORD, &["000000", "000000", "000000"]);
    assert_ne!(wrong.code, 0, "{wrong:?}");
    // A wrong password: Portcullis is never asked.
    let before = host_events(&admin, "system_refused").events.len();
    let bad = sshd.login("judy", "not the password", &["000000"]);
    assert_ne!(bad.code, 0, "{bad:?}");

    // The events name the host, the factor and where the login came from.
    let logins = host_events(&admin, "system_login");
    assert_eq!(logins.events[0].resource.as_deref(), Some("ssh-box"));
    assert_eq!(
        logins.events[0].detail,
        "password + authenticator app; from 127.0.0.1"
    );
    let refused = host_events(&admin, "system_refused");
    assert!(refused.events.len() >= 3, "{:?}", refused.events);
    assert_eq!(refused.events.len(), before);
}
