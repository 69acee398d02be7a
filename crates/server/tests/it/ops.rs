//! Operations: `/healthz` and `/readyz`, `/metrics` behind its token (and
//! what it counts), the audit events as log lines, and the retention the
//! periodic purge keeps.
//!
//! The metrics' counters belong to the process, which every test of this
//! binary shares: the tests compare a counter before and after what they
//! do, and only ask that it grew.

use std::io::Write;
use std::sync::{Arc, Mutex};

use portcullis_api::{ErrorCode, LoginResponse};
use portcullis_server::config::Settings;
use portcullis_server::jobs;
use portcullis_server::secret::Secret;
use tracing_subscriber::fmt::MakeWriter;

use crate::client::Api;
use crate::device::Device;
use crate::fixtures::{TestServer, PASSWORD};
use crate::push::{push_login, user_with_device};

const ALICE: &str = "alice@example.com";
const TOKEN: &str = "a-long-random-metrics-token";
const DAY: i64 = 86_400;

async fn with_metrics() -> TestServer {
    TestServer::start_with(Settings {
        metrics_token: Some(Secret::new(TOKEN.to_string())),
        ..Settings::default()
    })
    .await
}

/// The metrics text, read with the token.
async fn scrape(s: &TestServer) -> String {
    let resp = reqwest::Client::new()
        .get(s.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    resp.text().await.unwrap()
}

/// The value of the sample `series` (name and labels, as written).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .unwrap()
}

async fn value(s: &TestServer, series: &str) -> f64 {
    sample(&scrape(s).await, series)
}

