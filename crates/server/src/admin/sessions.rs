//! Ending a user's sessions: all of them (an administrator's "sign out
//! everywhere"), or those a removed factor proved.

use portcullis_api::UserDetail;

use super::{detail, target, AdminError};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{session, Authed};
use crate::clock::Timestamp;
use crate::store::{self, sessions::Ended};

/// How many of the ended sessions were still alive (rows past their end
/// wait for the housekeeping; they were no session to anyone).
pub(super) fn live(state: &AppState, ended: &[Ended], now: Timestamp) -> usize {
    ended
        .iter()
        .filter(|s| session::is_alive(&state.settings, s.last_seen_at, s.expires_at, now))
        .count()
}

/// "no sessions", "1 session", "3 sessions".
pub(super) fn count_words(n: usize) -> String {
    match n {
        0 => "no sessions".to_string(),
        1 => "1 session".to_string(),
        n => format!("{n} sessions"),
    }
}

/// Ends every session of the user, signed in or half-way through a login:
/// their next request needs a new login.
pub async fn end_sessions(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<UserDetail, AdminError> {
    let now = state.now();
    target(state, admin, id).await?;
    let mut tx = state.db.begin().await?;
    // The user's row first, as a login's finish holds it: a login whose
    // last step is being checked either ends here or is refused.
    store::users::lock(&mut *tx, id).await?;
    let ended = store::sessions::end_all(&mut *tx, id).await?;
    // A Protect link made in one of them dies with them.
    use crate::mfa::push_links::{revoke_all, Revoked};
    revoke_all(&mut *tx, id, Revoked::Sessions, now).await?;
    let words = format!("ended {}", count_words(live(state, &ended, now)));
    let event = Event::by_admin(
        EventKind::AdminEndSessions,
        &admin.user.id,
        id,
        client,
        &words,
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    detail(state, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_words() {
        assert_eq!(count_words(0), "no sessions");
        assert_eq!(count_words(1), "1 session");
        assert_eq!(count_words(2), "2 sessions");
    }
}
