//! Logins on systems against a real `portcullis-server` process, for
//! scripts/bench: RADIUS Access-Requests answered per second (the password
//! step, which Argon2 bounds, and the code step after the challenge, the
//! goal: 500/s on 2 cores), and a host's push (as `pam_portcullis.so`
//! waits for it): from the phone's approval until the host's wait answers
//! "approved" (the goal: p95 under 100 ms).
//!
//!   cargo build --profile server-release -p portcullis-server \
//!       --bin portcullis-server --example systems_bench
//!   target/server-release/examples/systems_bench [DATABASE_URL] [--users N] [--pushes N]
//!
//! It writes `--users` users (default 400) into the database (as
//! push_bench does), starts one server with `--radius-listen`, makes an
//! administrator with `create-admin` and their setup link, registers a
//! RADIUS client and a host, and signs every user in over HTTP to set up
//! an authenticator app (most) or a Protect device (20, through the
//! `protect` library). Prints lines for people on stderr and one JSON line
//! on stdout. A measurement, not a test: nothing fails on speed.

#[path = "../push_bench/browser.rs"]
mod browser;
mod host;
#[allow(dead_code)] // shared with push_bench, which uses other parts
#[path = "../push_bench/instances.rs"]
mod instances;
#[path = "../push_bench/phone.rs"]
mod phone;
mod radius;

use std::net::UdpSocket;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use portcullis_api::{LoginResponse, TotpEnrollment};
use portcullis_server::mfa::totp;
use portcullis_server::store;

use crate::browser::Browser;
use crate::instances::Portal;

const USAGE: &str = "usage: systems_bench [DATABASE_URL] [--users N] [--pushes N]";
/// Users with a Protect device, for the host's pushes.
const PHONES: usize = 20;
/// Password logins at a time while setting up (Argon2 bound).
const LOGINS_AT_ONCE: usize = 4;
/// RADIUS requests in flight at once.
const IN_FLIGHT: usize = 32;
const SECRET: &str = "systems-bench-shared-secret";
const ADMIN: &str = "ops@systems.example";

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[(n * p / 100).min(n - 1)].as_secs_f64() * 1000.0,
    }
}

/// `f(i)` for i in 0..n, `at_once` threads taking the next i in turn.
fn in_parallel<T: Send>(
    n: usize,
    at_once: usize,
    f: impl Fn(usize) -> anyhow::Result<T> + Sync,
) -> anyhow::Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let results = std::thread::scope(|s| {
        let workers: Vec<_> = (0..at_once)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return anyhow::Ok(mine);
                        }
                        mine.push((i, f(i)?));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| anyhow::anyhow!("a worker panicked"))?)
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    for (i, v) in results.into_iter().flatten() {
        out[i] = Some(v);
    }
    out.into_iter()
        .map(|v| v.context("a result is missing"))
        .collect()
}

/// The address user `i` connects to the VPN from.
fn station(i: usize) -> String {
    format!("10.{}.{}.{}", i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff)
}

fn step_now() -> i64 {
    totp::step_of(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
    )
}

/// Sets up an authenticator app for a signed-in browser: its key and the
/// step its first code used.
fn enroll_app(browser: &mut Browser, base: &str) -> anyhow::Result<(String, i64)> {
    let setup: TotpEnrollment = browser.post(base, "/api/v1/totp/enroll")?;
    let step = step_now();
    let code = totp::code_at(&setup.secret, step).context("a code")?;
    let (status, text) = browser.post_json(
        base,
        "/api/v1/totp/confirm",
        &serde_json::json!({ "code": code }),
    )?;
    ensure!(status == 200, "confirming the app: {status} {text}");
    Ok((setup.secret, step))
}

struct Options {
    url: Option<String>,
    users: usize,
    pushes: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        url: None,
        users: 400,
        pushes: 100,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number =
            || -> anyhow::Result<usize> { args.next().and_then(|n| n.parse().ok()).context(USAGE) };
        match a.as_str() {
            "--users" => o.users = number()?.max(PHONES + 10),
            "--pushes" => o.pushes = number()?,
            url if !url.starts_with('-') && o.url.is_none() => o.url = Some(url.to_string()),
            _ => bail!(USAGE),
        }
    }
    Ok(o)
}

