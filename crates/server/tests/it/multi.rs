//! Several instances on one PostgreSQL database, as behind a load balancer:
//! two real `portcullis-server` processes (the binary `cargo test` builds),
//! one browser-like client whose cookie jar both see, every request sent to
//! whichever instance the test picks. Whatever one instance did, the other
//! knows; one killed with SIGKILL in the middle of a login and an
//! enrollment loses nothing. The periodic jobs run as two in-process
//! instances on one database, each with its own pool.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use portcullis_api::{ErrorCode, LoginResponse, TotpEnrollment};
use portcullis_server::app::AppState;
use portcullis_server::auth::throttle::PASSWORD_ACCOUNT_CLIENT;
use portcullis_server::jobs;
use portcullis_server::mfa::totp::{code_at, step_of};
use portcullis_server::notify::mailer::{self, Mailer};
use portcullis_server::rules::requirement::DAY;
use portcullis_server::store;
use portcullis_server::wake::Notifier;

use crate::cli::Running;
use crate::client::Api;
use crate::fixtures::{self, TestServer, PASSWORD};
use crate::smtp::smtp_sink;

const NEEDS_POSTGRES: &str = "PORTCULLIS_TEST_POSTGRES must name a PostgreSQL server";
/// The same on every instance: the key that seals TOTP keys at rest.
const SHARED_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// One server process with its data directory; killed (SIGKILL) when dropped.
struct Instance {
    process: Running,
    _data: tempfile::TempDir,
}

impl Instance {
    /// Starts the binary on `db_url` and waits until it answers.
    async fn start(db_url: &str, public_url: &str) -> Instance {
        let data = tempfile::tempdir().unwrap();
        let args = [
            "--demo",
            "--demo-password",
            PASSWORD,
            "--database",
            db_url,
            "--public-url",
            public_url,
        ];
        let key = [("PORTCULLIS_ENCRYPTION_KEY", SHARED_KEY)];
        let process = Running::start(&data.path().join("data"), &args, &key).await;
        Instance {
            process,
            _data: data,
        }
    }

    fn base(&self) -> &str {
        &self.process.base
    }
}

/// Two instances on a fresh database; the first seeds the demo
/// organisation, the second finds it there.
async fn two_instances() -> (Instance, Instance) {
    assert!(fixtures::postgres_server().is_some(), "{NEEDS_POSTGRES}");
    let dir = tempfile::tempdir().unwrap();
    let db = fixtures::fresh_database(dir.path()).await;
    let public = "http://localhost:8390";
    let a = Instance::start(&db, public).await;
    let b = Instance::start(&db, public).await;
    (a, b)
}

/// The same browser (one cookie jar) talking to `instance`.
fn at(browser: &Api, instance: &Instance) -> Api {
    Api {
        base: instance.base().to_string(),
        http: browser.http.clone(),
    }
}

/// The current TOTP code of `key`, `steps_off` steps from the wall clock
/// (the processes run on the real clock).
fn code(key: &str, steps_off: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    code_at(key, step_of(now) + steps_off).expect("code")
}

fn is_done(answer: &LoginResponse) -> bool {
    matches!(answer, LoginResponse::Done { .. })
}

