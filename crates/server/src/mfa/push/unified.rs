//! Unified mode: the organisation (a billing administrator, `/admin/mfa`)
//! merges Protect push and the authenticator app, so one QR code sets the
//! phone up for both. Its rules, which the Protect and authenticator-app
//! operations call at their steps:
//!
//! - A device enrolled in unified mode receives a TOTP key in the answer
//!   to its enrollment, stored as the user's confirmed authenticator app
//!   (`on_device`) in the enrollment's transaction. A user who already has
//!   another app keeps it, and the device gets no key, until Reset
//!   Authenticator App clears the way.
//! - The key lives on that phone, so it goes wherever the phone goes: a
//!   device replaced by a new enrollment or removed (by the user or an
//!   administrator), in either mode, takes its key with it. Removing the
//!   device therefore counts as removing both factors for the last-factor
//!   rule. Switching back to separate mode leaves keys where they are.
//! - Reset Authenticator App in unified mode resets both: the app and the
//!   device go together, and the next enrollment (one QR code) sets both
//!   up again.
//! - After a merge, each user with a factor sees a banner once.
//!
//! No SQL, no axum.

use portcullis_api::protect::DeviceTotp;
use portcullis_api::{FactorKind, ProtectMode};

use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{throttle, Authed};
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::mfa::error::MfaError;
use crate::mfa::totp;
use crate::notify::{self, Kind};
use crate::rules::org_settings;
use crate::store::{self, factors::Confirmed, protect::Device, users::User, Conn, Exec};

/// What a device learns when another app of the user's keeps the codes.
pub const OTHER_APP_NOTE: &str = "This account already has an authenticator app, which keeps \
     working, so this device received no authenticator key and shows no codes. To have the codes \
     here instead, use Reset Authenticator App on the portal's Security page, then enroll this \
     device again.";
/// What a device learns when the organisation allows no authenticator app.
pub const NOT_ALLOWED_NOTE: &str = "Your organisation does not allow authenticator apps, so \
     this device received no authenticator key: it answers pushes only.";

/// What a device's enrollment did about the authenticator key.
#[derive(Debug, Default)]
pub(crate) struct EnrollmentKey {
    /// For the device (its answer): the key, if it got one.
    pub totp: Option<DeviceTotp>,
    /// For the device: why it got none, in unified mode.
    pub note: Option<&'static str>,
    /// Appended to the enrollment's event.
    pub words: String,
    /// Appended to the enrollment's email.
    pub mail_line: String,
}

/// The authenticator key of a device enrolling for `user`, as one step of
/// its enrollment (`tx`, with the user's row held). An earlier device's
/// key goes first, whatever the mode: that phone is being replaced. Then,
/// in unified mode, a new key is made and stored as the user's confirmed
/// app, unless the user keeps another app or the organisation allows none.
pub(crate) async fn on_enrollment(
    state: &AppState,
    tx: &mut Conn,
    user: &User,
    device_label: &str,
    client: &Client,
    now: Timestamp,
) -> Result<EnrollmentKey, MfaError> {
    let settings = org_settings::get(&mut *tx).await?;
    let replaced = remove_key_with_device(tx, &user.id).await?;
    let mut out = EnrollmentKey::default();
    if replaced {
        out.words
            .push_str("; the old device's authenticator key went with it");
    }
    if settings.protect_mode != ProtectMode::Unified {
        if replaced {
            out.mail_line =
                "\nThe authenticator key on the replaced device was removed with it.\n".to_string();
        }
        return Ok(out);
    }
    if !settings.allows(FactorKind::Totp) {
        out.note = Some(NOT_ALLOWED_NOTE);
        return Ok(out);
    }
    let secret = totp::new_secret();
    let sealed = state.secrets.seal(secret.expose(), &user.id)?;
    if !store::totp::put_on_device(tx, &user.id, &sealed, now).await? {
        out.note = Some(OTHER_APP_NOTE);
        out.words
            .push_str("; no authenticator key for it (the user keeps another app)");
        return Ok(out);
    }
    let detail = format!("authenticator app on Protect device “{device_label}” (unified mode)");
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::MfaEnrolled, &user.id, client, &detail),
    )
    .await?;
    out.words
        .push_str("; it received the authenticator key (unified mode)");
    out.mail_line = "\nThe device is also your authenticator app: the codes it shows work \
                     wherever the portal asks for one.\n"
        .to_string();
    out.totp = Some(DeviceTotp {
        secret: secret.expose().clone(),
        digits: totp::DIGITS as u32,
        period: totp::STEP_SECS as u32,
        algorithm: "SHA1".to_string(),
        issuer: totp::ISSUER.to_string(),
        account: user.email.clone(),
    });
    Ok(out)
}

/// Whether a device enrolled now for `user_id` would receive the
/// authenticator key (what the enrollment link tells the Security page).
pub(crate) async fn link_gives_key(state: &AppState, user_id: &str) -> Result<bool, Internal> {
    let settings = org_settings::get(&state.db).await?;
    if settings.protect_mode != ProtectMode::Unified || !settings.allows(FactorKind::Totp) {
        return Ok(false);
    }
    let app = store::totp::get(&state.db, user_id).await?;
    Ok(!app.is_some_and(|a| a.confirmed_at.is_some() && !a.on_device))
}

