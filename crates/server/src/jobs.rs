//! Periodic tasks: dropping dead sessions, challenges and counters, queuing
//! the 24-hour enrollment reminders, delivering the outbox. Safe to run on
//! every instance: each step claims its work in the database.

use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::error::Internal;
use crate::mfa::status::DAY;
use crate::notify::mailer::{self, Mailer};
use crate::notify::{self, Kind};
use crate::store;

/// Queues the reminders due at the clock's now, each once per deadline
/// whichever instance gets there first; returns how many.
pub async fn send_reminders(state: &AppState) -> Result<u32, Internal> {
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
/// challenges, quiet counters, browsers whose trust ran out.
pub async fn purge(state: &AppState) -> Result<u64, Internal> {
    let now = state.now();
    let sessions =
        store::sessions::purge(&state.db, now, now - state.settings.session_idle_secs).await?;
    store::challenges::purge(&state.db, now).await?;
    store::throttle::purge(&state.db, now - 2 * DAY).await?;
    store::trusted_browsers::purge(&state.db, now).await?;
    store::protect::purge(&state.db, now, now - crate::mfa::push::NONCE_KEEP_SECS).await?;
    // A push reported as fraud stays a while: the user's Security page
    // shows the latest report.
    let reports_before = now - crate::mfa::push_fraud::REPORT_SHOWN_SECS;
    store::push_requests::purge(&state.db, now - DAY, reports_before).await?;
    store::push_mutes::purge(&state.db, now).await?;
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
            match mailer::deliver_due(&state, &mailer).await {
                Ok(n) if n > 0 => tracing::info!(emails = n, "emails sent"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "email delivery run failed"),
            }
        }
    });
}