async fn get(s: &TestServer, path: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::get(s.url(path)).await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_session_or_csrf_header() {
    let s = TestServer::start().await;
    assert_eq!(
        get(&s, "/healthz").await,
        (200, serde_json::json!({"status": "ok"}))
    );
    assert_eq!(
        get(&s, "/readyz").await,
        (200, serde_json::json!({"status": "ready"}))
    );
    let resp = reqwest::get(s.url("/readyz")).await.unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn readyz_is_503_in_words_when_the_database_is_gone_but_healthz_stays_200() {
    let s = TestServer::start().await;
    s.state.db.close().await;
    let (status, body) = get(&s, "/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["message"], "The database does not answer.");
    // The process is up all the same.
    assert_eq!(get(&s, "/healthz").await.0, 200);
}

#[tokio::test]
async fn readyz_is_503_when_a_migration_of_this_version_is_missing() {
    let s = TestServer::start().await;
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(newest)
        .execute(&s.state.db)
        .await
        .unwrap();
    let (status, body) = get(&s, "/readyz").await;
    assert_eq!(status, 503);
    let words = body["message"].as_str().unwrap();
    assert!(
        words.contains("lacks 1 of this version's migrations")
            && words.contains(&format!("first missing: {newest}")),
        "{words}"
    );
}

#[tokio::test]
async fn metrics_are_not_served_without_a_configured_token() {
    let s = TestServer::start().await;
    let resp = reqwest::get(s.url("/metrics")).await.unwrap();
    assert_eq!(resp.status(), 404);
    let body: portcullis_api::ErrorBody = resp.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::NotFound);
    assert!(body.message.contains("--metrics-token"), "{body:?}");
}

#[tokio::test]
async fn metrics_refuse_a_request_without_the_right_token() {
    let s = with_metrics().await;
    let http = reqwest::Client::new();
    for token in [
        None,
        Some("wrong"),
        Some(""),
        Some(&TOKEN[..TOKEN.len() - 1]),
    ] {
        let mut req = http.get(s.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{token:?}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let body: portcullis_api::ErrorBody = resp.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::Unauthenticated);
    }
    // Another scheme with the right value is no bearer token either.
    let basic = http
        .get(s.url("/metrics"))
        .header("authorization", format!("Basic {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    let text = scrape(&s).await;
    for name in [
        "portcullis_logins_total",
        "portcullis_throttle_refusals_total",
        "portcullis_push_answer_seconds",
        "portcullis_job_runs_total",
        "portcullis_outbox_waiting",
        "portcullis_pending_pushes",
        "portcullis_db_pool_connections",
        "portcullis_db_pool_idle_connections",
    ] {
        assert!(text.contains(&format!("# TYPE {name} ")), "{name}: {text}");
    }
}

#[tokio::test]
async fn metrics_count_logins_by_outcome_and_factor() {
    let s = with_metrics().await;
    let failed = "portcullis_logins_total{outcome=\"failed\",factor=\"password\"}";
    let signed_in = "portcullis_logins_total{outcome=\"succeeded\",factor=\"password\"}";
    let by_code = "portcullis_logins_total{outcome=\"succeeded\",factor=\"totp\"}";
    let wrong_code = "portcullis_logins_total{outcome=\"failed\",factor=\"totp\"}";
    let before = scrape(&s).await;

    let api = s.api();
    assert_eq!(
        api.login(ALICE, "not the password").await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );
    assert!(matches!(
        api.login(ALICE, PASSWORD).await.ok(),
        LoginResponse::Done { .. }
    ));
    let (_, key) = s.admin().await;
    let second = s.api();
    second.login("admin@example.com", PASSWORD).await.ok();
    let wrong = s.wrong_code(&key);
    let refused = second.login_totp(&wrong).await.fail();
    assert!((400..500).contains(&refused.0), "{refused:?}");
    s.login_with_code("admin@example.com", &key).await;

    let after = scrape(&s).await;
    for series in [failed, signed_in, by_code, wrong_code] {
        assert!(
            sample(&after, series) > sample(&before, series),
            "{series}: {} then {}",
            sample(&before, series),
            sample(&after, series)
        );
    }
}

#[tokio::test]
async fn metrics_count_throttle_refusals() {
    let s = with_metrics().await;
    let series = "portcullis_throttle_refusals_total{reason=\"wait\"}";
    let before = value(&s, series).await;
    let api = s.api();
    let mut refused = None;
    for _ in 0..20 {
        let answer = api.login(ALICE, "wrong password").await;
        if answer.status == 429 {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("throttled within 20 failures");
    assert_eq!(refused.fail(), (429, ErrorCode::TooManyAttempts));
    assert!(value(&s, series).await > before);
}

#[tokio::test]
async fn metrics_time_a_push_from_sending_to_its_approval_and_count_pending_pushes() {
    let s = with_metrics().await;
    let (_, device): (String, Device) = user_with_device(&s, ALICE).await;
    let (_api, started) = push_login(&s, ALICE).await;
    assert!(value(&s, "portcullis_pending_pushes").await >= 1.0);
    let le10 = "portcullis_push_answer_seconds_bucket{outcome=\"approved\",le=\"10\"}";
    let le5 = "portcullis_push_answer_seconds_bucket{outcome=\"approved\",le=\"5\"}";
    let sum = "portcullis_push_answer_seconds_sum{outcome=\"approved\"}";
    let before = scrape(&s).await;
    // Answered 7 seconds after it was sent: in the 10 s bucket, not the 5 s one.
    s.advance(7);
    device
        .approve(&started.id, i64::from(started.number))
        .await
        .ok();
    let after = scrape(&s).await;
    assert!(sample(&after, le10) > sample(&before, le10));
    assert!(sample(&after, sum) >= sample(&before, sum) + 7.0);
    // (other tests may add quick approvals to the 5 s bucket meanwhile,
    // but never more than the 10 s bucket grew by)
    assert!(
        sample(&after, le10) - sample(&before, le10) > sample(&after, le5) - sample(&before, le5)
    );
    assert_eq!(sample(&after, "portcullis_pending_pushes"), 0.0);
}

#[tokio::test]
async fn metrics_read_the_outbox_and_the_pool_at_scrape_time_and_count_job_runs() {
    let s = with_metrics().await;
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts < 8")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    let text = scrape(&s).await;
    assert_eq!(sample(&text, "portcullis_outbox_waiting"), waiting as f64);
    assert!(sample(&text, "portcullis_db_pool_connections") >= 1.0);
    assert!(
        sample(&text, "portcullis_db_pool_idle_connections")
            <= sample(&text, "portcullis_db_pool_connections")
    );
    // An email sent is no longer waiting.
    sqlx::query(
        "UPDATE outbox SET sent_at = $1 WHERE id = (SELECT MIN(id) FROM outbox WHERE sent_at IS NULL)",
    )
    .bind(s.now())
    .execute(&s.state.db)
    .await
    .unwrap();
    if waiting > 0 {
        assert_eq!(
            value(&s, "portcullis_outbox_waiting").await,
            (waiting - 1) as f64
        );
    }

    let purge = "portcullis_job_runs_total{job=\"purge\",outcome=\"ok\"}";
    let reminders = "portcullis_job_runs_total{job=\"reminders\",outcome=\"ok\"}";
    let before = scrape(&s).await;
    jobs::purge(&s.state).await.unwrap();
    jobs::send_reminders(&s.state).await.unwrap();
    let after = scrape(&s).await;
    assert!(sample(&after, purge) > sample(&before, purge));
    assert!(sample(&after, reminders) > sample(&before, reminders));
}

#[tokio::test]
async fn a_failed_job_run_is_counted_as_an_error() {
    let s = with_metrics().await;
    let series = "portcullis_job_runs_total{job=\"purge\",outcome=\"error\"}";
    let before = value(&s, series).await;
    s.state.db.close().await;
    assert!(jobs::purge(&s.state).await.is_err());
    // The pool is closed, so /metrics cannot read the queues: the
    // counters are rendered directly.
    let text = portcullis_server::metrics::render(&Default::default());
    assert!(sample(&text, series) > before);
}

/// Log output kept in memory.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

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

#[tokio::test]
async fn every_audit_event_is_one_json_log_line_without_secrets() {
    let buffer = Buffer::default();
    // As `--log-format json` sets it up, for this thread (the test's
    // server runs its handlers here).
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_env_filter("audit=info")
        .with_writer(buffer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let s = TestServer::start().await;
    // Another test's thread may have met the log's call sites first and
    // cached "nobody listens" while this subscriber was being set up: ask
    // every subscriber again, now that this one exists.
    tracing::callsite::rebuild_interest_cache();
    let api: Api = s.api();
    let wrong = "a wrong password that must not be logged";
    api.login(ALICE, wrong).await.fail();
    api.login(ALICE, PASSWORD).await.ok();
    let alice = api.me().await.ok().id;

    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains(wrong), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let audit: Vec<&serde_json::Value> = lines.iter().filter(|l| l["target"] == "audit").collect();
    let of = |kind: &str| {
        audit
            .iter()
            .find(|l| l["fields"]["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {text}"))
    };
    let failed = of("login_failed");
    assert_eq!(failed["fields"]["actor"], "anonymous");
    assert_eq!(failed["fields"]["user_id"], alice.as_str());
    assert_eq!(failed["fields"]["ip"], "127.0.0.1");
    assert_eq!(failed["fields"]["detail"], "wrong email or password");
    assert_eq!(failed["fields"]["failure"], true);
    let ok = of("login_succeeded");
    assert_eq!(ok["fields"]["actor"], "user");
    assert_eq!(ok["fields"]["actor_id"], alice.as_str());
    assert_eq!(ok["fields"]["failure"], false);
    assert_eq!(ok["level"], "INFO");
}

// ---- retention ----

async fn count(s: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

async fn add_event(s: &TestServer, id: &str, at: i64) {
    sqlx::query(
        "INSERT INTO audit_events (id, at, kind, actor_kind, client_ip, detail)
         VALUES ($1, $2, 'login_failed', 'anonymous', '', 'test')",
    )
    .bind(id)
    .bind(at)
    .execute(&s.state.db)
    .await
    .unwrap();
}

async fn ids(s: &TestServer, sql: &str) -> Vec<String> {
    let mut v: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&s.state.db)
        .await
        .unwrap();
    v.sort();
    v
}

#[tokio::test]
async fn audit_events_past_their_retention_are_deleted_in_batches_and_newer_ones_stay() {
    let s = TestServer::start().await;
    let start = s.now();
    // More old events than one purge statement deletes.
    let old = jobs::PURGE_BATCH * 2 + 7;
    let mut tx = s.state.db.begin().await.unwrap();
    for i in 0..old {
        sqlx::query(
            "INSERT INTO audit_events (id, at, kind, actor_kind, client_ip, detail)
             VALUES ($1, $2, 'login_failed', 'anonymous', '', 'test')",
        )
        .bind(format!("old-{i:05}"))
        .bind(start)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    s.advance(10 * DAY);
    add_event(&s, "newer", s.now()).await;
    // 400 days after the old ones: the day they are kept is over...
    s.advance(390 * DAY);
    jobs::purge(&s.state).await.unwrap();
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM audit_events WHERE id LIKE 'old-%'"
        )
        .await,
        old,
        "400 days old: still kept"
    );
    s.advance(1);
    jobs::purge(&s.state).await.unwrap();
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM audit_events WHERE id LIKE 'old-%'"
        )
        .await,
        0
    );
    assert_eq!(
        ids(&s, "SELECT id FROM audit_events WHERE id = 'newer'").await,
        ["newer"]
    );
}

#[tokio::test]
async fn the_audit_retention_is_configurable() {
    let s = TestServer::start_with(Settings {
        audit_retention_days: 10,
        ..Settings::default()
    })
    .await;
    add_event(&s, "eleven-days", s.now()).await;
    s.advance(DAY);
    add_event(&s, "ten-days", s.now()).await;
    s.advance(10 * DAY);
    jobs::purge(&s.state).await.unwrap();
    assert_eq!(
        ids(&s, "SELECT id FROM audit_events WHERE id LIKE '%-days'").await,
        ["ten-days"]
    );
}

#[tokio::test]
async fn sent_and_given_up_emails_past_their_retention_go_and_waiting_ones_stay() {
    let s = TestServer::start_with(Settings {
        outbox_retention_days: 30,
        ..Settings::default()
    })
    .await;
    sqlx::query("DELETE FROM outbox")
        .execute(&s.state.db)
        .await
        .unwrap();
    let now = s.now();
    // (id, created, sent, attempts)
    let rows: [(&str, i64, Option<i64>, i64); 6] = [
        ("sent-old", now - 40 * DAY, Some(now - 31 * DAY), 1),
        ("sent-recently", now - 40 * DAY, Some(now - 29 * DAY), 3),
        ("given-up-old", now - 31 * DAY, None, 8),
        ("given-up-recently", now - 29 * DAY, None, 8),
        ("waiting-old", now - 300 * DAY, None, 0),
        ("retrying-old", now - 300 * DAY, None, 7),
    ];
    for (id, created, sent, attempts) in rows {
        sqlx::query(
            "INSERT INTO outbox (id, created_at, to_addr, kind, subject, body, sent_at, attempts)
             VALUES ($1, $2, 'a@example.com', 'test', 's', 'b', $3, $4)",
        )
        .bind(id)
        .bind(created)
        .bind(sent)
        .bind(attempts)
        .execute(&s.state.db)
        .await
        .unwrap();
    }
    jobs::purge(&s.state).await.unwrap();
    assert_eq!(
        ids(&s, "SELECT id FROM outbox").await,
        [
            "given-up-recently",
            "retrying-old",
            "sent-recently",
            "waiting-old"
        ]
    );
}

#[tokio::test]
async fn dead_sessions_and_challenges_go_in_batches_until_none_is_left() {
    let s = TestServer::start().await;
    let user: String = sqlx::query_scalar("SELECT id FROM users ORDER BY id LIMIT 1")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    let now = s.now();
    // More than two batches of each, all past their end.
    let n = 2 * jobs::PURGE_BATCH + 7;
    for i in 0..n {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, signed_in, methods, password_at,
                                   created_at, last_seen_at, expires_at, client_ip, user_agent)
             VALUES ($1, $2, TRUE, 'pwd', $3, $3, $3, $4, '', '')",
        )
        .bind(format!("dead-{i}"))
        .bind(&user)
        .bind(now - 3600)
        .bind(now - 1)
        .execute(&s.state.db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO challenges (id, session_hash, kind, payload, created_at, expires_at)
             VALUES ($1, 'x', 'webauthn_registration', '{}', $2, $3)",
        )
        .bind(format!("dead-{i}"))
        .bind(now - 600)
        .bind(now - 1)
        .execute(&s.state.db)
        .await
        .unwrap();
    }
    let dropped = jobs::purge(&s.state).await.unwrap();
    assert_eq!(dropped, n as u64);
    let left = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE id_hash LIKE 'dead-%'");
    assert_eq!(count(&s, &left("sessions")).await, 0);
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM challenges WHERE id LIKE 'dead-%'").await,
        0
    );
}

#[tokio::test]
async fn counts_towards_the_cap_go_after_ninety_quiet_days_unless_near_it() {
    let s = TestServer::start().await;
    let now = s.now();
    // (key, last failure, failures in a row)
    let rows: [(&str, i64, i64); 4] = [
        ("sprayed-address", now - 91 * DAY, 1),
        ("quiet-for-a-month", now - 30 * DAY, 3),
        ("near-the-cap", now - 91 * DAY, 80),
        ("suspended", now - 200 * DAY, 100),
    ];
    for (key, last, consecutive) in rows {
        sqlx::query(
            "INSERT INTO throttle (key, failures, last_failure_at, blocked_until, consecutive)
             VALUES ($1, 1, $2, 0, $3)",
        )
        .bind(key)
        .bind(last)
        .bind(consecutive)
        .execute(&s.state.db)
        .await
        .unwrap();
    }
    jobs::purge(&s.state).await.unwrap();
    let left = ids(&s, "SELECT key FROM throttle").await;
    assert_eq!(
        left,
        vec!["near-the-cap", "quiet-for-a-month", "suspended"],
        "an address tried once, long ago, keeps no row; a count near the \
         cap stays until a success or an administrator"
    );
}

#[tokio::test]
async fn quiet_throttle_counters_go_and_those_still_in_use_stay() {
    let s = TestServer::start().await;
    let api = s.api();
    // Real counters: failures for alice from this client.
    api.login(ALICE, "wrong password").await.fail();
    let live = count(&s, "SELECT COUNT(*) FROM throttle").await;
    assert!(live > 0);
    let now = s.now();
    // (key, failures, last failure, blocked until, failures in a row)
    let rows: [(&str, i64, i64, i64, i64); 4] = [
        ("quiet", 3, now - 3 * DAY, 0, 0),
        (
            "quiet-but-blocked-long-ago",
            9,
            now - 3 * DAY,
            now - 3 * DAY + 900,
            0,
        ),
        ("failed-yesterday", 3, now - DAY, 0, 0),
        ("failures-in-a-row", 3, now - 30 * DAY, 0, 3),
    ];
    for (key, failures, last, blocked, consecutive) in rows {
        sqlx::query(
            "INSERT INTO throttle (key, failures, last_failure_at, blocked_until, consecutive)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key)
        .bind(failures)
        .bind(last)
        .bind(blocked)
        .bind(consecutive)
        .execute(&s.state.db)
        .await
        .unwrap();
    }
    jobs::purge(&s.state).await.unwrap();
    let left = ids(&s, "SELECT key FROM throttle").await;
    assert!(!left.contains(&"quiet".to_string()), "{left:?}");
    assert!(
        !left.contains(&"quiet-but-blocked-long-ago".to_string()),
        "{left:?}"
    );
    assert!(left.contains(&"failed-yesterday".to_string()), "{left:?}");
    assert!(left.contains(&"failures-in-a-row".to_string()), "{left:?}");
    assert_eq!(
        left.len() as i64,
        live + 2,
        "today's counters stay: {left:?}"
    );

    // A login window goes once it is over and quiet.
    let windows = count(&s, "SELECT COUNT(*) FROM rate_windows").await;
    api.login(ALICE, PASSWORD).await.ok();
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM rate_windows").await,
        windows + 1
    );
    jobs::purge(&s.state).await.unwrap();
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM rate_windows").await,
        windows + 1
    );
    s.advance(3 * DAY);
    jobs::purge(&s.state).await.unwrap();
    assert_eq!(count(&s, "SELECT COUNT(*) FROM rate_windows").await, 0);
}
