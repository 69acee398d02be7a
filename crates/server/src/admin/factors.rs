//! Removing one factor of a user (Reset MFA removes them all and starts a
//! new enrollment period; this keeps the rest as it is).

use portcullis_api::{FactorKind, UserDetail};

use super::export::factor_words;
use super::sessions::{count_words, live};
use super::{detail, target, AdminError};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::session::Method;
use crate::auth::{throttle, Authed};
use crate::error::Internal;
use crate::mfa::status::Requirement;
use crate::mfa::webauthn_factor::key_line;
use crate::mfa::{protect_unified, totp_factor};
use crate::notify::{self, Kind};
use crate::store;

/// Removes the factor `factor_id` (an `AdminFactor::id`) of the user, ends
/// the sessions it proved, and tells the user by email. The last factor of
/// a user who must have one is refused: Reset MFA is the way there, since
/// it also gives them a period to set up another.
pub async fn remove_factor(
    state: &AppState,
    admin: &Authed,
    id: &str,
    factor_id: &str,
    client: &Client,
) -> Result<UserDetail, AdminError> {
    let now = state.now();
    target(state, admin, id).await?;
    let mut tx = state.db.begin().await?;
    // With the user's row held, a parallel removal of their other factor
    // (or a new requirement) waits, so the last-factor rule below cannot be
    // dodged by two requests at once.
    if !store::users::lock(&mut *tx, id).await? {
        return Err(AdminError::NotFound);
    }
    let user = store::users::find_by_id(&mut *tx, id)
        .await?
        .ok_or(AdminError::NotFound)?;
    let factors = store::factors::confirmed(&mut *tx, id).await?;
    let factor = factors.iter().find(|f| f.id == factor_id).ok_or_else(|| {
        AdminError::Missing(format!("{} has no such factor (any more).", user.email))
    })?;
    // A user may have several keys: the words name the one removed.
    let key_name = match factor.kind {
        FactorKind::Webauthn => store::webauthn::find(&mut *tx, id, factor_id)
            .await?
            .map(|key| key.name),
        _ => None,
    };
    // An authenticator key given to the Protect device lives on it, so it
    // goes with the device (and counts as going for the rule below).
    let key_too =
        factor.kind == FactorKind::Push && protect_unified::key_on_device(&mut *tx, id).await?;
    let label = match (&key_name, key_too) {
        (Some(name), _) => format!("{} “{name}”", factor_words(factor.kind)),
        (None, true) => format!(
            "{} (with the authenticator key on the device)",
            factor_words(factor.kind)
        ),
        (None, false) => factor_words(factor.kind).to_string(),
    };
    let required =
        Requirement::for_user(user.role(), user.mfa_required, user.mfa_deadline, true).required;
    let left = match factor.kind {
        FactorKind::Push => protect_unified::left_without_device(&factors, key_too),
        _ => factors.len() - 1,
    };
    if required && left == 0 {
        return Err(AdminError::Conflict(format!(
            "{label} is the only second factor of {}, and MFA is required of them: without it \
             they could not log in. Use Reset MFA instead, which also gives them time to set up \
             a new one.",
            user.email
        )));
    }
    // What each kind needs besides its row: the session method it proves
    // and the email that reports it gone.
    let (method, email) = match factor.kind {
        FactorKind::Totp => {
            store::totp::delete(&mut tx, id).await?;
            // A suspension of the old app must not carry over to a new one.
            throttle::unlock(
                &mut tx,
                &[throttle::factor_counter(totp_factor::FACTOR, id)],
            )
            .await?;
            (Method::Totp, Kind::AuthenticatorRemoved)
        }
        FactorKind::Webauthn => {
            store::webauthn::delete(&mut tx, id, factor_id).await?;
            (Method::Webauthn, Kind::SecurityKeyRemoved)
        }
        FactorKind::Push => {
            // The phone's key stops working at once; its pushes end too.
            store::protect::delete_device_of(&mut *tx, id).await?;
            store::push_requests::cancel_all(&mut *tx, id, now).await?;
            (Method::Push, Kind::PushDeviceRemoved)
        }
        other => {
            return Err(Internal::new(format!(
                "removing a {} factor is not implemented",
                store::factors::kind_name(other)
            ))
            .into())
        }
    };
    let key_went = key_too && protect_unified::remove_key_with_device(&mut tx, id).await?;
    store::factors::refresh(&mut *tx, id).await?;
    crate::mfa::recovery_codes::forget_if_no_factor(&mut tx, id).await?;
    crate::auth::trusted_browser::forget_all(&mut *tx, id).await?;
    use crate::mfa::push_links::{revoke_all, Revoked};
    revoke_all(&mut *tx, id, Revoked::Factors, now).await?;
    // Whoever holds a session that this factor proved may be whoever took
    // the device: those end. Sessions proven otherwise stay.
    let mut ended = store::sessions::end_proven_with(&mut *tx, id, method.as_str()).await?;
    let mut key_line = key_name.as_deref().map(key_line).unwrap_or_default();
    if key_went {
        let by_key = store::sessions::end_proven_with(&mut *tx, id, Method::Totp.as_str()).await?;
        ended.extend(by_key);
        key_line.push_str("\nThe authenticator key on the device was removed with it.\n");
    }
    notify::queue_from_admin(&mut *tx, now, (email, None), &user, client, &key_line).await?;
    let words = format!(
        "removed {label}; ended {} proven with it",
        count_words(live(state, &ended, now))
    );
    let event = Event::by_admin(
        EventKind::AdminRemoveFactor,
        &admin.user.id,
        id,
        client,
        &words,
    );
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    detail(state, id).await
}
