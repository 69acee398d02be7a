//! `portcullis-pam enroll` on bad input: it says what is wrong in words,
//! fails, writes nothing and never repeats the token. (Enrolling against a
//! real server, and refused tokens, are protect's PAM tests, which run this
//! same binary: having a test here is also what makes `cargo test` build it
//! beside the other binaries, where those tests find it.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_portcullis-pam");
const TOKEN: &str = "c2VjcmV0LXRva2VuLXRoYXQtbXVzdC1ub3QtbGVhaw";

fn enroll(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("enroll")
        .args(args)
        .env_remove("PORTCULLIS_HOST_TOKEN")
        .output()
        .unwrap()
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().next().is_none()
}

#[test]
fn an_unreachable_portal_is_named_and_nothing_is_written() {
    // A port that was free a moment ago: nothing answers there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let out = enroll(&[
        "--url",
        &url,
        "--token",
        TOKEN,
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{url} cannot be reached")),
        "{stderr}"
    );
    let all = format!("{stderr}{}", String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains(TOKEN), "the token was repeated: {all}");
    assert!(is_empty(dir.path()), "a failed enrollment wrote files");
}

#[test]
fn a_missing_token_is_asked_for_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = enroll(&[
        "--url",
        "http://127.0.0.1:9",
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--token"), "{stderr}");
    assert!(is_empty(dir.path()));
}

#[test]
fn the_token_may_come_from_the_environment_and_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["enroll", "--url", "http://127.0.0.1:9", "--dir"])
        .arg(dir.path())
        .env("PORTCULLIS_HOST_TOKEN", TOKEN)
        .output()
        .unwrap();
    // Port 9 (discard) is closed on loopback: the token was taken from the
    // environment (no usage error) and the failure is the portal's.
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(all.contains("cannot be reached"), "{all}");
    assert!(!all.contains(TOKEN), "the token was repeated: {all}");
    assert!(is_empty(dir.path()));
}
