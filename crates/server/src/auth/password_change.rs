//! Changing one's own password on the Security page: the current password
//! (checked on a counter of its own), a second factor from the last
//! minutes when the account has one, the new password's rules; then, in
//! one transaction, the new hash, every other session ended, an event and
//! an email.

use portcullis_api::{EndedSessions, PasswordVerdict};

use super::caller::{require_fresh_mfa_if_any, Authed};
use super::client::Client;
use super::error::AuthError;
use super::password::HashError;
use super::password_policy;
use super::session::is_alive;
use super::throttle::{self, Refused};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::error::Internal;
use crate::mfa::push::links::{revoke_all, Revoked};
use crate::notify::{self, Kind};
use crate::secret::Secret;
use crate::store;

/// Why the password was not changed.
#[derive(Debug)]
pub enum ChangeError {
    /// The current password is wrong.
    WrongCurrent,
    /// The new password breaks the password policy; the words say how.
    Weak(String),
    /// The new password breaks a rule; the text says which.
    Invalid(String),
    /// Too many wrong current passwords: wait this many seconds.
    Throttled(u64),
    /// The server is busy hashing passwords: come back in this many seconds.
    Busy(u64),
    /// The session does not allow this (no recent second factor).
    Auth(AuthError),
    Internal(Internal),
}

impl From<AuthError> for ChangeError {
    fn from(e: AuthError) -> Self {
        ChangeError::Auth(e)
    }
}

impl From<Internal> for ChangeError {
    fn from(e: Internal) -> Self {
        ChangeError::Internal(e)
    }
}

impl From<sqlx::Error> for ChangeError {
    fn from(e: sqlx::Error) -> Self {
        ChangeError::Internal(e.into())
    }
}

impl From<HashError> for ChangeError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => ChangeError::Busy(2),
            HashError::Failed => Internal::new("password hashing failed").into(),
        }
    }
}

/// The policy's view of a new password for the signed-in user (the meter
/// on the Security page): the same rules [`change`] applies.
pub async fn verdict(
    state: &AppState,
    authed: &Authed,
    password: &str,
) -> Result<PasswordVerdict, ChangeError> {
    if password.chars().count() > super::password::MAX_LEN {
        return Err(ChangeError::Invalid(
            "The password is too long (at most 1024 characters).".into(),
        ));
    }
    let account = account_of(state, authed).await?;
    Ok(PasswordVerdict {
        min_chars: account.min_chars() as u32,
        problems: password_policy::problems(password, &account),
    })
}

async fn account_of<'a>(
    state: &AppState,
    authed: &'a Authed,
) -> Result<password_policy::Account<'a>, Internal> {
    let user = &authed.user;
    let has_factor = !crate::rules::factors::login_factors(&state.db, &user.id)
        .await?
        .is_empty();
    Ok(password_policy::Account {
        email: &user.email,
        name: &user.display_name,
        has_factor,
    })
}

/// Changes the signed-in user's password; answers how many of their other
/// signed-in sessions ended.
pub async fn change(
    state: &AppState,
    authed: &Authed,
    current: Secret<String>,
    new: Secret<String>,
    client: &Client,
) -> Result<EndedSessions, ChangeError> {
    let user = &authed.user;
    if current.expose().is_empty() {
        return Err(ChangeError::Invalid("Enter your current password.".into()));
    }
    let account = account_of(state, authed).await?;
    if new.expose().chars().count() > super::password::MAX_LEN {
        return Err(ChangeError::Invalid(
            "The new password is too long (at most 1024 characters).".into(),
        ));
    }
    password_policy::check(new.expose(), &account).map_err(ChangeError::Weak)?;
    if new.expose() == current.expose() {
        return Err(ChangeError::Invalid(
            "The new password is the one you have now: choose another.".into(),
        ));
    }
    // Whoever found the session open must prove the second factor too.
    require_fresh_mfa_if_any(state, authed).await?;
    let now = state.now();
    let counters = [throttle::password_change_counter(&user.id)];
    throttle::begin_attempt(&state.db, &counters, now)
        .await
        .map_err(|r| match r {
            Refused::Wait(secs) => ChangeError::Throttled(secs),
            Refused::Suspended => ChangeError::Throttled(60),
            Refused::Internal(e) => ChangeError::Internal(e),
        })?;
    let stored = Some(user.password_hash.clone());
    let right = match state.hasher.verify(current, stored).await {
        Ok(right) => right,
        Err(e) => {
            // Not a guess: give the attempt back.
            throttle::succeeded(&state.db, &[], &counters).await?;
            return Err(e.into());
        }
    };
    if !right {
        let words = "password change refused: wrong current password";
        audit::record(
            &state.db,
            now,
            Event::by_user(EventKind::PasswordChangeRefused, &user.id, client, words),
        )
        .await?;
        return Err(ChangeError::WrongCurrent);
    }
    let phc = state.hasher.hash(new).await?;
    let mut tx = state.db.begin().await?;
    // The user's row first, as every change that ends sessions takes it.
    store::users::lock(&mut *tx, &user.id).await?;
    store::users::set_password(&mut *tx, &user.id, &phc).await?;
    let ended = store::sessions::end_all_but(&mut *tx, &user.id, authed.session.id_hash()).await?;
    // A Protect link made in one of them dies with them.
    revoke_all(&mut *tx, &user.id, Revoked::Sessions, now).await?;
    let n = ended
        .iter()
        .filter(|s| s.signed_in && is_alive(&state.settings, s.last_seen_at, s.expires_at, now))
        .count();
    let words = match n {
        0 => "password changed".to_string(),
        1 => "password changed; 1 other session ended".to_string(),
        n => format!("password changed; {n} other sessions ended"),
    };
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::PasswordChanged, &user.id, client, &words),
    )
    .await?;
    notify::queue_from(&mut *tx, now, Kind::PasswordChanged, user, client, "").await?;
    tx.commit().await?;
    throttle::succeeded(&state.db, &counters, &[]).await?;
    Ok(EndedSessions {
        ended: u32::try_from(n).unwrap_or(u32::MAX),
    })
}
