//! "This wasn't me": the device reports a push as not its user's. The push
//! is denied, the user's pushes are muted for a while (so whoever has the
//! password cannot keep pushing until a tired user taps "approve"), the
//! other pending ones are cancelled, and the user and every administrator
//! are emailed. While muted, no push is sent; the user's Security page
//! shows the latest report for a month.

use portcullis_api::protect::{PushOutcome, PushOutcomeKind, PushReport};

use super::policy::{self as push_policy, DenyReason};
use super::rows::{device_words, lost_race, pending_for_device, push_topic, verification_of, wake};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::mfa::error::MfaError;
use crate::notify::{self, Kind};
use crate::store::{self, protect::Device, push_requests::Row, Db, Exec};

/// How long a report mutes the user's pushes.
pub const MUTE_SECS: i64 = 20 * 60;
/// How long the Security page shows a report.
pub const REPORT_SHOWN_SECS: i64 = 30 * 86_400;

/// The refusal of a push while the user's pushes are muted until `until`.
pub fn muted_words(until: Timestamp, now: Timestamp) -> String {
    let minutes = ((until - now).max(1) + 59) / 60;
    format!(
        "Pushes to your Protect device are paused until {} (in {minutes} minute{}), because a \
         push was reported on the device as not yours. Use another factor to sign in, or send a \
         push again after that.",
        notify::format_utc(until),
        if minutes == 1 { "" } else { "s" }
    )
}

/// Until when the user's pushes are muted, if they are now.
pub async fn muted_until<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> Result<Option<Timestamp>, Internal> {
    Ok(store::push_mutes::muted_until(db, user_id, now).await?)
}

/// The device reports one of its user's pending pushes as not theirs.
pub async fn report(
    state: &AppState,
    device: &Device,
    id: &str,
    client: &Client,
) -> Result<PushOutcome, MfaError> {
    let now = state.now();
    let row = pending_for_device(state, device, id).await?;
    let user_id = &device.user_id;
    let until = now + MUTE_SECS;
    let mut tx = state.db.begin().await?;
    // With the user's row held, no push can be sent between the mute and
    // the cancellation of the others.
    store::users::lock(&mut *tx, user_id).await?;
    if !store::push_requests::report(&mut *tx, id, now).await? {
        drop(tx);
        return Err(lost_race(state, id, now).await);
    }
    store::push_mutes::mute(&mut *tx, user_id, id, now, until).await?;
    let cancelled = store::push_requests::cancel_all_returning(&mut *tx, user_id, now).await?;
    let user = store::users::find_by_id(&mut *tx, user_id)
        .await?
        .ok_or(MfaError::PushNotFound)?;
    let words = format!(
        "push for {} from {} ({}) reported as fraud on {}; pushes muted until {}; \
         {} other pending push(es) cancelled",
        row.resource,
        row.ip,
        row.browser,
        device_words(device),
        notify::format_utc(until),
        cancelled.len()
    );
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::PushFraudReported, user_id, client, &words),
    )
    .await?;
    let attempt = attempt_lines(&row, until);
    notify::queue_with(&mut *tx, now, Kind::PushFraudReported, &user, &attempt).await?;
    let about = format!("\nUser: {} <{}>\n{attempt}", user.display_name, user.email);
    for admin in store::users::administrators(&mut *tx).await? {
        notify::queue_with(&mut *tx, now, Kind::PushFraudAlert, &admin, &about).await?;
    }
    tx.commit().await?;
    for push in std::iter::once(id).chain(cancelled.iter().map(String::as_str)) {
        wake(state, &push_topic(push)).await;
    }
    Ok(PushOutcome {
        outcome: PushOutcomeKind::Denied,
        reason: Some(
            push_policy::device_words(DenyReason::Fraud, verification_of(device)).to_string(),
        ),
    })
}

/// The sign-in attempt a report was about, as the emails show it.
fn attempt_lines(row: &Row, until: Timestamp) -> String {
    format!(
        "\nSign-in attempt: {} at {}\nFrom: {} ({})\nPushes paused until: {}\n",
        row.resource,
        notify::format_utc(row.created_at),
        row.ip,
        row.browser,
        notify::format_utc(until)
    )
}

/// The user's latest report of the last 30 days.
pub async fn last_report(
    db: &Db,
    user_id: &str,
    now: Timestamp,
) -> Result<Option<PushReport>, Internal> {
    let row = store::push_requests::latest_report(db, user_id, now - REPORT_SHOWN_SECS).await?;
    Ok(row.and_then(|r| {
        let reported_at = r.reported_at?;
        Some(PushReport {
            reported_at,
            resource: r.resource,
            ip: r.ip,
            browser: r.browser,
            muted_until: reported_at + MUTE_SECS,
        })
    }))
}

/// Records a push refused because the user's pushes are muted.
pub async fn refused_while_muted(
    state: &AppState,
    user_id: &str,
    client: &Client,
    until: Timestamp,
) -> Result<(), Internal> {
    let words = format!(
        "push refused: pushes muted after a fraud report, until {}",
        notify::format_utc(until)
    );
    let event = Event::by_user(EventKind::PushMfaAttemptFailed, user_id, client, &words);
    audit::record(&state.db, state.now(), event).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mute_says_until_when_and_what_to_do() {
        let now = 1_795_305_600; // 2026-11-22 00:00 UTC
        let words = muted_words(now + MUTE_SECS, now);
        assert!(words.contains("until 2026-11-22 00:20 UTC"), "{words}");
        assert!(words.contains("in 20 minutes"), "{words}");
        assert!(words.contains("another factor"), "{words}");
        assert!(muted_words(now + 30, now).contains("in 1 minute)"));
    }
}
