//! Bringing people in at scale: the preview and the import of a CSV file of
//! 10,000 users in five groups (each user invited: a link and an email),
//! into the demo organisation. Prints the times, and a JSON line last.
//!
//!   cargo run --profile server-release -p portcullis-server --example people_bench -- \
//!       [DATABASE_URL] [--rows N]
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
    println!(
        "{{\"import_rows\":{rows},\"import_preview_s\":{preview_s:.3},\"import_s\":{import_s:.3}}}"
    );
    Ok(())
}
