//! Creating accounts: the first administrator of a deployment, a user an
//! operator adds, the demo's users.

use super::email::{check_email, normalize_email};
use super::password;
use crate::app::AppState;
use crate::store::{self, users::User};

/// Creates a user (the first administrator of a deployment, an account an
/// operator adds): checks the email and password, hashes it. The email must
/// be free. When the organisation's settings require MFA of new users, the
/// user is created with it required and the settings' enrollment period,
/// in the transaction that inserts them (so no one ever sees the user
/// without the requirement).
pub async fn create_user(
    state: &AppState,
    email: &str,
    display_name: &str,
    password: &str,
    role: portcullis_api::Role,
) -> anyhow::Result<User> {
    check_email(email).map_err(anyhow::Error::msg)?;
    if display_name.trim().is_empty() {
        anyhow::bail!("the name must not be empty");
    }
    password::check_new(password).map_err(anyhow::Error::msg)?;
    let email = normalize_email(email);
    if store::users::find_by_email(&state.db, &email)
        .await?
        .is_some()
    {
        anyhow::bail!("a user with the email {email} already exists");
    }
    let hash = password::hash(password)?;
    let now = state.now();
    let mut user = new_user(&email, display_name, &hash, role, now);
    let mut tx = state.db.begin().await?;
    store::users::insert(&mut *tx, &user).await?;
    let settings = crate::rules::org_settings::get(&mut *tx).await?;
    if let Some(deadline) = settings.new_user_requirement(now) {
        store::users::set_requirement(&mut *tx, &user.id, deadline, now).await?;
        user.mfa_required = true;
        user.mfa_deadline = deadline;
        user.mfa_required_at = Some(now);
    }
    tx.commit().await?;
    Ok(user)
}

/// Inserts a user with an already computed hash (the demo shares one) and
/// no MFA requirement, whatever the organisation's settings say of new
/// users: the demo sets each of its users' MFA state itself.
pub async fn insert_user(
    state: &AppState,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: portcullis_api::Role,
) -> anyhow::Result<User> {
    let user = new_user(email, display_name, password_hash, role, state.now());
    store::users::insert(&state.db, &user).await?;
    Ok(user)
}

fn new_user(
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: portcullis_api::Role,
    now: crate::clock::Timestamp,
) -> User {
    User {
        id: uuid::Uuid::new_v4().to_string(),
        email: normalize_email(email),
        display_name: display_name.trim().to_string(),
        password_hash: password_hash.to_string(),
        role: role.as_str().to_string(),
        created_at: now,
        mfa_required: false,
        mfa_deadline: None,
        mfa_required_at: None,
        suspended_at: None,
    }
}
