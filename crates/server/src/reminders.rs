//! The reminder sent 24 hours before an enrolment deadline — once per
//! deadline, whichever server instance gets there first.

use crate::email::{self, Kind};
use crate::mfa::DAY;
use crate::state::AppState;
use crate::users::User;

/// Queues the reminders due at the clock's now; returns how many.
pub async fn send_due(state: &AppState) -> sqlx::Result<u32> {
    let now = state.now();
    // Due: required, not set up, deadline within a day and not passed, not
    // yet reminded — and the period was longer than a day (a one-day period
    // starts with the "required" email, which already says it all).
    let due: Vec<User> = sqlx::query_as(
        "SELECT id, email, display_name, password_hash, role, created_at, mfa_required, mfa_deadline, mfa_required_at
         FROM users u
         WHERE mfa_required = TRUE AND mfa_deadline IS NOT NULL AND mfa_reminder_sent_at IS NULL
           AND mfa_deadline > ? AND mfa_deadline - ? <= ?
           AND mfa_required_at < mfa_deadline - ?
           AND NOT EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL)",
    )
    .bind(now)
    .bind(DAY)
    .bind(now)
    .bind(DAY)
    .fetch_all(&state.db)
    .await?;
    let mut sent = 0;
    for user in due {
        let mut tx = state.db.begin().await?;
        // Claim first: of several instances, exactly one wins the update.
        let claimed = sqlx::query(
            "UPDATE users SET mfa_reminder_sent_at = ? WHERE id = ? AND mfa_reminder_sent_at IS NULL",
        )
        .bind(now)
        .bind(&user.id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if claimed {
            email::queue(&mut *tx, now, Kind::MfaReminder, &user, user.mfa_deadline).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}
