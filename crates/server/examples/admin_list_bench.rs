//! The admin users list at scale. Seeds a fresh database with a large
//! organisation in a realistic mix of MFA states (default 100,000 users),
//! then prints, for every filter and order, the time of the first page and
//! of a page half-way down the list (median of 5 runs each; a "-" before
//! the order is backwards), marks and lists those over the goal of 50 ms,
//! the database's plan for some of them, and the time of a bulk Require
//! MFA on 1,000 users and of the CSV export of everyone.
//!
//!   cargo run --profile server-release -p portcullis-server --example admin_list_bench -- \
//!       [DATABASE_URL] [--users N]
//!
//! Without a URL it uses a new SQLite file in a temporary directory. A
//! PostgreSQL URL must name an empty database. A measurement, not a test.

use std::sync::Arc;
use std::time::Instant;

use portcullis_api::{
    BulkAction, BulkInput, BulkTarget, PeriodChoice, StatusFilter, UserFilter, UserSort,
};
use portcullis_server::admin::{self, ListQuery};
use portcullis_server::app::AppState;
use portcullis_server::auth::client::Client;
use portcullis_server::auth::session::{self, Method, NewSession, Proof};
use portcullis_server::auth::{self, Access};
use portcullis_server::clock::ManualClock;
use portcullis_server::config::Settings;
use portcullis_server::rules::resource::Resource;
use portcullis_server::secret::SecretBox;
use portcullis_server::wake::Notifier;
use portcullis_server::{demo, store};

/// 2026-11-22T00:00:00Z
const T0: i64 = 1_795_305_600;

/// Every page, first or deep, should take less than this (ms).
const GOAL_MS: f64 = 50.0;

