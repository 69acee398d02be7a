//! Protect push against real `portcullis-server` processes, for
//! scripts/bench: how soon the browser learns of an approval, and how many
//! pushes the portal sends per second with its rate limit on.
//!
//!   cargo build --profile server-release -p portcullis-server \
//!       --bin portcullis-server --example push_bench
//!   target/server-release/examples/push_bench [DATABASE_URL] [--instances 1|2] \
//!       [--pushes N] [--users N]
//!
//! Without a URL the portal runs on a new SQLite file; a PostgreSQL URL
//! must name an empty database, which `--instances 2` (the default there)
//! shares between two processes: the browser talks to the first, the
//! phone to the second, so each approval crosses instances. It writes
//! `--users` users (default 200) into the database, starts the servers
//! (`PORTCULLIS_SERVER_BIN`, or the binary built beside this example),
//! signs every user in with the password over HTTP and enrolls a device
//! for each with the `protect` library. Then:
//!
//! - approval latency, over `--pushes` rounds (default 100, after 5 not
//!   timed): from just before the phone's signed approve is sent until the
//!   browser's `POST /api/v1/login/push/{id}/wait?wait=30` answers
//!   "approved" (the goal: p95 under 100 ms);
//! - pushes sent per second: every user's login at its push step, all send
//!   `POST /api/v1/login/push` at once (16 in flight, instances in turn) and
//!   are accepted; then all send a second one, which the limit of one
//!   outstanding push per user refuses with 429 (on the other instance,
//!   with two: the limit holds across them).
//!
//! Prints lines for people on stderr and one JSON line on stdout, for
//! scripts/bench. A measurement, not a test: nothing fails on speed.

mod approvals;
mod browser;
#[allow(dead_code)] // shared with systems_bench, which uses more of it
mod instances;
mod phone;
mod starts;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{bail, ensure, Context};
use portcullis_api::LoginResponse;
use portcullis_server::store::{self, Backend};

use crate::browser::Browser;
use crate::instances::Portal;

/// Rounds before timing: the first pay for cold connections and prepared
/// statements, which no steady-state request sees.
const WARM_UP: usize = 5;
/// Password logins at a time while setting up (Argon2 bound: more would
/// only queue on the server's hashing workers).
const LOGINS_AT_ONCE: usize = 4;
/// The goal for the approval's p95 (ms).
const GOAL_P95_MS: f64 = 100.0;

const USAGE: &str = "usage: push_bench [DATABASE_URL] [--instances 1|2] [--pushes N] [--users N]";

struct Options {
    url: Option<String>,
    instances: usize,
    pushes: usize,
    users: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut instances = None;
    let mut pushes = 100;
    let mut users = 200;
    while let Some(arg) = args.next() {
        let mut number = |what: &str| -> anyhow::Result<usize> {
            let n: usize = args.next().context(USAGE)?.parse()?;
            ensure!(n > 0, "{what} must be at least 1");
            Ok(n)
        };
        match arg.as_str() {
            "--instances" => instances = Some(number("--instances")?),
            "--pushes" => pushes = number("--pushes")?,
            "--users" => users = number("--users")?,
            _ if url.is_none() && !arg.starts_with("--") => url = Some(arg),
            _ => bail!(USAGE),
        }
    }
    let backend = match &url {
        Some(u) => Backend::of(u)?,
        None => Backend::Sqlite,
    };
    let instances = match (backend, instances) {
        (Backend::Sqlite, None | Some(1)) => 1,
        (Backend::Sqlite, Some(_)) => bail!("SQLite is one process: only --instances 1"),
        (Backend::Postgres, None) => 2,
        (Backend::Postgres, Some(n @ (1 | 2))) => n,
        (Backend::Postgres, Some(_)) => bail!("--instances is 1 or 2"),
    };
    Ok(Options {
        url,
        instances,
        pushes,
        users,
    })
}

/// `f(0..count)`, on `threads` threads; the results in order.
fn in_parallel<T: Send>(
    count: usize,
    threads: usize,
    f: impl Fn(usize) -> anyhow::Result<T> + Sync,
) -> anyhow::Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            return anyhow::Ok(done);
                        }
                        done.push((i, f(i)?));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(count);
        for worker in workers {
            all.extend(
                worker
                    .join()
                    .map_err(|_| anyhow::anyhow!("a thread panicked"))??,
            );
        }
        all.sort_by_key(|(i, _)| *i);
        Ok(all.into_iter().map(|(_, t)| t).collect())
    })
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[(n * p / 100).min(n - 1)].as_secs_f64() * 1000.0,
    }
}

