//! Prometheus metrics: a few counters and one histogram kept in atomics,
//! and the text exposition format written by hand (no metrics crate: the
//! set is small and fixed, and this keeps the dependency tree as it was).
//!
//! The counters are this process's own (Prometheus scrapes each instance
//! and adds them up); what lives in the database — queue depths — is read
//! at scrape time ([`Gauges`]), so every instance reports the same. The
//! counters are fed where the domain already records outcomes: the audit
//! log (`audit::record`: logins), the HTTP error mapping (throttle
//! refusals), the push answer (its latency) and the periodic jobs.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a login step ended, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Signed in.
    Succeeded,
    /// The password passed; a second factor or enrollment follows.
    PasswordOk,
    /// A wrong password or second factor.
    Failed,
    /// The enrollment period is over.
    Locked,
    /// Failures in a row reached the cap.
    Suspended,
}

impl Outcome {
    const ALL: [Outcome; 5] = [
        Outcome::Succeeded,
        Outcome::PasswordOk,
        Outcome::Failed,
        Outcome::Locked,
        Outcome::Suspended,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::PasswordOk => "password_ok",
            Outcome::Failed => "failed",
            Outcome::Locked => "locked",
            Outcome::Suspended => "suspended",
        }
    }
}

/// The factor a login step used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Password,
    Totp,
    Webauthn,
    Push,
    RecoveryCode,
    TrustedBrowser,
    /// A step with no factor of its own (enrollment postponed).
    None,
}

impl Factor {
    const ALL: [Factor; 7] = [
        Factor::Password,
        Factor::Totp,
        Factor::Webauthn,
        Factor::Push,
        Factor::RecoveryCode,
        Factor::TrustedBrowser,
        Factor::None,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Factor::Password => "password",
            Factor::Totp => "totp",
            Factor::Webauthn => "webauthn",
            Factor::Push => "push",
            Factor::RecoveryCode => "recovery_code",
            Factor::TrustedBrowser => "trusted_browser",
            Factor::None => "none",
        }
    }

    /// The factor an audit detail names: the words after "password + "
    /// for a completed login, the detail's start otherwise (the details
    /// are written by this code base and start with the factor's name).
    pub fn of_detail(detail: &str) -> Factor {
        let last = detail.strip_prefix("password + ").unwrap_or(detail);
        let starts = |p: &str| last.starts_with(p);
        if starts("authenticator app") {
            Factor::Totp
        } else if starts("security key") || starts("passkey") {
            Factor::Webauthn
        } else if starts("Protect") || starts("push") {
            Factor::Push
        } else if starts("recovery code") {
            Factor::RecoveryCode
        } else if starts("trusted browser") {
            Factor::TrustedBrowser
        } else if starts("password; MFA setup postponed") {
            Factor::None
        } else if starts("password") || starts("wrong email or password") {
            Factor::Password
        } else {
            Factor::None
        }
    }
}

/// Why the throttle refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many attempts: try again later (429).
    Wait,
    /// Failures in a row reached the cap (423).
    Suspended,
}

/// The periodic jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Purge,
    Reminders,
    MailDelivery,
}

impl Job {
    const ALL: [Job; 3] = [Job::Purge, Job::Reminders, Job::MailDelivery];

    fn as_str(self) -> &'static str {
        match self {
            Job::Purge => "purge",
            Job::Reminders => "reminders",
            Job::MailDelivery => "mail_delivery",
        }
    }
}

/// Upper bounds (seconds) of the push latency buckets: a push lives 60 s.
const PUSH_BUCKETS: [u64; 9] = [1, 2, 5, 10, 15, 20, 30, 45, 60];

/// One histogram of whole seconds (the clock counts seconds).
struct Histogram {
    /// Observations at or below each bound (not cumulative here).
    buckets: [AtomicU64; PUSH_BUCKETS.len()],
    /// Observations above the last bound.
    over: AtomicU64,
    sum: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; PUSH_BUCKETS.len()],
            over: AtomicU64::new(0),
            sum: AtomicU64::new(0),
        }
    }

    fn observe(&self, secs: u64) {
        match PUSH_BUCKETS.iter().position(|b| secs <= *b) {
            Some(i) => self.buckets[i].fetch_add(1, Ordering::Relaxed),
            None => self.over.fetch_add(1, Ordering::Relaxed),
        };
        self.sum.fetch_add(secs, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut seen = 0;
        for (bound, n) in PUSH_BUCKETS.iter().zip(&self.buckets) {
            seen += n.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {seen}");
        }
        seen += self.over.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {seen}");
        let sum = self.sum.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {seen}");
    }
}

