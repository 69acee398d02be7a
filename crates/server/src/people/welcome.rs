//! The welcome a one-time link opens: what it is for (peek), then using it
//! with a password — the new one for an invitation, the account's own for
//! a setup link — which starts the login (`login::link`): MFA setup
//! follows where the flow asks for it, before any signed-in session.

use portcullis_api::{LinkPurpose, LoginResponse, PasswordVerdict, WelcomeInfo};

use super::links;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::error::AuthError;
use crate::auth::password::{self, HashError};
use crate::auth::password_policy;
use crate::auth::session::SessionId;
use crate::auth::throttle;
use crate::error::Internal;
use crate::secret::Secret;
use crate::store::{self, users::User};

/// Said of a link that is not (or no longer) valid: used, replaced by a
/// newer one, expired, or its account gone. One answer for all, so the
/// page reveals nothing about which.
pub const LINK_INVALID: &str =
    "This link does not work any more: it was used already, a newer one \
     replaced it, or it expired. Ask your administrator for a new one.";

#[derive(Debug)]
pub enum WelcomeError {
    /// See [`LINK_INVALID`].
    LinkInvalid,
    /// The new password breaks the password policy; the words say how.
    Weak(String),
    /// The password (wrong, weak, throttled…).
    Auth(AuthError),
}

impl From<Internal> for WelcomeError {
    fn from(e: Internal) -> Self {
        WelcomeError::Auth(AuthError::Internal(e))
    }
}

impl From<sqlx::Error> for WelcomeError {
    fn from(e: sqlx::Error) -> Self {
        WelcomeError::Auth(e.into())
    }
}

impl From<AuthError> for WelcomeError {
    fn from(e: AuthError) -> Self {
        WelcomeError::Auth(e)
    }
}

/// The account and purpose of a valid link, which stays unused.
pub(super) async fn open(
    state: &AppState,
    token: &str,
) -> Result<(LinkPurpose, User), WelcomeError> {
    let link = links::find(state, token).await?;
    let Some(link) = link else {
        return Err(WelcomeError::LinkInvalid);
    };
    let purpose = links::parse_purpose(&link.purpose).ok_or(WelcomeError::LinkInvalid)?;
    let user = store::users::find_by_id(&state.db, &link.user_id)
        .await?
        .ok_or(WelcomeError::LinkInvalid)?;
    Ok((purpose, user))
}

/// An invited account chooses its password before it has any factor.
fn new_account(user: &User) -> password_policy::Account<'_> {
    password_policy::Account {
        email: &user.email,
        name: &user.display_name,
        has_factor: false,
    }
}

/// What a link's new password would be refused for, in words (empty:
/// nothing), without using the link: the meter on the welcome page.
pub async fn verdict(
    state: &AppState,
    token: &str,
    password: &str,
) -> Result<PasswordVerdict, WelcomeError> {
    too_long(password)?;
    let (purpose, user) = open(state, token).await?;
    let account = match purpose {
        LinkPurpose::Reset => reset_account(&user, has_factor(state, &user).await?),
        _ => new_account(&user),
    };
    Ok(PasswordVerdict {
        min_chars: account.min_chars() as u32,
        problems: password_policy::problems(password, &account),
    })
}

/// What the link opens, without using it up.
pub async fn peek(state: &AppState, token: &str) -> Result<WelcomeInfo, WelcomeError> {
    let (purpose, user) = open(state, token).await?;
    let has_factor = has_factor(state, &user).await?;
    let min = match purpose {
        LinkPurpose::Reset => reset_account(&user, has_factor).min_chars(),
        _ => new_account(&user).min_chars(),
    };
    Ok(WelcomeInfo {
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        purpose,
        min_password_chars: min as u32,
        needs_code: purpose == LinkPurpose::Reset && has_factor,
    })
}

async fn has_factor(state: &AppState, user: &User) -> Result<bool, Internal> {
    Ok(!crate::rules::factors::login_factors(&state.db, &user.id)
        .await?
        .is_empty())
}