fn main() -> anyhow::Result<()> {
    let opts = options()?;
    let dir = tempfile::tempdir()?;
    let url = match &opts.url {
        Some(u) => u.clone(),
        None => store::default_url(dir.path()),
    };
    let emails =
        tokio::runtime::Runtime::new()?.block_on(instances::seed_users(&url, opts.users))?;
    let radius_port = std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let bin = instances::server_bin()?;
    let extra = [
        "--radius-listen".to_string(),
        format!("127.0.0.1:{radius_port}"),
    ];
    let portal = Portal::start_with(&bin, &url, 1, dir.path(), &extra)?;
    let base = portal.urls[0].as_str();
    let http = browser::client(&portal.public_url)?;

    // An administrator through `create-admin` and its setup link.
    let out = Command::new(&bin)
        .args(["--database", &url, "--data-dir"])
        .arg(dir.path().join("cli"))
        .args(["create-admin", "--email", ADMIN, "--name", "Ops Person"])
        .env("PORTCULLIS_ENCRYPTION_KEY", &portal.key)
        .env("RUST_LOG", "warn")
        .output()?;
    let printed = String::from_utf8_lossy(&out.stdout);
    let token = printed
        .split_whitespace()
        .find_map(|w| w.split_once("/welcome#").map(|(_, t)| t.to_string()))
        .with_context(|| format!("no setup link in: {printed}"))?;
    let mut admin = Browser::welcome(&http, base, &token)?;
    enroll_app(&mut admin, base)?;
    let (status, text) = admin.post_json(
        base,
        "/api/v1/admin/radius-clients",
        &serde_json::json!({ "name": "Bench VPN", "address": "127.0.0.1", "secret": SECRET, "everyone": true }),
    )?;
    ensure!(
        status == 201,
        "registering the RADIUS client: {status} {text}"
    );
    let host = host::Host::register(&mut admin, base)?;

    let (app_users, phone_users) = emails.split_at(emails.len() - PHONES);
    eprintln!(
        "systems: {} users with an app, {PHONES} with a phone; setting up",
        app_users.len()
    );
    let apps = in_parallel(app_users.len(), LOGINS_AT_ONCE, |i| {
        let (mut browser, answer) = Browser::login(&http, base, &app_users[i])?;
        ensure!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
        enroll_app(&mut browser, base)
    })?;
    let phones = in_parallel(phone_users.len(), LOGINS_AT_ONCE, |i| {
        let (browser, answer) = Browser::login(&http, base, &phone_users[i])?;
        ensure!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
        phone::enroll(&browser, base, &format!("Bench phone {i}"))
    })?;

    // RADIUS: the password step of every app user (Argon2 each), then the
    // code step, answering each challenge.
    let target = format!("127.0.0.1:{radius_port}");
    let started = Instant::now();
    let states = in_parallel(app_users.len(), IN_FLIGHT, |i| {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_secs(30)))?;
        let reply = radius::ask(
            &socket,
            &target,
            SECRET,
            &app_users[i],
            instances::PASSWORD,
            None,
            &station(i),
        )?;
        ensure!(
            reply.code == radius::CHALLENGE,
            "{}: {reply:?}",
            app_users[i]
        );
        reply.state.context("no State")
    })?;
    let password_rate = app_users.len() as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    in_parallel(app_users.len(), IN_FLIGHT, |i| {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_secs(30)))?;
        let (secret, used) = &apps[i];
        let code = totp::code_at(secret, step_now().max(used + 1)).context("a code")?;
        let reply = radius::ask(
            &socket,
            &target,
            SECRET,
            &app_users[i],
            &code,
            Some(&states[i]),
            &station(i),
        )?;
        ensure!(
            reply.code == radius::ACCEPT,
            "{}: {:?}",
            app_users[i],
            reply.message
        );
        Ok(())
    })?;
    let code_rate = app_users.len() as f64 / started.elapsed().as_secs_f64();
    let verdict = if code_rate >= 500.0 { "met" } else { "MISSED" };
    eprintln!(
        "RADIUS password step (Argon2)      {password_rate:>5.0}/s   ({IN_FLIGHT} in flight, {} requests)",
        app_users.len()
    );
    eprintln!("RADIUS code step (after challenge) {code_rate:>5.0}/s   (goal 500/s: {verdict})");

    // A host's push, as the PAM module waits for it.
    let mut times = Vec::new();
    for r in 0..opts.pushes + 5 {
        let u = r % phone_users.len();
        let t = host.push_round(base, &phone_users[u], &phones[u])?;
        if r >= 5 {
            times.push(t);
        }
    }
    times.sort();
    let (p50, p95) = (percentile(&times, 50), percentile(&times, 95));
    let verdict = if p95 < 100.0 { "met" } else { "MISSED" };
    eprintln!(
        "host push: approve → host's wait   n={:<4} p50 {p50:.1} ms   p95 {p95:.1} ms   (goal p95 < 100 ms: {verdict})",
        times.len()
    );
    println!(
        "{}",
        serde_json::json!({
            "radius_password_per_s": password_rate,
            "radius_code_per_s": code_rate,
            "host_push_p50_ms": p50,
            "host_push_p95_ms": p95,
        })
    );
    drop(portal);
    Ok(())
}
