//! Adding a user: checked input, an account with no password yet
//! (invited), the organisation's MFA requirement for new users, the
//! invitation link and its email, and the event — one transaction. Also
//! what an administrator does for an account later: send the invitation
//! again, or make a setup link for an account with no factor.

use portcullis_api::{AdminUser, LinkPurpose, NewUser, Role, SetupLink};

use super::links::{self, Issued};
use crate::admin::common::{self, AdminError};
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::email::{check_email, normalize_email};
use crate::auth::{self, Authed};
use crate::error::Internal;
use crate::notify::{self, Kind};
use crate::store::{self, users::User};

/// The longest name a user may have.
pub const NAME_MAX_CHARS: usize = 100;

/// Who adds the user: an administrator from their session, or the
/// command line (the first administrator of a deployment).
#[derive(Clone, Copy)]
pub enum AddedBy<'a> {
    Admin(&'a Authed, &'a Client),
    CommandLine,
}

/// A name as stored: trimmed, not empty, not too long, no control characters.
pub fn check_name(name: &str) -> Result<String, String> {
    check_label(name, "the person's name")
}

/// A name of something (a person, a group, an app, a token): trimmed, not
/// blank, not too long, no control characters; `what` names it in the
/// refusal ("Enter the app's name.").
pub fn check_label(name: &str, what: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("Enter {what}."));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!(
            "The name is too long (at most {NAME_MAX_CHARS} characters)."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("The name must not contain control characters (tabs, line breaks).".into());
    }
    Ok(name.to_string())
}

/// Adds the user and invites them. The email must be free (whatever its
/// case); the answer says so in words when it is not.
pub async fn invite(
    state: &AppState,
    new: &NewUser,
    by: AddedBy<'_>,
) -> Result<(User, Issued), AdminError> {
    check_email(&new.email).map_err(AdminError::Invalid)?;
    let name = check_name(&new.display_name).map_err(AdminError::Invalid)?;
    let email = normalize_email(&new.email);
    let now = state.now();
    let mut user = new_account(email.clone(), name, new.role, now);
    let taken = || AdminError::Conflict(format!("A user with the email {email} exists already."));
    // The insert is the transaction's first statement: on SQLite a
    // transaction that reads first and writes later cannot wait for
    // another writer (it fails "locked"), and the unique index is the
    // check anyway (emails are stored lower-cased).
    let mut tx = state.db.begin().await?;
    if let Err(e) = store::users::insert(&mut *tx, &user).await {
        // The email is taken.
        return Err(match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => taken(),
            e => e.into(),
        });
    }
    let settings = crate::rules::org_settings::get(&mut *tx).await?;
    let requirement = settings.new_user_requirement(now);
    let issued = welcome_in(&mut tx, state, &mut user, requirement, by, "").await?;
    tx.commit().await?;
    Ok((user, issued))
}

/// What follows a new account's insert, in its transaction: the
/// organisation's MFA requirement for new users (`requirement`, as the
/// settings give it), the invitation link and its email, and the event
/// (`how` ends its detail, e.g. " (CSV import)").
pub(crate) async fn welcome_in(
    tx: &mut store::Tx,
    state: &AppState,
    user: &mut User,
    requirement: Option<Option<crate::clock::Timestamp>>,
    by: AddedBy<'_>,
    how: &str,
) -> Result<Issued, Internal> {
    require(tx, state, user, requirement).await?;
    let admin_id = match by {
        AddedBy::Admin(admin, _) => Some(admin.user.id.as_str()),
        AddedBy::CommandLine => None,
    };
    let issued = links::issue(tx, state, &user.id, LinkPurpose::Invitation, admin_id).await?;
    email_link(tx, state, user, Kind::Invitation, &issued).await?;
    let detail = format!("{} added as {}{how}", user.email, role_words(user.role()));
    record(tx, state, by, EventKind::UserInvited, &user.id, &detail).await?;
    Ok(issued)
}

/// The organisation's MFA requirement for new users, on a new account.
async fn require(
    tx: &mut store::Tx,
    state: &AppState,
    user: &mut User,
    requirement: Option<Option<crate::clock::Timestamp>>,
) -> Result<(), Internal> {
    let now = state.now();
    if let Some(deadline) = requirement {
        store::users::set_requirement(&mut **tx, &user.id, deadline, now).await?;
        user.mfa_required = true;
        user.mfa_deadline = deadline;
        user.mfa_required_at = Some(now);
    }
    Ok(())
}

/// As [`welcome_in`], without the invitation: the account waits, listed
/// as invited, until an administrator sends one (a directory whose token
/// is set not to invite).
pub(crate) async fn uninvited_in(
    tx: &mut store::Tx,
    state: &AppState,
    user: &mut User,
    requirement: Option<Option<crate::clock::Timestamp>>,
    how: &str,
) -> Result<(), Internal> {
    require(tx, state, user, requirement).await?;
    let detail = format!(
        "{} added as {}, not invited yet{how}",
        user.email,
        role_words(user.role())
    );
    let by = AddedBy::CommandLine;
    record(tx, state, by, EventKind::UserInvited, &user.id, &detail).await
}

/// A new account with no password yet (nothing matches it until the
/// invitation is accepted) and no MFA requirement (set by [`welcome_in`]).
pub(crate) fn new_account(
    email: String,
    name: String,
    role: Role,
    now: crate::clock::Timestamp,
) -> User {
    User {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        display_name: name,
        password_hash: String::new(),
        role: role.as_str().to_string(),
        created_at: now,
        mfa_required: false,
        mfa_deadline: None,
        mfa_required_at: None,
        suspended_at: None,
    }
}

