//! Pushes sent with the rate limit on (one outstanding push per user and
//! resource): every user's login waits at its push step, then all send
//! their push at once, a fixed number of requests in flight; then all send
//! a second one, which the limit refuses with 429.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use crate::browser::Browser;

/// Requests in flight during a burst.
pub const IN_FLIGHT: usize = 16;

/// What a burst of `POST /api/v1/login/push` got.
pub struct Burst {
    /// Each request's answer and how long it took.
    pub answers: Vec<(u16, Duration)>,
    /// From the first request sent until the last answered.
    pub elapsed: Duration,
}

impl Burst {
    /// The requests answered `status`, their times sorted.
    pub fn times_of(&self, status: u16) -> Vec<Duration> {
        let mut t: Vec<Duration> = self
            .answers
            .iter()
            .filter(|(s, _)| *s == status)
            .map(|(_, t)| *t)
            .collect();
        t.sort();
        t
    }

    /// Requests answered `status` per second of the burst.
    pub fn rate_of(&self, status: u16) -> f64 {
        self.times_of(status).len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The answers other than `status`.
    pub fn others(&self, status: u16) -> Vec<u16> {
        self.answers
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| *s != status)
            .collect()
    }
}

/// Every browser sends one push, to the instance `base_of` picks for it.
pub fn burst<'a>(
    browsers: &[Browser<'_>],
    base_of: impl Fn(usize) -> &'a str + Sync,
) -> anyhow::Result<Burst> {
    let next = AtomicUsize::new(0);
    // The workers start together, so the clock runs only while requests do.
    let start = Barrier::new(IN_FLIGHT + 1);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..IN_FLIGHT)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(browser) = browsers.get(i) else {
                            break;
                        };
                        let t = Instant::now();
                        let (status, _) = browser.post_raw(base_of(i), "/api/v1/login/push")?;
                        let now = Instant::now();
                        done.push((i, status, now - t, now));
                    }
                    anyhow::Ok(done)
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        let mut answers = vec![(0, Duration::ZERO); browsers.len()];
        let mut last = began;
        for worker in workers {
            let done = worker
                .join()
                .map_err(|_| anyhow::anyhow!("a request thread panicked"))??;
            for (i, status, took, at) in done {
                answers[i] = (status, took);
                last = last.max(at);
            }
        }
        Ok(Burst {
            answers,
            elapsed: last - began,
        })
    })
}
