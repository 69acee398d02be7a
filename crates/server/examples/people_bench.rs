//! Bringing people in at scale: the preview and the import of a CSV file of
//! 10,000 users in five groups (each user invited: a link and an email),
//! into the demo organisation; then SCIM creates over HTTP (the server in
//! this process, on a loopback port; 8 requests in flight), as an identity
//! provider's first sync sends them. Prints the times, and a JSON line last.
//!
//!   cargo run --profile server-release -p portcullis-server --example people_bench -- \
//!       [DATABASE_URL] [--rows N] [--scim N]
//!
//! Without a URL it uses a new SQLite file in a temporary directory. A
//! PostgreSQL URL must name an empty database. A measurement, not a test:
//! the goal (10,000 rows in at most 10 s on SQLite) is printed, not checked.

use std::sync::Arc;
use std::time::Instant;

use portcullis_api::UserImport;
use portcullis_server::admin::{self, ListQuery};
use portcullis_server::app::AppState;
use portcullis_server::auth::client::Client;
use portcullis_server::auth::session::{self, Method, NewSession, Proof};
use portcullis_server::auth::{self, Access, Authed};
use portcullis_server::clock::ManualClock;
use portcullis_server::config::Settings;
use portcullis_server::rules::resource::Resource;
use portcullis_server::secret::SecretBox;
use portcullis_server::wake::Notifier;
use portcullis_server::{demo, people, store};

/// 2026-11-22T00:00:00Z
const T0: i64 = 1_795_305_600;
/// The goal for the whole import, in seconds.
const GOAL_S: f64 = 10.0;
/// The goal for SCIM creates, per second.
const SCIM_GOAL: f64 = 200.0;

fn err(e: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// The demo billing administrator, signed in with a second factor now.
async fn admin_session(state: &AppState, client: &Client) -> anyhow::Result<Authed> {
    let q = ListQuery {
        search: Some("admin@example.com".into()),
        ..ListQuery::default()
    };
    let id = admin::list(state, &q)
        .await
        .map_err(err)?
        .users
        .into_iter()
        .next()
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("no demo admin"))?;
    let mut conn = state.db.acquire().await?;
    let cookie = session::start(
        &mut conn,
        &state.settings,
        NewSession {
            user_id: &id,
            signed_in: true,
            proof: Proof {
                methods: vec![Method::Password, Method::Totp],
                password_at: T0,
                second_factor_at: Some(T0),
            },
            not_after: None,
            client,
            resource: Resource::AdminPortal,
            known_browser: false,
        },
        T0,
    )
    .await
    .map_err(err)?;
    drop(conn);
    auth::authenticate(state, Some(cookie.expose()), Access::Admin)
        .await
        .map_err(err)
}

fn file(rows: usize) -> String {
    let groups = ["Sales", "Support", "Engineering", "Finance", "Operations"];
    let mut f = String::from("name,email,role,groups\n");
    for i in 0..rows {
        let role = if i % 100 == 0 { "admin" } else { "user" };
        f.push_str(&format!(
            "Imported Person {i},imported{i:05}@example.com,{role},{};All staff\n",
            groups[i % groups.len()]
        ));
    }
    f
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = match args.iter().position(|a| a == "--rows") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000),
        None => 10_000,
    };
    let dir = tempfile::tempdir()?;
    let url = match args.first().filter(|a| !a.starts_with("--")) {
        Some(url) => url.clone(),
        None => store::default_url(dir.path()),
    };
    let backend = store::Backend::of(&url)?;
    let pool = store::connect(&url).await?;
    let wake = Notifier::start(&url, &pool).await?;
    let state = AppState::new(
        pool,
        Arc::new(ManualClock::new(T0)),
        Settings::default(),
        SecretBox::random(),
        wake,
    )?;
    demo::seed(&state, "bench-password-1").await?;
    let client = Client::new(Some("127.0.0.1".parse()?), "people_bench");
    let authed = admin_session(&state, &client).await?;

    let body = UserImport {
        csv: file(rows),
        valid_rows_only: false,
    };
    let t = Instant::now();
    let preview = people::import::preview(&state, &authed, &body)
        .await
        .map_err(err)?;
    let preview_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        preview.ready as usize == rows && preview.problems.is_empty(),
        "the bench file has problems: {:?}",
        preview.problems.first()
    );
    let t = Instant::now();
    let done = people::import::import(&state, &authed, &body, &client)
        .await
        .map_err(err)?;
    let import_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(done.imported as usize == rows, "imported {}", done.imported);
    let mark = if import_s <= GOAL_S { "" } else { "  OVER" };
    eprintln!(
        "CSV import ({backend:?}), {rows} rows in 6 groups: preview {preview_s:.2} s, \
         import {import_s:.2} s ({:.0} users/s; goal: 10,000 in at most {GOAL_S} s){mark}",
        rows as f64 / import_s
    );
    let scim_users: usize = match args.iter().position(|a| a == "--scim") {
        Some(i) => args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1000),
        None => 1000,
    };
    let scim_per_s = scim_creates(&state, scim_users).await?;
    let mark = if scim_per_s >= SCIM_GOAL {
        ""
    } else {
        "  UNDER"
    };
    eprintln!(
        "SCIM creates ({backend:?}), {scim_users} users over HTTP: {scim_per_s:.0} users/s \
         (goal: at least {SCIM_GOAL}){mark}"
    );
    println!(
        "{{\"import_rows\":{rows},\"import_preview_s\":{preview_s:.3},\"import_s\":{import_s:.3},\"scim_creates_per_s\":{scim_per_s:.1}}}"
    );
    Ok(())
}

/// POSTs `n` users to /scim/v2/Users, 8 at a time; users per second.
async fn scim_creates(state: &AppState, n: usize) -> anyhow::Result<f64> {
    let token = portcullis_server::scim::tokens::issue_from_command_line(state, "bench").await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = portcullis_server::http::app(state.clone(), None);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/scim/v2/Users");
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (http, url, token, next) = (http.clone(), url.clone(), token.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return Ok::<(), anyhow::Error>(());
                }
                let body = serde_json::json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": format!("synced{i:05}@example.com"),
                    "externalId": format!("idp-{i}"),
                    "name": {"givenName": "Synced", "familyName": format!("Person {i}")},
                    "emails": [{"value": format!("synced{i:05}@example.com"), "type": "work", "primary": true}],
                    "active": true,
                });
                let r = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/scim+json")
                    .body(body.to_string())
                    .send()
                    .await?;
                anyhow::ensure!(r.status().as_u16() == 201, "SCIM create answered {}", r.status());
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(n as f64 / t.elapsed().as_secs_f64())
}
