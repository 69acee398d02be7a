//! Protect push, what one session (and one process) may do at once or in
//! a while: enrollment links made, refused pushes recorded in the audit
//! log, and the browser's push waits (long-polls). The counts of a
//! session are in the database, so they hold whichever instance answers;
//! the process's cap is a semaphore in memory (`AppState::push_waits`),
//! because what it protects (connections, tasks) is the process's own.

use tokio::sync::OwnedSemaphorePermit;

use crate::app::AppState;
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::mfa::error::MfaError;
use crate::store;

/// Enrollment links one session may make in [`LINK_WINDOW_SECS`].
pub const LINKS_PER_SESSION: i64 = 3;
pub const LINK_WINDOW_SECS: i64 = 600;
/// Refused pushes of one session recorded in the audit log per window;
/// later ones are refused all the same, without a new row, so a loop
/// cannot flood the log.
pub const AUDITED_REFUSALS_PER_SESSION: i64 = 5;
pub const REFUSAL_WINDOW_SECS: i64 = 600;
/// Push waits one session may hold at once (a login's push panel and a
/// fresh-proof prompt, say).
pub const WAITS_PER_SESSION: i64 = 2;
/// How long past its longest wait a wait's row is believed (it is
/// deleted when the wait ends; this only bounds a crashed one).
const WAIT_SLACK_SECS: i64 = 5;
/// What a refused wait asks the browser to wait before trying again.
const WAIT_RETRY_SECS: u64 = 5;

/// Refuses a link beyond the session's few per window, saying when the
/// next may be made.
pub async fn check_link_quota(
    state: &AppState,
    session_hash: &str,
    now: Timestamp,
) -> Result<(), MfaError> {
    let (made, first) =
        store::protect::links_made_by(&state.db, session_hash, now - LINK_WINDOW_SECS).await?;
    if made < LINKS_PER_SESSION {
        return Ok(());
    }
    let secs = first
        .map_or(LINK_WINDOW_SECS, |t| t + LINK_WINDOW_SECS - now)
        .max(1);
    Err(MfaError::SessionLimit {
        message: link_quota_words(secs),
        secs: secs.unsigned_abs(),
    })
}

pub fn link_quota_words(secs: i64) -> String {
    format!(
        "You have made {LINKS_PER_SESSION} enrollment links in the last 10 minutes, the most \
         one session may. Scan the latest QR code, or make a new one in {secs} second{}.",
        if secs == 1 { "" } else { "s" }
    )
}

/// Whether this refused push of the session should be recorded: the first
/// few of each window are, the rest are not (the refusal itself stands).
pub async fn record_refusal(
    state: &AppState,
    session_hash: &str,
    now: Timestamp,
) -> Result<bool, Internal> {
    let window_start = now - now.rem_euclid(REFUSAL_WINDOW_SECS);
    let n = store::push_limits::count_refusal(&state.db, session_hash, window_start).await?;
    Ok(n <= AUDITED_REFUSALS_PER_SESSION)
}

/// A browser's push wait in progress: it holds one of the process's
/// permits and its session's row until dropped (when the wait answers,
/// or its request is abandoned).
pub struct WaitSlot {
    state: AppState,
    id: String,
    _permit: OwnedSemaphorePermit,
}

impl WaitSlot {
    /// Ends the wait: its row goes now, so the session's next wait finds
    /// the room at once.
    pub async fn release(mut self) -> Result<(), Internal> {
        let id = std::mem::take(&mut self.id);
        store::push_limits::end_wait(&self.state.db, &id).await?;
        Ok(())
    }
}

impl Drop for WaitSlot {
    fn drop(&mut self) {
        // Released already, or abandoned: Drop cannot wait, so the row
        // goes in a task of its own. Should that fail, the row ends by
        // itself at its `ends_at`.
        if self.id.is_empty() {
            return;
        }
        let db = self.state.db.clone();
        let id = std::mem::take(&mut self.id);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = store::push_limits::end_wait(&db, &id).await {
                    tracing::warn!(error = %e, "push wait not cleared");
                }
            });
        }
    }
}

/// Takes a slot for a push wait of `wait` seconds: refused with 429 when
/// the process holds its cap of waits, or the session already waits
/// [`WAITS_PER_SESSION`] times.
pub async fn wait_slot(
    state: &AppState,
    session_hash: &str,
    wait: u64,
) -> Result<WaitSlot, MfaError> {
    let permit =
        state
            .push_waits
            .clone()
            .try_acquire_owned()
            .map_err(|_| MfaError::SessionLimit {
                message: PROCESS_BUSY.to_string(),
                secs: WAIT_RETRY_SECS,
            })?;
    let now = state.now();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let secs = i64::try_from(wait.min(super::rules::MAX_WAIT_SECS)).unwrap_or(0);
    let ends_at = now + secs + WAIT_SLACK_SECS;
    let slot = WaitSlot {
        state: state.clone(),
        id: id.clone(),
        _permit: permit,
    };
    let waiting =
        store::push_limits::start_wait(&state.db, &id, session_hash, now, ends_at).await?;
    if waiting > WAITS_PER_SESSION {
        slot.release().await?;
        return Err(MfaError::SessionLimit {
            message: SESSION_WAITS.to_string(),
            secs: WAIT_RETRY_SECS,
        });
    }
    Ok(slot)
}

const PROCESS_BUSY: &str = "The portal is waiting for too many push answers at once right now. \
     Try again in a few seconds.";
const SESSION_WAITS: &str = "This sign-in is already waiting for 2 push answers, the most one \
     session may at once: close the other tabs or windows waiting for a push, or try again in \
     a few seconds.";