fn median_ms(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

async fn time_list(state: &AppState, q: &ListQuery) -> anyhow::Result<f64> {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        admin::list(state, q)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        runs.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median_ms(runs))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let users: u32 = match args.iter().position(|a| a == "--users") {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000),
        None => 100_000,
    };
    let dir = tempfile::tempdir()?;
    let url = match args.first().filter(|a| !a.starts_with("--")) {
        Some(url) => url.clone(),
        None => store::default_url(dir.path()),
    };
    let backend = store::Backend::of(&url)?;
    let pool = store::connect(&url).await?;
    let wake = Notifier::start(&url, &pool).await?;
    let clock = ManualClock::new(T0);
    let state = AppState::new(
        pool,
        Arc::new(clock),
        Settings::default(),
        SecretBox::random(),
        wake,
    )?;

    let t = Instant::now();
    demo::seed(&state, "bench-password-1").await?;
    demo::seed_population(&state, users, T0).await?;
    println!(
        "seeded {users} users ({backend:?}) in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    println!("\nfirst page and a page half-way down, 50 users each, median of 5 (ms)");
    println!(
        "{:<28} {:<9} {:>8} {:>9} {:>9}",
        "filter", "sort", "matching", "first", "half-way"
    );
    let filters: Vec<(String, ListQuery)> =
        std::iter::once(("everyone".to_string(), ListQuery::default()))
            .chain(StatusFilter::ALL.into_iter().map(|s| {
                let name = serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                (
                    format!("status={name}"),
                    ListQuery {
                        status: Some(s),
                        ..ListQuery::default()
                    },
                )
            }))
            .chain([
                (
                    "required=false".to_string(),
                    ListQuery {
                        required: Some(false),
                        ..ListQuery::default()
                    },
                ),
                (
                    "factor=totp".to_string(),
                    ListQuery {
                        factor: Some(portcullis_api::FactorKind::Totp),
                        ..ListQuery::default()
                    },
                ),
                (
                    "search=\"ada\"".to_string(),
                    ListQuery {
                        search: Some("ada".into()),
                        ..ListQuery::default()
                    },
                ),
            ])
            .collect();
    let mut worst: f64 = 0.0;
    let mut misses: Vec<String> = Vec::new();
    for (name, base) in &filters {
        let matching = admin::count(&state, base)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        // The orders read in parts (status, deadline) also backwards: the
        // parts come the other way round.
        for (sort, desc) in [
            (UserSort::Email, false),
            (UserSort::Name, false),
            (UserSort::Status, false),
            (UserSort::Status, true),
            (UserSort::Deadline, false),
            (UserSort::Deadline, true),
        ] {
            let q = ListQuery {
                sort,
                desc,
                limit: Some(50),
                ..base.clone()
            };
            let first = time_list(&state, &q).await?;
            let half = u32::try_from(matching / 2).unwrap_or(u32::MAX);
            let deep = match admin::cursor_at(&state, &q, half.max(1))
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
            {
                Some(after) if matching > 100 => {
                    let deep_q = ListQuery {
                        after: Some(after),
                        ..q.clone()
                    };
                    time_list(&state, &deep_q).await?
                }
                _ => f64::NAN,
            };
            worst = worst.max(first).max(if deep.is_nan() { 0.0 } else { deep });
            let sort_name = format!("{}{sort:?}", if desc { "-" } else { "" }).to_lowercase();
            // NaN (no deep page) compares false: never over.
            let over: Vec<&str> = [("first", first), ("half-way", deep)]
                .into_iter()
                .filter(|(_, ms)| *ms >= GOAL_MS)
                .map(|(which, _)| which)
                .collect();
            let mark = if over.is_empty() { "" } else { "  OVER" };
            println!("{name:<28} {sort_name:<9} {matching:>8} {first:>9.2} {deep:>9.2}{mark}");
            for which in over {
                misses.push(format!("{name} by {sort_name}, {which} page"));
            }
        }
    }
    println!("slowest page: {worst:.2} ms (goal: under {GOAL_MS} ms)");
    if misses.is_empty() {
        println!("every page under the goal");
    } else {
        println!("{} pages over the goal:", misses.len());
        for miss in &misses {
            println!("  {miss}");
        }
    }

    println!("\nquery plans");
    let plans = [
        ("everyone by email, a page deep", ListQuery::default(), true),
        (
            "in an enrollment period, by deadline",
            ListQuery {
                status: Some(StatusFilter::EnrollmentPeriod),
                sort: UserSort::Deadline,
                ..ListQuery::default()
            },
            false,
        ),
        (
            "everyone by name, a page deep",
            ListQuery {
                sort: UserSort::Name,
                ..ListQuery::default()
            },
            true,
        ),
        (
            "everyone by status",
            ListQuery {
                sort: UserSort::Status,
                ..ListQuery::default()
            },
            false,
        ),
        (
            "with an authenticator app, by status",
            ListQuery {
                factor: Some(portcullis_api::FactorKind::Totp),
                sort: UserSort::Status,
                ..ListQuery::default()
            },
            false,
        ),
        (
            "with an authenticator app, by deadline",
            ListQuery {
                factor: Some(portcullis_api::FactorKind::Totp),
                sort: UserSort::Deadline,
                ..ListQuery::default()
            },
            false,
        ),
        (
            "no MFA, by deadline",
            ListQuery {
                status: Some(StatusFilter::None),
                sort: UserSort::Deadline,
                ..ListQuery::default()
            },
            false,
        ),
        (
            "required, no period, by deadline, a page deep",
            ListQuery {
                status: Some(StatusFilter::RequiredNoPeriod),
                sort: UserSort::Deadline,
                ..ListQuery::default()
            },
            true,
        ),
        (
            "everyone by deadline, latest first, a page deep",
            ListQuery {
                sort: UserSort::Deadline,
                desc: true,
                ..ListQuery::default()
            },
            true,
        ),
    ];
    for (title, mut q, deep) in plans {
        if deep {
            let matching = admin::count(&state, &q)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let half = u32::try_from(matching / 2).unwrap_or(u32::MAX).max(1);
            q.after = admin::cursor_at(&state, &q, half)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        println!("  {title}:");
        for line in admin::explain(&state, backend, &q)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
        {
            println!("    {line}");
        }
    }

    // An administrator's session, proven with a second factor just now.
    let admin_user = store_admin_id(&state).await?;
    let client = Client::new(Some("127.0.0.1".parse()?), "admin_list_bench");
    let mut conn = state.db.acquire().await?;
    let cookie = session::start(
        &mut conn,
        &state.settings,
        NewSession {
            user_id: &admin_user,
            signed_in: true,
            proof: Proof {
                methods: vec![Method::Password, Method::Totp],
                password_at: T0,
                second_factor_at: Some(T0),
            },
            not_after: None,
            client: &client,
            resource: Resource::AdminPortal,
            known_browser: false,
        },
        T0,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    drop(conn);
    let authed = auth::authenticate(&state, Some(cookie.expose()), Access::Admin)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // user000000 … user000999: one thousand users.
    let request = BulkInput {
        action: BulkAction::Require,
        period_days: PeriodChoice::Days(7),
        target: BulkTarget::Filter(UserFilter {
            search: Some("user000".into()),
            ..UserFilter::default()
        }),
    };
    let t = Instant::now();
    let preview = admin::bulk_preview(&state, &authed, &request)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let preview_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let done = admin::bulk(&state, &authed, &request, &client)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "\nbulk Require MFA on {} users: preview {preview_ms:.1} ms, apply {:.1} ms ({} changed)",
        preview.changed,
        t.elapsed().as_secs_f64() * 1000.0,
        done.changed
    );
    let t = Instant::now();
    let csv = admin::csv(&state, &ListQuery::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "CSV export of everyone: {:.0} ms, {:.1} MB",
        t.elapsed().as_secs_f64() * 1000.0,
        csv.len() as f64 / 1e6
    );
    Ok(())
}

/// The demo's billing administrator.
async fn store_admin_id(state: &AppState) -> anyhow::Result<String> {
    let page = admin::list(
        state,
        &ListQuery {
            search: Some("admin@example.com".into()),
            ..ListQuery::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    page.users
        .into_iter()
        .next()
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("no demo admin"))
}