/// Signs `email` in on `instance` with the password; the login answer.
async fn password(browser: &Api, instance: &Instance, email: &str) -> LoginResponse {
    at(browser, instance).login(email, PASSWORD).await.ok()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test runs it with PORTCULLIS_TEST_POSTGRES"]
async fn a_session_made_on_one_instance_works_on_the_other_until_logout_there() {
    let (a, b) = two_instances().await;
    let browser = Api::new(a.base());
    assert!(is_done(&password(&browser, &a, "alice@example.com").await));
    assert_eq!(at(&browser, &b).me().await.ok().email, "alice@example.com");
    at(&browser, &b).logout().await.ok();
    assert_eq!(
        at(&browser, &a).me().await.fail(),
        (401, ErrorCode::Unauthenticated)
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test runs it with PORTCULLIS_TEST_POSTGRES"]
async fn codes_enrollments_logins_and_throttles_are_shared() {
    let (a, b) = two_instances().await;

    // An enrollment started on A is confirmed on B.
    let carol = Api::new(a.base());
    let answer = password(&carol, &a, "carol@example.com").await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");
    let TotpEnrollment { secret: key, .. } = at(&carol, &a).totp_enroll().await.ok();
    assert!(is_done(
        &at(&carol, &b).totp_confirm(&code(&key, 0)).await.ok()
    ));

    // The step that confirmed it on B is refused on A; a half-finished
    // login started on A finishes on B with the next step.
    let again = Api::new(a.base());
    let answer = password(&again, &a, "carol@example.com").await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    assert_eq!(
        at(&again, &a).login_totp(&code(&key, 0)).await.fail().1,
        ErrorCode::CodeAlreadyUsed
    );
    assert!(is_done(
        &at(&again, &b).login_totp(&code(&key, 1)).await.ok()
    ));
    // ... and that step, used on B, is refused on A.
    let third = Api::new(a.base());
    password(&third, &b, "carol@example.com").await;
    assert_eq!(
        at(&third, &a).login_totp(&code(&key, 1)).await.fail().1,
        ErrorCode::CodeAlreadyUsed
    );

    // Wrong passwords count once, whichever instance sees them.
    let guesser = Api::new(a.base());
    for n in 0..PASSWORD_ACCOUNT_CLIENT.free {
        let instance = if n % 2 == 0 { &a } else { &b };
        let refused = at(&guesser, instance)
            .login("judy@example.com", "wrong password")
            .await;
        assert_eq!(
            refused.fail(),
            (401, ErrorCode::InvalidCredentials),
            "try {n}"
        );
    }
    for instance in [&a, &b] {
        let blocked = at(&guesser, instance)
            .login("judy@example.com", "wrong password")
            .await;
        assert_eq!(blocked.fail(), (429, ErrorCode::TooManyAttempts));
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test runs it with PORTCULLIS_TEST_POSTGRES"]
async fn an_instance_killed_mid_login_and_mid_enrollment_loses_nothing() {
    let (a, b) = two_instances().await;

    // Carol has an authenticator app (enrolled on B).
    let setup = Api::new(b.base());
    password(&setup, &b, "carol@example.com").await;
    let TotpEnrollment { secret: key, .. } = at(&setup, &b).totp_enroll().await.ok();
    assert!(is_done(
        &at(&setup, &b).totp_confirm(&code(&key, 0)).await.ok()
    ));

    // On A: Carol passes her password; Heidi (MFA required, nothing set up)
    // starts her enrollment and has her key.
    let carol = Api::new(a.base());
    let answer = password(&carol, &a, "carol@example.com").await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    let heidi = Api::new(a.base());
    let answer = password(&heidi, &a, "heidi@example.com").await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");
    let TotpEnrollment {
        secret: heidi_key, ..
    } = at(&heidi, &a).totp_enroll().await.ok();

    // A dies without a chance to clean up.
    let base_a = a.base().to_string();
    drop(a);
    assert!(reqwest::get(format!("{base_a}/api/v1/me")).await.is_err());

    // Both finish on B.
    assert!(is_done(
        &at(&carol, &b).login_totp(&code(&key, 1)).await.ok()
    ));
    assert_eq!(at(&carol, &b).me().await.ok().email, "carol@example.com");
    assert!(is_done(
        &at(&heidi, &b).totp_confirm(&code(&heidi_key, 0)).await.ok()
    ));
    assert_eq!(at(&heidi, &b).me().await.ok().email, "heidi@example.com");
}

/// A second instance in this process on the test server's database, with
/// its own pool and notifier, sharing the test's clock.
async fn second_instance(s: &TestServer) -> AppState {
    let db = store::connect(&s.db_url).await.unwrap();
    let wake = Notifier::start(&s.db_url, &db).await.unwrap();
    AppState::new(
        db,
        Arc::new(s.clock.clone()),
        (*s.state.settings).clone(),
        s.state.secrets.clone(),
        wake,
    )
    .unwrap()
}

async fn count(s: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs PostgreSQL: scripts/test runs it with PORTCULLIS_TEST_POSTGRES"]
async fn reminders_and_emails_go_out_once_in_total() {
    let a = TestServer::start().await;
    assert_eq!(
        fixtures::backend(),
        store::Backend::Postgres,
        "{NEEDS_POSTGRES}"
    );
    let b = second_instance(&a).await;

    // Carol's 7-day period: 12 hours before its end both instances run the
    // reminder job at the same moment, twice.
    a.advance(6 * DAY + DAY / 2);
    let mut queued = 0;
    for _ in 0..2 {
        let (x, y) = tokio::join!(jobs::send_reminders(&a.state), jobs::send_reminders(&b));
        queued += x.unwrap() + y.unwrap();
    }
    let rows = count(
        &a,
        "SELECT COUNT(*) FROM outbox WHERE kind = 'mfa_reminder'",
    )
    .await;
    assert!(queued >= 1);
    assert_eq!(i64::from(queued), rows, "one reminder per user in total");
    let carols = count(
        &a,
        "SELECT COUNT(*) FROM outbox o JOIN users u ON u.id = o.user_id
          WHERE o.kind = 'mfa_reminder' AND u.email = 'carol@example.com'",
    )
    .await;
    assert_eq!(carols, 1);

    // Both instances deliver the outbox at the same moments: every
    // message reaches the SMTP server exactly once.
    let (port, got) = smtp_sink().await;
    let mailer = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Portcullis <mfa@example.com>",
    )
    .unwrap();
    let total = count(&a, "SELECT COUNT(*) FROM outbox").await;
    let mut sent = 0;
    for _ in 0..3 {
        let (x, y) = tokio::join!(
            mailer::deliver_due(&a.state, &mailer),
            mailer::deliver_due(&b, &mailer)
        );
        sent += x.unwrap() + y.unwrap();
    }
    assert_eq!(i64::from(sent), total);
    assert_eq!(got.lock().unwrap().len() as i64, total);
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").await,
        0
    );
}