fn main() -> anyhow::Result<()> {
    let opts = options()?;
    let dir = tempfile::tempdir()?;
    let url = match &opts.url {
        Some(u) => u.clone(),
        None => store::default_url(dir.path()),
    };
    // The runtime only writes the users; the rest is blocking HTTP on
    // plain threads, as the `protect` library's client blocks.
    let emails =
        tokio::runtime::Runtime::new()?.block_on(instances::seed_users(&url, opts.users))?;
    let portal = Portal::start(&instances::server_bin()?, &url, opts.instances, dir.path())?;
    let urls = &portal.urls;
    let browser_base = urls[0].as_str();
    // Requests that any instance may answer go to each in turn.
    let base_of = |i: usize| urls[i % urls.len()].as_str();
    let database = if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    eprintln!(
        "Protect push: {} instance(s) on {database}, {} users; browser on {browser_base}, phones on {}",
        urls.len(),
        emails.len(),
        portal.public_url
    );

    let http = browser::client(&portal.public_url)?;
    let phones = in_parallel(emails.len(), LOGINS_AT_ONCE, |i| {
        let (browser, answer) = Browser::login(&http, base_of(i), &emails[i])?;
        ensure!(
            matches!(answer, LoginResponse::Done { .. }),
            "{}: {answer:?}",
            emails[i]
        );
        phone::enroll(&browser, base_of(i), &format!("Bench phone {i}"))
    })?;

    let mut approved = Vec::with_capacity(opts.pushes);
    let mut requests = Vec::with_capacity(opts.pushes);
    for r in 0..WARM_UP + opts.pushes {
        let u = r % emails.len();
        let round = approvals::round(&http, browser_base, &emails[u], &phones[u])?;
        if r >= WARM_UP {
            approved.push(round.approved);
            requests.push(round.request);
        }
    }
    approved.sort();
    requests.sort();
    let (p50, p95) = (percentile(&approved, 50), percentile(&approved, 95));
    let verdict = if p95 < GOAL_P95_MS { "met" } else { "MISSED" };
    eprintln!(
        "approve → wait answers approved   n={:<4} p50 {p50:.1} ms   p95 {p95:.1} ms   (goal p95 < {GOAL_P95_MS} ms: {verdict})",
        approved.len()
    );
    eprintln!(
        "  the approve request alone        n={:<4} p50 {:.1} ms   p95 {:.1} ms",
        requests.len(),
        percentile(&requests, 50),
        percentile(&requests, 95)
    );

    let browsers = in_parallel(emails.len(), LOGINS_AT_ONCE, |i| {
        approvals::at_push_step(&http, base_of(i), &emails[i])
    })?;
    let first = starts::burst(&browsers, base_of)?;
    // The second push of each user goes to the other instance, if any.
    let second = starts::burst(&browsers, |i| base_of(i + 1))?;
    let sent = first.times_of(200);
    let refused = second.times_of(429);
    let unexpected = first.others(200).len() + second.others(429).len();
    eprintln!(
        "push sent (200), {} users at once  {:>5.0}/s   p50 {:.1} ms   p95 {:.1} ms   ({} in flight)",
        browsers.len(),
        first.rate_of(200),
        percentile(&sent, 50),
        percentile(&sent, 95),
        starts::IN_FLIGHT
    );
    eprintln!(
        "second push refused (429)          {:>5.0}/s   p50 {:.1} ms   p95 {:.1} ms",
        second.rate_of(429),
        percentile(&refused, 50),
        percentile(&refused, 95)
    );
    if unexpected > 0 {
        eprintln!(
            "unexpected answers: first push {:?}, second push {:?}",
            first.others(200),
            second.others(429)
        );
    }
    println!(
        "{}",
        serde_json::json!({
            "push_database": database,
            "push_instances": urls.len(),
            "push_rounds": approved.len(),
            "push_approved_p50_ms": p50,
            "push_approved_p95_ms": p95,
            "push_approve_request_p50_ms": percentile(&requests, 50),
            "push_users": browsers.len(),
            "push_sent_per_s": first.rate_of(200),
            "push_sent_p50_ms": percentile(&sent, 50),
            "push_sent_p95_ms": percentile(&sent, 95),
            "push_refused_per_s": second.rate_of(429),
            "push_refused_p50_ms": percentile(&refused, 50),
            "push_refused_p95_ms": percentile(&refused, 95),
            "push_unexpected": unexpected,
        })
    );
    Ok(())
}