/// Whether the user's authenticator key lives on their Protect device, so
/// that removing the device removes it too.
pub(crate) async fn key_on_device<'c>(db: impl Exec<'c>, user_id: &str) -> Result<bool, Internal> {
    Ok(store::totp::get(db, user_id)
        .await?
        .is_some_and(|a| a.on_device && a.confirmed_at.is_some()))
}

/// How many of `factors` stay when the device goes (with its key when
/// `key_too`): what the last-factor rule asks before a device is removed.
pub(crate) fn left_without_device(factors: &[Confirmed], key_too: bool) -> usize {
    factors
        .iter()
        .filter(|f| f.kind != FactorKind::Push && !(key_too && f.kind == FactorKind::Totp))
        .count()
}

/// Removes an authenticator key that lived on the user's device, in the
/// transaction that removes or replaces the device; whether there was one.
/// A suspension of that key (wrong codes) does not carry over to the next.
pub(crate) async fn remove_key_with_device(tx: &mut Conn, user_id: &str) -> Result<bool, Internal> {
    if !store::totp::delete_on_device(tx, user_id).await? {
        return Ok(false);
    }
    throttle::unlock(tx, &[throttle::factor_counter(throttle::TOTP, user_id)]).await?;
    Ok(true)
}

/// The sentence a user gets when their device (and the key on it) is all
/// that proves them and the organisation requires a second factor.
pub(crate) fn last_factor_words(label: &str, key_too: bool) -> String {
    if key_too {
        format!(
            "“{label}” and the authenticator key on it are your only second factors, and your \
             organisation requires one: without them you could not log in. Add a security key \
             first, then remove this device; or enroll your new phone with a new QR code, which \
             replaces this one."
        )
    } else {
        format!(
            "“{label}” is your only second factor, and your organisation requires one: without it \
             you could not log in. Add an authenticator app or a security key first, then \
             remove this device."
        )
    }
}

/// Reset Authenticator App (or an app replaced), in unified mode: the
/// user's device goes with the app (in the reset's transaction, after the
/// app), with its own email and event, so the next enrollment sets both up
/// with one QR code. The device to remove; none in separate mode.
pub(crate) async fn device_reset_too(
    tx: &mut Conn,
    user_id: &str,
) -> Result<Option<Device>, Internal> {
    if org_settings::get(&mut *tx).await?.protect_mode != ProtectMode::Unified {
        return Ok(None);
    }
    Ok(store::protect::device_of(&mut *tx, user_id).await?)
}

/// The email and event of a device that went with the app (see
/// [`device_reset_too`]), once the removal path has removed it.
pub(crate) async fn tell_device_reset_too(
    tx: &mut Conn,
    user: &User,
    device: &Device,
    client: &Client,
    now: Timestamp,
) -> Result<(), Internal> {
    let line = format!(
        "\nDevice: “{}” ({}, {})\nIt was reset together with the authenticator app; enroll \
         your phone again from the Security page.\n",
        device.label, device.device_type, device.os
    );
    notify::queue_from(&mut *tx, now, Kind::PushDeviceRemoved, user, client, &line).await?;
    let words = format!(
        "Protect device “{}” ({}, {}) removed with the authenticator app (Reset Authenticator \
         App, unified mode)",
        device.label, device.device_type, device.os
    );
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::PushDeviceRemoved, &user.id, client, &words),
    )
    .await?;
    Ok(())
}

/// Whether the Security page shows the banner about the merge: the
/// organisation is unified, merged since the user last dismissed it, and
/// the user has a factor (one without has nothing the merge changes).
pub(crate) async fn merge_notice(
    state: &AppState,
    authed: &Authed,
    has_factor: bool,
) -> Result<bool, Internal> {
    if !authed.session.signed_in || !has_factor {
        return Ok(false);
    }
    let settings = org_settings::get(&state.db).await?;
    let merged = match (settings.protect_mode, settings.protect_merged_at) {
        (ProtectMode::Unified, Some(at)) => at,
        _ => return Ok(false),
    };
    let seen = store::users::merge_seen_at(&state.db, &authed.user.id)
        .await?
        .flatten();
    Ok(seen.is_none_or(|seen| seen < merged))
}

/// The user dismissed the banner about the merge: it stays away until the
/// next merge.
pub async fn dismiss_merge_notice(state: &AppState, authed: &Authed) -> Result<(), MfaError> {
    store::users::set_merge_seen(&state.db, &authed.user.id, state.now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(kind: FactorKind) -> Confirmed {
        Confirmed {
            id: kind.wire().to_string(),
            kind,
            since: 0,
            last_used_at: None,
        }
    }

    #[test]
    fn the_key_on_the_device_goes_with_it_for_the_last_factor_rule() {
        let both = [factor(FactorKind::Push), factor(FactorKind::Totp)];
        assert_eq!(left_without_device(&both, false), 1);
        assert_eq!(left_without_device(&both, true), 0);
        let three = [
            factor(FactorKind::Push),
            factor(FactorKind::Totp),
            factor(FactorKind::Webauthn),
        ];
        assert_eq!(left_without_device(&three, true), 1);
    }

    #[test]
    fn the_last_factor_words_say_what_to_do() {
        assert!(last_factor_words("Ada's phone", true).contains("authenticator key on it"));
        assert!(last_factor_words("Ada's phone", false).contains("only second factor"));
    }
}
