#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
//! The binary's own commands: `create-admin` for the first admin of a real
//! deployment.

use std::process::Command;

use portcullis_server::{db, password, users};

fn create_admin(dir: &std::path::Path, email: &str, pw: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis-server"))
        .args([
            "create-admin",
            "--email",
            email,
            "--name",
            "First Admin",
            "--data-dir",
        ])
        .arg(dir)
        .env("PORTCULLIS_ADMIN_PASSWORD", pw)
        .env_remove("PORTCULLIS_DATABASE_URL")
        .output()
        .expect("run portcullis-server")
}

#[tokio::test]
async fn create_admin_makes_a_working_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = create_admin(dir.path(), "Boss@Example.org", "a long passphrase");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created boss@example.org"));
    // the password is not echoed anywhere
    assert!(!String::from_utf8_lossy(&out.stdout).contains("passphrase"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("passphrase"));

    let pool = db::connect(&db::default_url(dir.path())).await.unwrap();
    let user = users::find_by_email(&pool, "boss@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role, "admin");
    assert!(password::verify("a long passphrase", &user.password_hash));
    pool.close().await;

    let again = create_admin(dir.path(), "boss@example.org", "another long one");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn create_admin_refuses_bad_input_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let short = create_admin(dir.path(), "boss@example.org", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));
    let bad = create_admin(dir.path(), "not-an-email", "a long passphrase");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("email address"));
}