const LOGIN_CELLS: usize = Outcome::ALL.len() * Factor::ALL.len();
const JOB_CELLS: usize = Job::ALL.len() * 2;

/// This process's counters.
struct Registry {
    logins: [AtomicU64; LOGIN_CELLS],
    throttled: [AtomicU64; 2],
    push_approved: Histogram,
    push_denied: Histogram,
    jobs: [AtomicU64; JOB_CELLS],
    radius_dropped: [AtomicU64; RadiusDrop::ALL.len()],
}

/// Why a RADIUS packet was dropped unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RadiusDrop {
    /// Not a well-formed packet (length, attributes, code, password).
    Malformed,
    /// From an address no registered client has.
    UnknownClient,
    /// No Message-Authenticator, or one made with another secret.
    BadAuthenticator,
}

impl RadiusDrop {
    const ALL: [RadiusDrop; 3] = [
        RadiusDrop::Malformed,
        RadiusDrop::UnknownClient,
        RadiusDrop::BadAuthenticator,
    ];

    fn as_str(self) -> &'static str {
        match self {
            RadiusDrop::Malformed => "malformed",
            RadiusDrop::UnknownClient => "unknown_client",
            RadiusDrop::BadAuthenticator => "bad_authenticator",
        }
    }
}

/// Counts a RADIUS packet dropped.
pub fn radius_dropped(why: RadiusDrop) {
    REGISTRY.radius_dropped[index(&RadiusDrop::ALL, &why)].fetch_add(1, Ordering::Relaxed);
}

static REGISTRY: Registry = Registry {
    logins: [const { AtomicU64::new(0) }; LOGIN_CELLS],
    throttled: [const { AtomicU64::new(0) }; 2],
    push_approved: Histogram::new(),
    push_denied: Histogram::new(),
    jobs: [const { AtomicU64::new(0) }; JOB_CELLS],
    radius_dropped: [const { AtomicU64::new(0) }; RadiusDrop::ALL.len()],
};

fn index<T: PartialEq>(all: &[T], item: &T) -> usize {
    all.iter().position(|x| x == item).unwrap_or(0)
}

/// Counts a login step.
pub fn login(outcome: Outcome, factor: Factor) {
    let i = index(&Outcome::ALL, &outcome) * Factor::ALL.len() + index(&Factor::ALL, &factor);
    REGISTRY.logins[i].fetch_add(1, Ordering::Relaxed);
}

/// Counts an attempt the throttle refused.
pub fn throttled(why: Refusal) {
    let i = usize::from(why == Refusal::Suspended);
    REGISTRY.throttled[i].fetch_add(1, Ordering::Relaxed);
}

/// Records the seconds from a push being sent to the device's answer.
pub fn push_answered(approved: bool, secs: i64) {
    let secs = u64::try_from(secs).unwrap_or(0);
    if approved {
        REGISTRY.push_approved.observe(secs);
    } else {
        REGISTRY.push_denied.observe(secs);
    }
}

/// Counts one run of a periodic job.
pub fn job_run(job: Job, ok: bool) {
    let i = index(&Job::ALL, &job) * 2 + usize::from(!ok);
    REGISTRY.jobs[i].fetch_add(1, Ordering::Relaxed);
}