/// "Add user" on the users list: an administrator whose session passed a
/// second factor lately, adding no one above their own role.
pub async fn add_user(
    state: &AppState,
    admin: &Authed,
    new: &NewUser,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    if new.role.rank() > admin.user.role().rank() {
        return Err(AdminError::Outranked(
            "Only a billing administrator can add a billing administrator.",
        ));
    }
    let (user, _) = invite(state, new, AddedBy::Admin(admin, client)).await?;
    common::get(state, &user.id).await
}

/// Sends a user who has not accepted their invitation a new one (the old
/// link stops working).
pub async fn resend_invitation(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let row = common::target(state, admin, id).await?;
    let user = row.user;
    refuse_if_suspended(&user)?;
    if !user.password_hash.is_empty() {
        return Err(AdminError::Conflict(format!(
            "{} has accepted the invitation already: there is none to send again.",
            user.display_name
        )));
    }
    let mut tx = state.db.begin().await?;
    let issued = links::issue(
        &mut tx,
        state,
        &user.id,
        LinkPurpose::Invitation,
        Some(&admin.user.id),
    )
    .await?;
    email_link(&mut tx, state, &user, Kind::Invitation, &issued).await?;
    let by = AddedBy::Admin(admin, client);
    let detail = "invitation sent again (the earlier link no longer works)";
    record(&mut tx, state, by, EventKind::UserInvited, &user.id, detail).await?;
    tx.commit().await?;
    common::get(state, &user.id).await
}

/// A setup link for an account with no factor (a new administrator, or
/// anyone after Reset MFA), for the administrator to hand over out of
/// band; it is emailed to the user too. The earlier link stops working.
pub async fn setup_link(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<SetupLink, AdminError> {
    let row = common::target(state, admin, id).await?;
    let user = row.user;
    refuse_if_suspended(&user)?;
    if user.password_hash.is_empty() {
        return Err(AdminError::Conflict(format!(
            "{} has not accepted the invitation yet: send the invitation again instead.",
            user.display_name
        )));
    }
    if row.has_factor {
        return Err(AdminError::Conflict(format!(
            "{} has a second factor already. A setup link is for an account with none \
             (after Reset MFA, say).",
            user.display_name
        )));
    }
    let issued = issue_setup(state, &user, AddedBy::Admin(admin, client)).await?;
    Ok(SetupLink {
        url: issued.url.expose().clone(),
        expires_at: issued.expires_at,
    })
}

/// A setup link for the account with this email, from the command line
/// (when no administrator can sign in to make one): refused in words for
/// an unknown email, an invited account or one that has a factor.
pub async fn setup_link_by_email(state: &AppState, email: &str) -> anyhow::Result<Issued> {
    let email = normalize_email(email);
    let Some(user) = store::users::find_by_email(&state.db, &email).await? else {
        anyhow::bail!("there is no user with the email {email}");
    };
    if user.password_hash.is_empty() {
        anyhow::bail!(
            "{email} has not accepted their invitation yet: the invitation is the link to use"
        );
    }
    if !store::factors::confirmed_kinds(&state.db, &user.id)
        .await?
        .is_empty()
    {
        anyhow::bail!(
            "{email} has a second factor already: a setup link is for an account with none"
        );
    }
    Ok(issue_setup(state, &user, AddedBy::CommandLine).await?)
}

/// Makes and emails a setup link for `user` (no checks: the callers made
/// them, or it is the command line's or the demo's own administrator).
pub async fn issue_setup(
    state: &AppState,
    user: &User,
    by: AddedBy<'_>,
) -> Result<Issued, Internal> {
    let admin_id = match by {
        AddedBy::Admin(admin, _) => Some(admin.user.id.as_str()),
        AddedBy::CommandLine => None,
    };
    let mut tx = state.db.begin().await?;
    let issued = links::issue(&mut tx, state, &user.id, LinkPurpose::Setup, admin_id).await?;
    email_link(&mut tx, state, user, Kind::SetupLink, &issued).await?;
    let detail = "setup link made (the earlier link, if any, no longer works)";
    record(
        &mut tx,
        state,
        by,
        EventKind::SetupLinkIssued,
        &user.id,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(issued)
}

async fn email_link(
    tx: &mut store::Tx,
    state: &AppState,
    user: &User,
    kind: Kind,
    issued: &Issued,
) -> Result<(), Internal> {
    let (subject, body) = notify::compose(kind, user, Some(issued.expires_at));
    let body = format!("{body}\n{}\n", issued.url.expose());
    notify::put(&mut **tx, state.now(), kind, user, &subject, &body).await
}

async fn record(
    tx: &mut store::Tx,
    state: &AppState,
    by: AddedBy<'_>,
    kind: EventKind,
    subject: &str,
    detail: &str,
) -> Result<(), Internal> {
    let event = match by {
        AddedBy::Admin(admin, client) => {
            Event::by_admin(kind, &admin.user.id, subject, client, detail)
        }
        AddedBy::CommandLine => Event {
            kind,
            actor: Actor::System,
            subject: Some(subject),
            client: None,
            detail,
            resource: None,
        },
    };
    audit::record(&mut **tx, state.now(), event).await
}

/// A suspended account gets no link: it could not be used anyway.
fn refuse_if_suspended(user: &User) -> Result<(), AdminError> {
    match user.suspended_at {
        Some(_) => Err(AdminError::Conflict(format!(
            "{} is suspended: reactivate them first.",
            user.display_name
        ))),
        None => Ok(()),
    }
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::User => "a user",
        Role::Admin => "an administrator",
        Role::BillingAdmin => "a billing administrator",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(check_name("  Zoë Zed "), Ok("Zoë Zed".to_string()));
        assert!(check_name("   ").is_err());
        assert!(check_name("a\tb").is_err());
        assert!(check_name(&"x".repeat(NAME_MAX_CHARS)).is_ok());
        assert!(check_name(&"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    }
}
