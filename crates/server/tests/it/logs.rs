//! Secrets never reach the logs: a whole login, enrollment and reset flow
//! runs with every log line at debug level captured, and none of the
//! secrets that went over the wire (or sit in the database) appears in it.
//!
//! The subscriber is the test thread's: it sees the server's handlers and
//! middleware (they run as tasks on that thread), not the threads of
//! SQLite connections or password hashing.

use std::io::Write;
use std::sync::{Arc, Mutex};

use portcullis_api::{ErrorCode, LoginResponse, TotpEnrollment};
use portcullis_server::auth::{self, Access};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::client::Answer;
use crate::fixtures::{TestServer, PASSWORD};

const ALICE: &str = "alice@example.com";
const WRONG_PASSWORD: &str = "wrong horse battery staple";

/// Log output kept in memory.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// Everything secret the flow handled, to look for in the logs.
#[derive(Default)]
struct Secrets(Vec<(&'static str, String)>);

impl Secrets {
    fn add(&mut self, what: &'static str, value: &str) {
        self.0.push((what, value.to_string()));
    }

    /// The session cookie an answer set, if any.
    fn cookie_of<T: std::fmt::Debug>(&mut self, answer: &Answer<T>) {
        if let Some(set) = answer.session_cookie() {
            let value = set
                .strip_prefix("portcullis_session=")
                .and_then(|rest| rest.split(';').next())
                .unwrap();
            self.add("a session cookie", value);
        }
    }

    fn last_cookie(&self) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(what, _)| *what == "a session cookie")
            .map(|(_, v)| v.as_str())
            .unwrap()
    }
}

// One thread: the server runs as a task on the test's thread, so the
// thread-local subscriber below sees its log lines.
#[tokio::test(flavor = "current_thread")]
async fn secrets_never_reach_the_logs() {
    let logs = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new("debug"))
        .with_writer(logs.clone())
        .with_ansi(false)
        // no timestamps: their digits could look like a code
        .without_time()
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = TestServer::start().await;
    // Another test's thread may have met the log's call sites first and
    // cached "nobody listens" while this subscriber was being set up: ask
    // every subscriber again, now that this one exists.
    tracing::callsite::rebuild_interest_cache();
    let mut secrets = Secrets::default();
    secrets.add("the password", PASSWORD);
    secrets.add("a wrong password", WRONG_PASSWORD);
    let api = s.api();

    // password login (nothing required of alice), then enroll an app
    let answer = api.login(ALICE, PASSWORD).await;
    secrets.cookie_of(&answer);
    assert!(matches!(answer.ok(), LoginResponse::Done { .. }));
    let TotpEnrollment { secret: key, .. } = api.totp_enroll().await.ok();
    secrets.add("the TOTP key", &key);
    let code = s.code(&key, 0);
    secrets.add("a code", &code);
    let answer = api.totp_confirm(&code).await;
    secrets.cookie_of(&answer);
    assert!(matches!(answer.ok(), LoginResponse::Done { .. }));
    s.next_step();
    api.logout().await.ok();

    // login with password and code, one wrong code first
    let answer = api.login(ALICE, PASSWORD).await;
    secrets.cookie_of(&answer);
    assert!(matches!(answer.ok(), LoginResponse::Mfa { .. }));
    let wrong = s.wrong_code(&key);
    secrets.add("a wrong code", &wrong);
    assert_eq!(
        api.login_totp(&wrong).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    let code = s.code(&key, 0);
    secrets.add("a code", &code);
    let answer = api.login_totp(&code).await;
    secrets.cookie_of(&answer);
    assert!(matches!(answer.ok(), LoginResponse::Done { .. }));

    // reset the app with a code
    s.next_step();
    let code = s.code(&key, 0);
    secrets.add("a code", &code);
    api.totp_reset(&code).await.ok();

    // A second app, whose stored key is then damaged: checking a code
    // fails inside the server, which logs the fault (with a code and a key
    // at hand that must stay out of the line).
    s.next_step();
    let TotpEnrollment { secret: key2, .. } = api.totp_enroll().await.ok();
    secrets.add("the second TOTP key", &key2);
    let code = s.code(&key2, 0);
    secrets.add("a code", &code);
    api.totp_confirm(&code).await.ok();
    sqlx::query("UPDATE totp_factors SET secret = 'x1:damaged' WHERE user_id = $1")
        .bind(api.me().await.ok().id)
        .execute(&s.state.db)
        .await
        .unwrap();
    s.next_step();
    let code = s.code(&key2, 0);
    secrets.add("a code", &code);
    assert_eq!(
        api.verify(&code).await.fail(),
        (500, ErrorCode::InternalError)
    );

    // a wrong password
    assert_eq!(
        s.api().login(ALICE, WRONG_PASSWORD).await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );

    // What the server holds about the session: its Debug output shows
    // neither the password hash nor the cookie.
    let cookie = secrets.last_cookie().to_string();
    let authed = auth::authenticate(&s.state, Some(&cookie), Access::SignedIn)
        .await
        .unwrap();
    let hash = authed.user.password_hash.clone();
    assert!(hash.starts_with("$argon2"), "not the hash: {hash}");
    secrets.add("the password hash", &hash);
    for shown in [format!("{authed:?}"), format!("{:?}", authed.user)] {
        assert!(!shown.contains(&hash), "the hash in Debug: {shown}");
        assert!(!shown.contains(&cookie), "the cookie in Debug: {shown}");
    }

    let text = logs.text();
    assert!(!text.trim().is_empty(), "nothing was logged");
    // The server's own lines were captured, not only the client's.
    assert!(
        text.contains("internal error"),
        "no server log lines:\n{text}"
    );
    for (what, value) in &secrets.0 {
        assert!(!appears(&text, value), "{what} is in the logs");
    }
}

/// Whether `secret` is in `text`. A six-digit code counts only as a token
/// of its own, not inside a longer number, a decimal fraction (durations)
/// or a hex id, where six digits in a row turn up by chance.
fn appears(text: &str, secret: &str) -> bool {
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        return text.contains(secret);
    }
    text.match_indices(secret).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + secret.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}
