//! Removing one of a user's confirmed factors. The user (Security page),
//! an administrator (the user's page) and the resets (Reset MFA, Reset
//! Authenticator App) take this one path, so they cannot drift apart
//! again — they had: a user who removed their own last key or device kept
//! their recovery codes, while an administrator's removal deleted them.
//! Only this file deletes a factor's rows (`it/areas.rs` reads the sources
//! to keep it so).

use portcullis_api::FactorKind;

use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::session::{self, Method};
use crate::auth::{throttle, trusted_browser};
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::mfa::error::MfaError;
use crate::mfa::push::links::{self as push_links, Revoked};
use crate::mfa::push::unified as protect_unified;
use crate::mfa::recovery_codes;
use crate::notify::{self, Kind};
use crate::rules::requirement::Requirement;
use crate::store::{self, sessions::Ended, users::User};

/// Which factor: by its id among the user's factors (an administrator
/// picks from the list), or as the user's own screens name them.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// Any kind, by `AdminFactor::id`.
    Factor(&'a str),
    /// One of the user's security keys or passkeys, by its id.
    Key(&'a str),
    /// The user's Protect device.
    Device,
    /// The user's authenticator app.
    App,
}

/// Who removes it; the rules are the same, the words and who is told
/// differ.
#[derive(Debug, Clone, Copy)]
pub enum Remover<'a> {
    /// The user, from the session with this id hash: it stays signed in
    /// (they proved a factor just now); their other sessions that the
    /// factor proved end.
    User { session: &'a str },
    /// An administrator (their user id): every session it proved ends.
    Admin { admin_id: &'a str },
    /// A reset (Reset MFA, Reset Authenticator App) removing this factor
    /// among others: the last-factor rule is what a reset sets aside (it
    /// gives the user a new enrollment at once or a new period instead),
    /// and the reset writes one email and one event for all it removed.
    /// The sessions the factor proved end, but the one in `keep`.
    Reset { keep: Option<&'a str> },
}

/// What was removed.
#[derive(Debug)]
pub struct Removed {
    /// The factor in words: `Security key or passkey “Blue”`.
    pub label: String,
    /// How many of the sessions it proved were alive and ended.
    pub ended: usize,
}

/// Why nothing was removed.
#[derive(Debug)]
pub enum Refused {
    /// The user, or that factor of theirs, is gone (or never was).
    NotFound,
    /// It is the last factor of a user who must have one; the words say
    /// what to do instead, to whoever asked.
    LastFactor(String),
    Internal(Internal),
}

impl From<Internal> for Refused {
    fn from(e: Internal) -> Self {
        Refused::Internal(e)
    }
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Self {
        Refused::Internal(e.into())
    }
}

/// The factor as found, with what its removal takes along.
struct Found {
    kind: FactorKind,
    label: String,
    /// The key's or device's own name, for the user's words.
    name: String,
    /// The email's line naming it.
    line: String,
    /// An authenticator key that lives on the Protect device goes with it.
    key_too: bool,
}

/// Removes the factor in the caller's transaction: the last-factor rule,
/// the kind's own rows, then what stood on the factors — recovery codes
/// when none is left, trusted browsers, Protect enrollment links, the
/// sessions it proved — and the email and audit event.
pub async fn remove_factor(
    state: &AppState,
    tx: &mut store::Tx,
    user_id: &str,
    which: Which<'_>,
    by: Remover<'_>,
    client: &Client,
) -> Result<Removed, Refused> {
    let now = state.now();
    // With the user's row held, a parallel removal of their other factor
    // (or a new requirement) waits: two requests at once cannot both pass
    // the last-factor rule.
    if !store::users::lock(&mut **tx, user_id).await? {
        return Err(Refused::NotFound);
    }
    let user = store::users::find_by_id(&mut **tx, user_id)
        .await?
        .ok_or(Refused::NotFound)?;
    let factors = store::factors::confirmed(&mut **tx, user_id).await?;
    let factor = factors
        .iter()
        .find(|f| match which {
            Which::Factor(id) => f.id == id,
            Which::Key(id) => f.kind == FactorKind::Webauthn && f.id == id,
            Which::Device => f.kind == FactorKind::Push,
            Which::App => f.kind == FactorKind::Totp,
        })
        .ok_or(Refused::NotFound)?;
    let found = describe(tx, user_id, factor.kind, &factor.id).await?;

    let required =
        Requirement::for_user(user.role(), user.mfa_required, user.mfa_deadline, true).required;
    let left = match found.kind {
        FactorKind::Push => protect_unified::left_without_device(&factors, found.key_too),
        _ => factors.len() - 1,
    };
    if required && left == 0 && !matches!(by, Remover::Reset { .. }) {
        return Err(Refused::LastFactor(last_factor_words(&found, &user, by)));
    }

    let (method, email) = delete(tx, user_id, &found, &factor.id, now).await?;
    let key_went = found.key_too && protect_unified::remove_key_with_device(tx, user_id).await?;
    store::factors::refresh(&mut **tx, user_id).await?;
    after_factors_removed(tx, user_id, now).await?;

    // Whoever holds a session this factor proved may be whoever took the
    // key or the phone: those end. Sessions proven otherwise stay.
    let keep = match by {
        Remover::User { session } => Some(session),
        Remover::Admin { .. } => None,
        Remover::Reset { keep } => keep,
    };
    let mut ended =
        store::sessions::end_proven_with(&mut **tx, user_id, method.as_str(), keep).await?;
    let mut line = found.line.clone();
    if key_went {
        let by_key =
            store::sessions::end_proven_with(&mut **tx, user_id, Method::Totp.as_str(), keep)
                .await?;
        ended.extend(by_key);
        line.push_str("The authenticator key on the device was removed with it.\n");
    }
    let ended = alive(state, &ended, now);
    let with_key = if key_went {
        ", with the authenticator key on it"
    } else {
        ""
    };
    match by {
        Remover::User { .. } => {
            notify::queue_from(&mut **tx, now, email, &user, client, &line).await?;
            let kind = match found.kind {
                FactorKind::Push => EventKind::PushDeviceRemoved,
                _ => EventKind::MfaResetByUser,
            };
            let words = format!(
                "{} removed{with_key}; ended {} proven with it, not the one removing it",
                found.label,
                ended_words(ended)
            );
            audit::record(
                &mut **tx,
                now,
                Event::by_user(kind, user_id, client, &words),
            )
            .await?;
        }
        Remover::Admin { admin_id } => {
            notify::queue_from_admin(&mut **tx, now, (email, None), &user, client, &line).await?;
            let words = format!(
                "removed {}{with_key}; ended {} proven with it",
                found.label,
                ended_words(ended)
            );
            let event = Event::by_admin(
                EventKind::AdminRemoveFactor,
                admin_id,
                user_id,
                client,
                &words,
            );
            audit::record(&mut **tx, now, event).await?;
        }
        Remover::Reset { .. } => {}
    }
    Ok(Removed {
        label: found.label,
        ended,
    })
}

/// Reset MFA's removal: every confirmed factor of the user, one at a
/// time through [`remove_factor`] as `by` (a [`Remover::Reset`]), then an
/// authenticator app still being set up and what stood on the factors.
/// The list is read again after each removal, since a device takes the
/// app's key on it along. Returns how many sessions the factors proved
/// were alive and ended.
pub async fn remove_all(
    state: &AppState,
    tx: &mut store::Tx,
    user_id: &str,
    by: Remover<'_>,
    client: &Client,
) -> Result<usize, Refused> {
    let mut ended = 0;
    // Each round removes one factor at least, so this many rounds is
    // enough; a factor that would not go fails instead of looping.
    let rounds = store::factors::confirmed(&mut **tx, user_id).await?.len();
    for _ in 0..rounds {
        let Some(next) = store::factors::confirmed(&mut **tx, user_id)
            .await?
            .into_iter()
            .next()
        else {
            break;
        };
        ended += remove_factor(state, tx, user_id, Which::Factor(&next.id), by, client)
            .await?
            .ended;
    }
    if !store::factors::confirmed(&mut **tx, user_id)
        .await?
        .is_empty()
    {
        return Err(Internal::new("a factor outlived its removal").into());
    }
    // An app added but never confirmed is no factor yet; its secret goes.
    store::totp::delete(tx, user_id).await?;
    // A user with no factor had nothing removed above, yet a Protect link
    // or a temporary code made before the reset must not outlive it.
    after_factors_removed(tx, user_id, state.now()).await?;
    Ok(ended)
}

/// The refusal as the user's own screens say it; `not_found` names what
/// they asked to remove.
pub(crate) fn user_error(refused: Refused, not_found: MfaError) -> MfaError {
    match refused {
        Refused::NotFound => not_found,
        Refused::LastFactor(words) => MfaError::LastFactor(words),
        Refused::Internal(e) => e.into(),
    }
}

/// What stood on the user's factors, once some are removed: recovery
/// codes stand in for factors, so they go when none is left; browsers
/// trusted on the strength of a factor forget it; a Protect enrollment
/// link made before must not bring a device back; and a temporary access
/// code, which stands in for a factor, goes when none is left.
pub async fn after_factors_removed(
    tx: &mut store::Tx,
    user_id: &str,
    now: Timestamp,
) -> Result<(), Internal> {
    recovery_codes::forget_if_no_factor(tx, user_id).await?;
    if store::factors::confirmed_kinds(&mut **tx, user_id)
        .await?
        .is_empty()
    {
        store::temporary_access::revoke(&mut **tx, user_id).await?;
    }
    trusted_browser::forget_all(&mut **tx, user_id).await?;
    push_links::revoke_all(&mut **tx, user_id, Revoked::Factors, now).await?;
    Ok(())
}

/// The factor's words, and whether the device carries the app's key.
async fn describe(
    tx: &mut store::Tx,
    user_id: &str,
    kind: FactorKind,
    id: &str,
) -> Result<Found, Refused> {
    let (label, name, line, key_too) = match kind {
        FactorKind::Totp => {
            let label = "Authenticator app".to_string();
            (label.clone(), label, String::new(), false)
        }
        FactorKind::Webauthn => {
            let key = store::webauthn::find(&mut **tx, user_id, id)
                .await?
                .ok_or(Refused::NotFound)?;
            (
                format!("Security key or passkey “{}”", key.name),
                format!("“{}”", key.name),
                super::webauthn::key_line(&key.name),
                false,
            )
        }
        FactorKind::Push => {
            let device = store::protect::device_of(&mut **tx, user_id)
                .await?
                .ok_or(Refused::NotFound)?;
            let key_too = protect_unified::key_on_device(&mut **tx, user_id).await?;
            (
                format!("Protect device “{}”", device.label),
                device.label.clone(),
                format!(
                    "\nDevice: “{}” ({}, {})\n",
                    device.label, device.device_type, device.os
                ),
                key_too,
            )
        }
        FactorKind::RecoveryCode => {
            return Err(Internal::new("recovery codes are not removed as a factor").into())
        }
    };
    Ok(Found {
        kind,
        label,
        name,
        line,
        key_too,
    })
}

/// Deletes the factor's own rows; the session method it proves and the
/// email that reports it gone.
async fn delete(
    tx: &mut store::Tx,
    user_id: &str,
    found: &Found,
    id: &str,
    now: Timestamp,
) -> Result<(Method, Kind), Internal> {
    Ok(match found.kind {
        FactorKind::Totp => {
            store::totp::delete(tx, user_id).await?;
            // A suspension of the old app must not carry over to a new one.
            let counter = throttle::factor_counter(throttle::TOTP, user_id);
            throttle::unlock(tx, &[counter]).await?;
            (Method::Totp, Kind::AuthenticatorRemoved)
        }
        FactorKind::Webauthn => {
            store::webauthn::delete(tx, user_id, id).await?;
            (Method::Webauthn, Kind::SecurityKeyRemoved)
        }
        FactorKind::Push => {
            // The phone's key stops working at once; its pushes end too.
            store::protect::delete_device_of(&mut **tx, user_id).await?;
            store::push_requests::cancel_all(&mut **tx, user_id, now).await?;
            (Method::Push, Kind::PushDeviceRemoved)
        }
        FactorKind::RecoveryCode => {
            return Err(Internal::new("recovery codes are not removed as a factor"))
        }
    })
}

/// The refusal of the last factor, said to whoever asked.
fn last_factor_words(found: &Found, user: &User, by: Remover<'_>) -> String {
    match by {
        Remover::User { .. } => match found.kind {
            FactorKind::Push => protect_unified::last_factor_words(&found.name, found.key_too),
            _ => format!(
                "{} is your only second factor, and your organisation requires one: without it \
                 you could not log in. Add another security key, an authenticator app or a \
                 Protect device first, then remove this one.",
                found.name
            ),
        },
        Remover::Admin { .. } | Remover::Reset { .. } => {
            let with_key = if found.key_too {
                " (with the authenticator key on the device)"
            } else {
                ""
            };
            format!(
                "{}{with_key} is the only second factor of {}, and MFA is required of them: \
                 without it they could not log in. Use Reset MFA instead, which also gives them \
                 time to set up a new one.",
                found.label, user.email
            )
        }
    }
}

/// How many of the ended sessions were still alive (rows past their end
/// wait for the housekeeping; they were no session to anyone).
pub fn alive(state: &AppState, ended: &[Ended], now: Timestamp) -> usize {
    ended
        .iter()
        .filter(|s| session::is_alive(&state.settings, s.last_seen_at, s.expires_at, now))
        .count()
}

/// "no sessions", "1 session", "3 sessions".
pub fn ended_words(n: usize) -> String {
    match n {
        0 => "no sessions".to_string(),
        1 => "1 session".to_string(),
        n => format!("{n} sessions"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ended_sessions_are_counted_in_words() {
        assert_eq!(ended_words(0), "no sessions");
        assert_eq!(ended_words(1), "1 session");
        assert_eq!(ended_words(4), "4 sessions");
    }
}
