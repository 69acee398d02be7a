//! A forgotten password: a reset link by email (asked for on the login
//! page, the same answer whether or not the address is an account's, a
//! few an hour per address and per client; or sent by an administrator,
//! who never sees it), then the new password — after the account's second
//! factor when it has one, so a mailbox alone never takes an account with
//! MFA over. Every session ends; the user is emailed.

use portcullis_api::{AdminUser, LinkPurpose};

use super::links;
use super::welcome::{hash_error, open, reset_account, too_long, WelcomeError};
use crate::admin::common::{self, AdminError};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::email::{check_email, normalize_email};
use crate::auth::error::AuthError;
use crate::auth::{password_policy, throttle, Authed};
use crate::error::Internal;
use crate::mfa::error::MfaError;
use crate::mfa::push::links::{revoke_all, Revoked};
use crate::mfa::{recovery_codes, totp_factor};
use crate::notify::{self, Kind};
use crate::secret::Secret;
use crate::store::{self, users::User};

#[derive(Debug)]
pub enum ResetError {
    Welcome(WelcomeError),
    /// The second factor's code was refused (wrong, used, throttled…).
    Code(MfaError),
}

impl From<WelcomeError> for ResetError {
    fn from(e: WelcomeError) -> Self {
        ResetError::Welcome(e)
    }
}

impl From<AuthError> for ResetError {
    fn from(e: AuthError) -> Self {
        ResetError::Welcome(WelcomeError::Auth(e))
    }
}

impl From<Internal> for ResetError {
    fn from(e: Internal) -> Self {
        ResetError::Welcome(e.into())
    }
}

impl From<sqlx::Error> for ResetError {
    fn from(e: sqlx::Error) -> Self {
        ResetError::Welcome(e.into())
    }
}

/// "Forgot password?": a reset link to `email` if it is an account's that
/// may sign in. The caller answers the same whatever happened here.
pub async fn forgot(state: &AppState, email: &str, client: &Client) -> Result<(), AuthError> {
    check_email(email).map_err(AuthError::Invalid)?;
    let email = normalize_email(email);
    let now = state.now();
    let windows = throttle::reset_windows(&email, &client.key);
    if let Some(wait) = throttle::take_reset_slot(&state.db, &windows, now).await? {
        return Err(AuthError::Throttled(wait));
    }
    let Some(user) = store::users::find_by_email(&state.db, &email).await? else {
        return Ok(());
    };
    // An invitation not accepted yet is the way in; a suspended account
    // has none.
    if user.password_hash.is_empty() || user.suspended_at.is_some() {
        return Ok(());
    }
    send(state, &user, None, client).await?;
    Ok(())
}

/// An administrator sends a user a reset link (they never see it, nor
/// set anyone's password).
pub async fn send_by_admin(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let row = common::target(state, admin, id).await?;
    let user = row.user;
    if user.password_hash.is_empty() {
        return Err(AdminError::Conflict(format!(
            "{} has not chosen a password yet: send the invitation again instead.",
            user.display_name
        )));
    }
    if user.suspended_at.is_some() {
        return Err(AdminError::Conflict(format!(
            "{} is suspended: reactivate them first.",
            user.display_name
        )));
    }
    send(state, &user, Some(admin), client).await?;
    common::get(state, id).await
}

async fn send(
    state: &AppState,
    user: &User,
    admin: Option<&Authed>,
    client: &Client,
) -> Result<(), Internal> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let admin_id = admin.map(|a| a.user.id.as_str());
    let issued = links::issue(&mut tx, state, &user.id, LinkPurpose::Reset, admin_id).await?;
    let (subject, body) = notify::compose(Kind::PasswordReset, user, Some(issued.expires_at));
    let body = format!("{body}\n{}\n", issued.url.expose());
    notify::put(&mut *tx, now, Kind::PasswordReset, user, &subject, &body).await?;
    let event = match admin {
        Some(a) => Event::by_admin(
            EventKind::PasswordResetSent,
            &a.user.id,
            &user.id,
            client,
            "reset link emailed by an administrator",
        ),
        None => Event::by_user(
            EventKind::PasswordResetSent,
            &user.id,
            client,
            "reset link emailed (asked on the login page)",
        ),
    };
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    Ok(())
}

/// A code of the account's second factor: six digits from the app, or a
/// recovery code.
enum Proof {
    App,
    Recovery(recovery_codes::Offered),
}

/// Uses the reset link: the new password, after the account's second
/// factor when it has one. Every session ends, Protect links and trusted
/// browsers go, and the user is emailed; no session is made (they sign in
/// with the new password).
pub async fn reset(
    state: &AppState,
    token: &str,
    password: Secret<String>,
    code: Option<&str>,
    client: &Client,
) -> Result<(), ResetError> {
    let (purpose, user) = open(state, token).await?;
    if purpose != LinkPurpose::Reset {
        return Err(WelcomeError::LinkInvalid.into());
    }
    let factors = crate::rules::factors::login_factors(&state.db, &user.id).await?;
    let account = reset_account(&user, !factors.is_empty());
    too_long(password.expose())?;
    password_policy::check(password.expose(), &account).map_err(WelcomeError::Weak)?;
    let proof = if factors.is_empty() {
        None
    } else {
        let code = code.map(str::trim).unwrap_or_default();
        if code.is_empty() {
            return Err(ResetError::Code(MfaError::Invalid(
                "Enter a code from your authenticator app, or one of your recovery codes: \
                 your account has a second factor, and the email alone cannot reset it.",
            )));
        }
        Some(prove(state, &user, code, client).await?)
    };
    let hash = state.hasher.hash(password).await.map_err(hash_error)?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    if links::take(&mut tx, state, token).await?.is_none() {
        // Another request used it meanwhile: not a guess of the code.
        drop(tx);
        if let Some(Proof::Recovery(offered)) = &proof {
            recovery_codes::give_back(state, offered).await?;
        }
        return Err(WelcomeError::LinkInvalid.into());
    }
    if let Some(Proof::Recovery(offered)) = &proof {
        if !recovery_codes::use_in(&mut tx, state, &user, offered, client).await? {
            drop(tx);
            let error = recovery_codes::refusal(state, &user, offered, client).await?;
            return Err(ResetError::Code(error));
        }
    }
    store::users::lock(&mut *tx, &user.id).await?;
    store::users::set_password(&mut *tx, &user.id, &hash).await?;
    store::sessions::end_all(&mut *tx, &user.id).await?;
    revoke_all(&mut *tx, &user.id, Revoked::Sessions, now).await?;
    store::trusted_browsers::delete_for_user(&mut *tx, &user.id).await?;
    let detail = if proof.is_some() {
        "password reset with the emailed link and the second factor; every session ended"
    } else {
        "password reset with the emailed link; every session ended"
    };
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::PasswordReset, &user.id, client, detail),
    )
    .await?;
    notify::queue_from(&mut *tx, now, Kind::PasswordWasReset, &user, client, "").await?;
    tx.commit().await?;
    if let Some(Proof::Recovery(offered)) = &proof {
        recovery_codes::settle(state, offered).await?;
    }
    Ok(())
}

async fn prove(
    state: &AppState,
    user: &User,
    code: &str,
    client: &Client,
) -> Result<Proof, ResetError> {
    let digits = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        totp_factor::verify(state, user, &digits, client)
            .await
            .map_err(ResetError::Code)?;
        Ok(Proof::App)
    } else {
        let offered = recovery_codes::offer(state, user, code, client)
            .await
            .map_err(ResetError::Code)?;
        Ok(Proof::Recovery(offered))
    }
}