/// What is read from the database and the pool at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    /// Emails waiting in the outbox (not sent, not given up).
    pub outbox_waiting: i64,
    /// Pushes waiting for an answer.
    pub pending_pushes: i64,
    /// Connections the pool holds.
    pub pool_size: u32,
    /// Of those, idle ones.
    pub pool_idle: usize,
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The text exposition format (version 0.0.4) of every metric.
pub fn render(g: &Gauges) -> String {
    let mut out = String::with_capacity(4096);
    let r = &REGISTRY;

    header(
        &mut out,
        "portcullis_logins_total",
        "counter",
        "Login steps by outcome and the factor they used.",
    );
    for (o, outcome) in Outcome::ALL.iter().enumerate() {
        for (f, factor) in Factor::ALL.iter().enumerate() {
            let n = r.logins[o * Factor::ALL.len() + f].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "portcullis_logins_total{{outcome=\"{}\",factor=\"{}\"}} {n}",
                outcome.as_str(),
                factor.as_str()
            );
        }
    }

    header(
        &mut out,
        "portcullis_throttle_refusals_total",
        "counter",
        "Attempts refused by the throttle: too many (wait) or failures in a row at the cap (suspended).",
    );
    for (i, reason) in ["wait", "suspended"].iter().enumerate() {
        let n = r.throttled[i].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "portcullis_throttle_refusals_total{{reason=\"{reason}\"}} {n}"
        );
    }

    let push = "portcullis_push_answer_seconds";
    header(
        &mut out,
        push,
        "histogram",
        "Seconds from a push being sent to the device's answer.",
    );
    r.push_approved
        .write(&mut out, push, "outcome=\"approved\"");
    r.push_denied.write(&mut out, push, "outcome=\"denied\"");

    header(
        &mut out,
        "portcullis_job_runs_total",
        "counter",
        "Runs of the periodic jobs by job and outcome.",
    );
    for (j, job) in Job::ALL.iter().enumerate() {
        for (k, outcome) in ["ok", "error"].iter().enumerate() {
            let n = r.jobs[j * 2 + k].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "portcullis_job_runs_total{{job=\"{}\",outcome=\"{outcome}\"}} {n}",
                job.as_str()
            );
        }
    }

    header(
        &mut out,
        "portcullis_radius_dropped_total",
        "counter",
        "RADIUS packets dropped unanswered, by reason.",
    );
    for (i, why) in RadiusDrop::ALL.iter().enumerate() {
        let n = r.radius_dropped[i].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "portcullis_radius_dropped_total{{reason=\"{}\"}} {n}",
            why.as_str()
        );
    }

    for (name, help, value) in [
        (
            "portcullis_outbox_waiting",
            "Emails waiting in the outbox.",
            g.outbox_waiting.to_string(),
        ),
        (
            "portcullis_pending_pushes",
            "Pushes waiting for the device's answer.",
            g.pending_pushes.to_string(),
        ),
        (
            "portcullis_db_pool_connections",
            "Connections the database pool holds.",
            g.pool_size.to_string(),
        ),
        (
            "portcullis_db_pool_idle_connections",
            "Idle connections in the database pool.",
            g.pool_idle.to_string(),
        ),
    ] {
        header(&mut out, name, "gauge", help);
        let _ = writeln!(out, "{name} {value}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_name_their_factor() {
        assert_eq!(Factor::of_detail("password"), Factor::Password);
        assert_eq!(
            Factor::of_detail("password + authenticator app"),
            Factor::Totp
        );
        assert_eq!(
            Factor::of_detail("authenticator app: wrong code"),
            Factor::Totp
        );
        assert_eq!(
            Factor::of_detail("password + security key “Blue”"),
            Factor::Webauthn
        );
        assert_eq!(
            Factor::of_detail("passkey: Blue (user verified)"),
            Factor::Webauthn
        );
        assert_eq!(Factor::of_detail("password + Protect push"), Factor::Push);
        assert_eq!(
            Factor::of_detail("recovery code: wrong code"),
            Factor::RecoveryCode
        );
        assert_eq!(
            Factor::of_detail("password + trusted browser"),
            Factor::TrustedBrowser
        );
        assert_eq!(
            Factor::of_detail("password; MFA setup postponed"),
            Factor::None
        );
        assert_eq!(
            Factor::of_detail("wrong email or password"),
            Factor::Password
        );
    }

    #[test]
    fn a_histogram_is_cumulative_in_the_text() {
        let h = Histogram::new();
        h.observe(3);
        h.observe(70);
        let mut out = String::new();
        h.write(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"2\"} 0\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"5\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"60\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 2\n"), "{out}");
        assert!(out.contains("x_sum{a=\"b\"} 73\n"), "{out}");
        assert!(out.contains("x_count{a=\"b\"} 2\n"), "{out}");
    }
}
