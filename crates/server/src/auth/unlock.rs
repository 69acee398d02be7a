//! Unlocking an account from the server's command line
//! (`portcullis-server unlock --email`), for when no administrator can
//! sign in (their own account suspended, say): clears the account's
//! counters — the password's and each factor's, suspension included —
//! and records it.

use super::{normalize_email, throttle};
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::store;

/// What an unlock cleared: the account and its failures in a row before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlocked {
    pub email: String,
    /// (what, failures in a row) of each counter of the account.
    pub cleared: Vec<(&'static str, i64)>,
}

impl Unlocked {
    /// What was done, in a sentence for the operator.
    pub fn words(&self) -> String {
        let counts: Vec<String> = self
            .cleared
            .iter()
            .map(|(what, n)| format!("{what}: {n}"))
            .collect();
        let suspended = self
            .cleared
            .iter()
            .any(|(_, n)| *n >= throttle::CONSECUTIVE_CAP);
        format!(
            "Unlocked {}: cleared the failed attempts in a row ({}){}. It can sign in again.",
            self.email,
            counts.join(", "),
            if suspended {
                ", which lifts its suspension"
            } else {
                ""
            }
        )
    }
}

/// Clears the counters of the account with `email`. An error in words
/// when there is no such account.
pub async fn by_email(state: &AppState, email: &str) -> anyhow::Result<Unlocked> {
    let email = normalize_email(email);
    let user = store::users::find_by_email(&state.db, &email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no user with the email {email}"))?;
    let counters = throttle::account_counters(&email, &user.id);
    let mut tx = state.db.begin().await?;
    let mut cleared = Vec::new();
    for c in &counters {
        cleared.push((c.what(), throttle::in_a_row(&mut *tx, c).await?));
    }
    throttle::unlock(&mut tx, &counters).await?;
    let detail = format!(
        "password and factors unlocked on the server's command line ({})",
        cleared
            .iter()
            .map(|(what, n)| format!("{what}: {n} in a row"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    audit::record(
        &mut *tx,
        state.now(),
        Event {
            kind: EventKind::AdminUnlock,
            actor: Actor::System,
            subject: Some(&user.id),
            client: None,
            detail: &detail,
            resource: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Unlocked { email, cleared })
}