/// Longer than the API takes (the document's limit: 422, not the policy).
pub(super) fn too_long(password: &str) -> Result<(), WelcomeError> {
    if password.chars().count() > password::MAX_LEN {
        return Err(AuthError::Invalid(
            "The password is too long (at most 1024 characters).".into(),
        )
        .into());
    }
    Ok(())
}

/// The account a reset chooses a password for, with its factors as they are.
pub(super) fn reset_account(user: &User, has_factor: bool) -> password_policy::Account<'_> {
    password_policy::Account {
        email: &user.email,
        name: &user.display_name,
        has_factor,
    }
}

/// Uses the link: for an invitation, `password` becomes the account's;
/// for a setup link it must be the account's (a wrong one is counted as a
/// login failure and leaves the link unused). Then the login starts, in
/// the transaction that uses the link up: of two requests with the same
/// link, on any instance, one gets a session.
pub async fn accept(
    state: &AppState,
    token: &str,
    password: Secret<String>,
    client: &Client,
) -> Result<(Option<SessionId>, LoginResponse), WelcomeError> {
    if password.expose().is_empty() {
        return Err(AuthError::Invalid("Enter a password.".into()).into());
    }
    let (purpose, user) = open(state, token).await?;
    let now = state.now();
    let new_hash = match purpose {
        LinkPurpose::Invitation => {
            too_long(password.expose())?;
            password_policy::check(password.expose(), &new_account(&user))
                .map_err(WelcomeError::Weak)?;
            let hash = state.hasher.hash(password).await.map_err(hash_error)?;
            Some(hash)
        }
        LinkPurpose::Setup => {
            check_own_password(state, &user, password, client).await?;
            None
        }
        // A reset link is for the reset page, which asks for more.
        LinkPurpose::Reset => return Err(WelcomeError::LinkInvalid),
    };
    let mut tx = state.db.begin().await?;
    let Some(link) = links::take(&mut tx, state, token).await? else {
        return Err(WelcomeError::LinkInvalid);
    };
    if link.user_id != user.id {
        return Err(WelcomeError::LinkInvalid);
    }
    if let Some(hash) = &new_hash {
        store::users::set_password(&mut *tx, &user.id, hash).await?;
    }
    let detail = match purpose {
        LinkPurpose::Invitation => "invitation accepted: password chosen",
        _ => "setup link used with the account's password",
    };
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::LinkUsed, &user.id, client, detail),
    )
    .await?;
    let (session, answer) = crate::login::link::begin_in(&mut tx, state, &user, client).await?;
    tx.commit().await?;
    Ok((session, answer))
}

/// The account's own password, counted as the login counts it.
async fn check_own_password(
    state: &AppState,
    user: &User,
    password: Secret<String>,
    client: &Client,
) -> Result<(), WelcomeError> {
    if password.expose().chars().count() > password::MAX_LEN {
        return Err(AuthError::Invalid("The password is too long.".into()).into());
    }
    let now = state.now();
    let counters = throttle::password_counters(&user.email, &client.key);
    throttle::begin_attempt(&state.db, &counters, now)
        .await
        .map_err(AuthError::from)?;
    let ok = state
        .hasher
        .verify(password, Some(user.password_hash.clone()))
        .await;
    let [account_client, client_only, account] = counters;
    match ok {
        Ok(true) => {
            throttle::succeeded(&state.db, &[account_client, account], &[client_only]).await?;
            Ok(())
        }
        Ok(false) => {
            audit::record(
                &state.db,
                now,
                Event::by_user(
                    EventKind::LoginFailed,
                    &user.id,
                    client,
                    "wrong password with a setup link",
                ),
            )
            .await?;
            Err(AuthError::InvalidCredentials.into())
        }
        Err(e) => {
            throttle::succeeded(&state.db, &[], &[account_client, client_only, account]).await?;
            Err(hash_error(e).into())
        }
    }
}

pub(super) fn hash_error(e: HashError) -> AuthError {
    match e {
        HashError::Busy => AuthError::Busy(2),
        HashError::Failed => Internal::new("password hashing failed").into(),
    }
}
