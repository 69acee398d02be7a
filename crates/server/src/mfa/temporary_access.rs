//! Helpdesk temporary access: an administrator issues a code to a user who
//! lost their second factor (a phone gone, a key broken). The code is
//! random (60 bits, the recovery codes' alphabet), shown to the
//! administrator once, stored as a hash bound to the user, valid for 1 to 8
//! hours, once or until it expires; a new code replaces the old, and a
//! suspension revokes it. The user is emailed that one was made (never the
//! code itself). At the login it stands in for the second factor, and the
//! login it opens can only set up a new factor (see `login::flow`).

use portcullis_api::input::{format_recovery_code, parse_recovery_code};
use portcullis_api::{TemporaryAccess, TemporaryAccessRequest, TEMPORARY_ACCESS_MAX_HOURS};

use super::error::MfaError;
use super::recovery_codes::new_code;
use crate::admin::common::{self, AdminError};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, throttle, Authed};
use crate::error::Internal;
use crate::notify::{self, Kind};
use crate::store::{self, users::User};

const HOUR: i64 = 3600;

const MALFORMED: &str =
    "Enter the code from your helpdesk: 12 letters and digits, like ABCD-EFGH-JKMN.";

/// What is stored for a normalised code: bound to its owner.
fn hash(state: &AppState, user_id: &str, normalised: &str) -> String {
    state
        .secrets
        .keyed_hash(&format!("temporary-access:{user_id}"), normalised)
}

fn validity_words(req: &TemporaryAccessRequest) -> String {
    let hours = if req.hours == 1 {
        "1 hour".to_string()
    } else {
        format!("{} hours", req.hours)
    };
    if req.one_time {
        format!("works once within {hours}")
    } else {
        format!("works for {hours}")
    }
}

/// Issues a code for the user `id`, replacing any earlier one: an
/// administrator whose session passed a second factor lately, for an
/// account below or at their own rank (not their own), which can sign in
/// with a password and has a factor to stand in for.
pub async fn issue(
    state: &AppState,
    admin: &Authed,
    id: &str,
    req: &TemporaryAccessRequest,
    client: &Client,
) -> Result<TemporaryAccess, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    if !(1..=TEMPORARY_ACCESS_MAX_HOURS).contains(&req.hours) {
        return Err(AdminError::Invalid(format!(
            "A temporary access code works for 1 to {TEMPORARY_ACCESS_MAX_HOURS} hours."
        )));
    }
    let row = common::target(state, admin, id).await?;
    let user = row.user;
    let name = &user.display_name;
    if user.suspended_at.is_some() {
        return Err(AdminError::Conflict(format!(
            "{name} is suspended: reactivate them first."
        )));
    }
    if user.password_hash.is_empty() {
        return Err(AdminError::Conflict(format!(
            "{name} has not accepted the invitation yet: send the invitation again instead."
        )));
    }
    if !row.has_factor {
        return Err(AdminError::Conflict(format!(
            "{name} has no second factor for a code to stand in for. {}",
            if user.role().is_admin() {
                "Make a setup link instead."
            } else {
                "They set one up when they next sign in (or make a setup link)."
            }
        )));
    }
    let now = state.now();
    let code = new_code();
    let expires_at = now + i64::from(req.hours) * HOUR;
    let mut tx = state.db.begin().await?;
    // Held and read again: a suspension that committed since the checks
    // above must not be followed by a code that outlives it.
    store::users::lock(&mut *tx, &user.id).await?;
    let still = store::users::find_by_id(&mut *tx, &user.id).await?;
    if still.is_none_or(|u| u.suspended_at.is_some()) {
        return Err(AdminError::Conflict(format!(
            "{name} was suspended or deleted meanwhile."
        )));
    }
    store::temporary_access::put(
        &mut *tx,
        &store::temporary_access::NewCode {
            user_id: &user.id,
            code_hash: &hash(state, &user.id, code.expose()),
            one_time: req.one_time,
            expires_at,
            created_by: &admin.user.id,
        },
        now,
    )
    .await?;
    let (subject, body) = notify::compose(Kind::TemporaryAccess, &user, Some(expires_at));
    notify::put(&mut *tx, now, Kind::TemporaryAccess, &user, &subject, &body).await?;
    let detail = format!("temporary access code made; {}", validity_words(req));
    let event = Event::by_admin(
        EventKind::TemporaryAccessIssued,
        &admin.user.id,
        &user.id,
        client,
        &detail,
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    Ok(TemporaryAccess {
        code: format_recovery_code(code.expose()),
        expires_at,
        one_time: req.one_time,
    })
}

/// Checks a code offered at a login's second step and uses it (a one-time
/// code is gone after this), recorded. Wrong codes count on their own
/// counter, as recovery codes' do.
pub async fn prove(
    state: &AppState,
    user: &User,
    raw: &str,
    client: &Client,
) -> Result<(), MfaError> {
    let code = parse_recovery_code(raw).map_err(|_| MfaError::Invalid(MALFORMED))?;
    let now = state.now();
    let counters = [throttle::factor_counter(throttle::TEMPORARY, &user.id)];
    if let Err(refused) = throttle::begin_attempt(&state.db, &counters, now).await {
        if matches!(refused, throttle::Refused::Suspended) {
            record_failure(state, user, client, "codes suspended after 100 wrong ones").await?;
            return Err(MfaError::TemporaryAccessSuspended);
        }
        return Err(refused.into());
    }
    let mut tx = state.db.begin().await?;
    // The user's row first (a write: on SQLite the transaction then waits
    // for other writers instead of failing), as every change to them does.
    store::users::lock(&mut *tx, &user.id).await?;
    if !store::temporary_access::take(&mut tx, &user.id, &hash(state, &user.id, &code), now).await?
    {
        drop(tx);
        record_failure(state, user, client, "wrong, used or expired").await?;
        return Err(MfaError::WrongTemporaryAccessCode);
    }
    let event = Event::by_user(
        EventKind::TemporaryAccessUsed,
        &user.id,
        client,
        "temporary access code used to sign in and set up a new factor",
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    throttle::succeeded(&state.db, &counters, &[]).await?;
    Ok(())
}

async fn record_failure(
    state: &AppState,
    user: &User,
    client: &Client,
    why: &str,
) -> Result<(), Internal> {
    let detail = format!("temporary access code refused: {why}");
    audit::record(
        &state.db,
        state.now(),
        Event::by_user(EventKind::MfaFailed, &user.id, client, &detail),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_in_words() {
        let once = TemporaryAccessRequest {
            hours: 1,
            one_time: true,
        };
        assert_eq!(validity_words(&once), "works once within 1 hour");
        let day = TemporaryAccessRequest {
            hours: 8,
            one_time: false,
        };
        assert_eq!(validity_words(&day), "works for 8 hours");
    }
}
