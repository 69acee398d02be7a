//! Periodic tasks: dropping dead sessions, challenges and counters, old
//! audit events and emails (retention), queuing the 24-hour enrollment
//! reminders, delivering the outbox. Safe to run on every instance: each
//! step claims its work in the database. Each run is counted for
//! `/metrics` by job and outcome.

use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::throttle;
use crate::error::Internal;
use crate::metrics::{self, Job};
use crate::notify::mailer::{self, Mailer};
use crate::notify::{self, Kind};
use crate::rules::requirement::DAY;
use crate::store;

/// Rows one purge statement deletes at most: each statement stays short,
/// so it never holds the database (SQLite's one writer) for long.
pub const PURGE_BATCH: i64 = 500;

/// A throttle counter with no failure for this long can no longer matter:
/// longer than the longest quiet period that restarts a count (a day) and
/// the longest block (15 minutes).
pub const THROTTLE_QUIET_SECS: i64 = 2 * DAY;
/// Counters with failures in a row, but far from the cap, go after this
/// long without a failure (a quiet count towards the cap is kept that
/// long, not for ever).
pub const THROTTLE_STALE_SECS: i64 = 90 * DAY;

/// Counts a job's run for `/metrics`.
fn counted<T>(job: Job, result: Result<T, Internal>) -> Result<T, Internal> {
    metrics::job_run(job, result.is_ok());
    result
}

/// Queues the reminders due at the clock's now, each once per deadline
/// whichever instance gets there first; returns how many.
pub async fn send_reminders(state: &AppState) -> Result<u32, Internal> {
    counted(Job::Reminders, reminders(state).await)
}

async fn reminders(state: &AppState) -> Result<u32, Internal> {
    let now = state.now();
    let due = store::users::due_for_reminder(&state.db, now, DAY).await?;
    let mut sent = 0;
    for user in due {
        let mut tx = state.db.begin().await?;
        if store::users::claim_reminder(&mut *tx, &user.id, now).await? {
            notify::queue(&mut *tx, now, Kind::MfaReminder, &user, user.mfa_deadline).await?;
            audit::record(
                &mut *tx,
                now,
                Event {
                    kind: EventKind::ReminderQueued,
                    actor: Actor::System,
                    subject: Some(&user.id),
                    client: None,
                    detail: "24-hour MFA setup reminder",
                    resource: None,
                },
            )
            .await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Drops what can no longer be used: expired or idle sessions, finished
/// challenges, quiet counters, browsers whose trust ran out; and what is
/// past its retention: audit events and sent (or given up) emails.
/// Returns the sessions dropped.
pub async fn purge(state: &AppState) -> Result<u64, Internal> {
    counted(Job::Purge, purge_all(state).await)
}

/// Runs `batch` until it deletes fewer than [`PURGE_BATCH`] rows; returns
/// how many it deleted in all.
async fn in_batches<F, Fut>(mut batch: F) -> Result<u64, Internal>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<u64>>,
{
    let mut total = 0;
    loop {
        let n = batch().await?;
        total += n;
        if n < PURGE_BATCH as u64 {
            return Ok(total);
        }
    }
}

async fn purge_all(state: &AppState) -> Result<u64, Internal> {
    let now = state.now();
    let db = &state.db;
    let idle = now - state.settings.session_idle_secs;
    let sessions = in_batches(|| store::sessions::purge(db, now, idle, PURGE_BATCH)).await?;
    in_batches(|| store::challenges::purge(db, now, PURGE_BATCH)).await?;
    in_batches(|| store::user_links::purge_expired(db, now, PURGE_BATCH)).await?;
    let quiet = now - THROTTLE_QUIET_SECS;
    in_batches(|| store::throttle::purge_quiet(db, quiet, now, PURGE_BATCH)).await?;
    in_batches(|| store::throttle::purge_windows(db, quiet, PURGE_BATCH)).await?;
    let stale = now - THROTTLE_STALE_SECS;
    let near = throttle::NEAR_CAP;
    in_batches(|| store::throttle::purge_stale(db, stale, now, near, PURGE_BATCH)).await?;
    let events_before = now - state.settings.audit_retention_days * DAY;
    let events = in_batches(|| store::audit::purge(db, events_before, PURGE_BATCH)).await?;
    let emails_before = now - state.settings.outbox_retention_days * DAY;
    let max = mailer::MAX_ATTEMPTS;
    let emails = in_batches(|| store::outbox::purge(db, emails_before, max, PURGE_BATCH)).await?;
    if events + emails > 0 {
        tracing::info!(
            audit_events = events,
            emails,
            "deleted audit events and emails past their retention"
        );
    }
    store::trusted_browsers::purge(&state.db, now).await?;
    store::protect::purge(
        &state.db,
        now,
        now - crate::mfa::push::rules::NONCE_KEEP_SECS,
    )
    .await?;
    // A push reported as fraud stays a while: the user's Security page
    // shows the latest report.
    let reports_before = now - crate::mfa::push::fraud::REPORT_SHOWN_SECS;
    store::push_requests::purge(&state.db, now - DAY, reports_before).await?;
    store::push_mutes::purge(&state.db, now).await?;
    store::hosts::purge(
        &state.db,
        now,
        now - crate::mfa::push::rules::NONCE_KEEP_SECS,
    )
    .await?;
    store::sso::purge_expired(&state.db, now).await?;
    store::radius::purge(&state.db, now).await?;
    Ok(sessions)
}

/// Runs the housekeeping every five minutes, for ever.
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            match purge(&state).await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge failed"),
            }
            match send_reminders(&state).await {
                Ok(n) if n > 0 => tracing::info!(emails = n, "queued MFA enrollment reminders"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder run failed"),
            }
        }
    });
}

/// Delivers the outbox every ten seconds, for ever.
pub fn spawn_mail_delivery(state: AppState, mailer: Mailer) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            tick.tick().await;
            match counted(
                Job::MailDelivery,
                mailer::deliver_due(&state, &mailer).await,
            ) {
                Ok(n) if n > 0 => tracing::info!(emails = n, "emails sent"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "email delivery run failed"),
            }
        }
    });
}
