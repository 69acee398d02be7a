//! Notify→wake latency of `portcullis_server::wake::Notifier`, for
//! scripts/bench. No HTTP endpoint waits on wake-ups yet, so this drives the
//! notifier directly, the way a request handler will:
//!
//!   cargo run --profile server-release --example wake_latency -p portcullis-server -- \
//!       URL [--instances 1|2] [--rounds N]
//!
//! With `--instances 2` (the default on PostgreSQL) it opens two "instances"
//! on the database at URL — two pools, two notifiers, so two listening
//! connections — and times a wake-up sent on A until a waiter on B has it.
//! With `--instances 1` one notifier both sends and waits; on PostgreSQL the
//! wake-up still makes the round trip through the database. SQLite has no
//! cross-process wake-ups, so there it is always one in-process instance.
//!
//! Prints a line for people, then one JSON line for scripts/bench.

use std::time::Duration;

use anyhow::{bail, Context};
use portcullis_server::store::{self, Backend};
use portcullis_server::wake::{Notifier, Woken};
use tokio::time::Instant;

/// Rounds before measuring: the first wake-ups pay for cold connections and
/// prepared statements, which no steady-state request sees.
const WARM_UP: usize = 20;
/// A wake-up slower than this counts as lost (and is not timed).
const GIVE_UP: Duration = Duration::from_secs(5);
const TOPIC: &str = "bench:wake-latency";

struct Options {
    url: String,
    instances: usize,
    rounds: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut instances = None;
    let mut rounds = 500;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--instances" => {
                instances = Some(args.next().context("--instances needs 1 or 2")?.parse()?)
            }
            "--rounds" => rounds = args.next().context("--rounds needs a number")?.parse()?,
            _ if url.is_none() && !arg.starts_with("--") => url = Some(arg),
            _ => bail!("usage: wake_latency URL [--instances 1|2] [--rounds N]"),
        }
    }
    let url = url.context("usage: wake_latency URL [--instances 1|2] [--rounds N]")?;
    let instances = match (Backend::of(&url)?, instances) {
        (Backend::Sqlite, None | Some(1)) => 1,
        (Backend::Sqlite, Some(_)) => bail!("SQLite is one process: only --instances 1"),
        (Backend::Postgres, None) => 2,
        (Backend::Postgres, Some(n @ (1 | 2))) => n,
        (Backend::Postgres, Some(_)) => bail!("--instances is 1 or 2"),
    };
    if rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    Ok(Options {
        url,
        instances,
        rounds,
    })
}

/// Sends one wake-up on `from` and waits for it on `to`; the time from the
/// call to `notify` until the waiter has it, or `None` if it never came.
async fn one_round(
    from: &Notifier,
    to: &Notifier,
    round: usize,
) -> anyhow::Result<Option<Duration>> {
    let payload = round.to_string();
    // Subscribed before sending, as a real waiter does, so the wake-up
    // cannot slip past.
    let mut sub = to.subscribe(TOPIC);
    let start = Instant::now();
    from.notify(TOPIC, &payload)
        .await
        .map_err(|e| anyhow::anyhow!("notify: {e}"))?;
    let deadline = start + GIVE_UP;
    loop {
        match sub.next(deadline).await {
            Woken::Notified(p) if p == payload => return Ok(Some(start.elapsed())),
            // A late one from an earlier round, or a resync after a dropped
            // connection: neither is this round's wake-up.
            Woken::Notified(_) | Woken::Resync => continue,
            Woken::TimedOut => return Ok(None),
        }
    }
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    let i = (sorted.len() * p / 100).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let opts = options()?;
    let backend = Backend::of(&opts.url)?;
    let db_a = store::connect(&opts.url).await?;
    let a = Notifier::start(&opts.url, &db_a).await?;
    // Its own pool and its own listening connection, as a second process
    // on the same database would have.
    let (b, _db_b) = if opts.instances == 2 {
        let db_b = store::connect(&opts.url).await?;
        (Notifier::start(&opts.url, &db_b).await?, Some(db_b))
    } else {
        (a.clone(), None)
    };

    for round in 0..WARM_UP {
        one_round(&a, &b, round).await?;
    }
    let mut times = Vec::with_capacity(opts.rounds);
    let mut lost = 0;
    for round in WARM_UP..WARM_UP + opts.rounds {
        match one_round(&a, &b, round).await? {
            Some(t) => times.push(t),
            None => lost += 1,
        }
    }
    if times.is_empty() {
        bail!("no wake-up arrived in {} rounds", opts.rounds);
    }
    times.sort();
    let (p50, p95) = (percentile(&times, 50), percentile(&times, 95));
    let mode = match (backend, opts.instances) {
        (Backend::Sqlite, _) => "in-process",
        (Backend::Postgres, 1) => "postgres, same instance",
        (Backend::Postgres, _) => "postgres, across instances",
    };
    println!(
        "notify→wake ({mode}) n={} p50 {p50:.4} ms   p95 {p95:.4} ms   lost {lost}",
        times.len()
    );
    println!(
        "{}",
        serde_json::json!({
            "mode": mode,
            "instances": opts.instances,
            "rounds": times.len(),
            "lost": lost,
            "wake_p50_ms": p50,
            "wake_p95_ms": p95,
        })
    );
    Ok(())
}
