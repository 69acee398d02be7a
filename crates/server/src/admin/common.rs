//! What every administration operation shares: its error, paging, who may
//! act on whom (role rank), enrollment periods, and a user as the admin
//! pages show them.

use portcullis_api::{AdminUser, FactorKind, Role, TotpState};

use crate::app::AppState;
use crate::auth::{self, AuthError, Authed};
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::rules::requirement::{self as status, Requirement};
use crate::store::{self, users::ListedUser};

pub const PAGE_MAX: u32 = 100;
pub const PAGE_DEFAULT: u32 = 50;

#[derive(Debug)]
pub enum AdminError {
    /// Out-of-range input; the text says how.
    Invalid(String),
    /// What the request points at is not there (any more); the text says what.
    Missing(String),
    NotFound,
    /// The target outranks the actor, or is the actor; the text says which.
    Outranked(&'static str),
    /// Not possible in the user's present state; the text says why and
    /// what to do instead.
    Conflict(String),
    /// The session must prove a second factor again first.
    Auth(AuthError),
    Internal(Internal),
}

impl From<Internal> for AdminError {
    fn from(e: Internal) -> Self {
        AdminError::Internal(e)
    }
}

impl From<sqlx::Error> for AdminError {
    fn from(e: sqlx::Error) -> Self {
        AdminError::Internal(e.into())
    }
}

/// Whether an administrator with `actor_role` may change the MFA of a
/// user with `target_role`: never their own through administration (the
/// Security page is for that, with its own proofs), and never someone who
/// outranks them.
pub fn may_act_on(
    actor_role: Role,
    actor_id: &str,
    target_role: Role,
    target_id: &str,
) -> Result<(), &'static str> {
    if actor_id == target_id {
        return Err(
            "You cannot change your own MFA through administration. Use your Security page.",
        );
    }
    if target_role.rank() > actor_role.rank() {
        return Err("Only a billing administrator can change the MFA of a billing administrator.");
    }
    if !actor_role.is_admin() {
        return Err("This needs an administrator.");
    }
    Ok(())
}

/// Checks an enrollment period length given by an admin.
pub fn check_period(days: u32) -> Result<u32, String> {
    let (min, max) = (status::MIN_PERIOD_DAYS, status::MAX_PERIOD_DAYS);
    if (min..=max).contains(&days) {
        Ok(days)
    } else {
        Err(format!(
            "The enrollment period must be between {min} and {max} days (got {days})."
        ))
    }
}

/// What the admin pages show of a user's factors besides the TOTP state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactorFacts {
    /// Each kind once, in the registry's order.
    kinds: Vec<FactorKind>,
    /// The last use of any of them.
    last_used_at: Option<Timestamp>,
}

impl FactorFacts {
    /// From (kind, last use) pairs, several per kind allowed.
    pub fn new(uses: impl IntoIterator<Item = (FactorKind, Option<Timestamp>)>) -> Self {
        let mut facts = FactorFacts::default();
        for (kind, used) in uses {
            if !facts.kinds.contains(&kind) {
                facts.kinds.push(kind);
            }
            facts.last_used_at = facts.last_used_at.max(used);
        }
        facts.kinds.sort_by_key(|k| k.wire());
        facts
    }

    /// `user_id`'s part of a page's [`store::factors::uses_of`].
    pub fn of(uses: &[store::factors::KindUse], user_id: &str) -> Self {
        FactorFacts::new(
            uses.iter()
                .filter(|u| u.user_id == user_id)
                .map(|u| (u.kind, u.last_used_at)),
        )
    }
}

pub fn admin_user(row: &ListedUser, now: Timestamp, factors: FactorFacts) -> AdminUser {
    let user = &row.user;
    let requirement = Requirement::for_user(
        user.role(),
        user.mfa_required,
        user.mfa_deadline,
        row.has_factor,
    );
    AdminUser {
        id: user.id.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role(),
        mfa: status::status(requirement, now),
        mfa_required: requirement.required,
        deadline: requirement.deadline,
        totp: match (row.totp_confirmed_at, row.totp_pending) {
            (Some(since), _) => TotpState::Active {
                since,
                on_device: row.totp_on_device,
            },
            (None, true) => TotpState::Pending,
            (None, false) => TotpState::NotSetUp,
        },
        factors: factors.kinds,
        last_mfa_at: factors.last_used_at,
        protect_device: row.protect_label.clone(),
        invited: user.password_hash.is_empty(),
        suspended: user.suspended_at.is_some(),
    }
}

/// One user as the admin pages show them.
pub async fn get(state: &AppState, id: &str) -> Result<AdminUser, AdminError> {
    let row = store::users::listed(&state.db, id)
        .await?
        .ok_or(AdminError::NotFound)?;
    let uses = store::factors::uses_of(&state.db, &[id.to_string()]).await?;
    Ok(admin_user(&row, state.now(), FactorFacts::of(&uses, id)))
}

/// The target of a change, after the checks every change needs: a fresh
/// second factor, and a target the actor may act on.
pub async fn target(state: &AppState, admin: &Authed, id: &str) -> Result<ListedUser, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let row = store::users::listed(&state.db, id)
        .await?
        .ok_or(AdminError::NotFound)?;
    may_act_on(
        admin.user.role(),
        &admin.user.id,
        row.user.role(),
        &row.user.id,
    )
    .map_err(AdminError::Outranked)?;
    Ok(row)
}

pub fn deadline(period_days: Option<u32>, now: Timestamp) -> Result<Option<Timestamp>, AdminError> {
    match period_days {
        None => Ok(None),
        Some(days) => check_period(days)
            .map(|d| Some(status::deadline(now, d)))
            .map_err(AdminError::Invalid),
    }
}

pub fn period_text(days: Option<u32>) -> String {
    match days {
        Some(d) => format!("{d}-day enrollment period"),
        None => "no enrollment period".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_api::Role;

    #[test]
    fn role_rank() {
        use Role::*;
        assert!(may_act_on(Admin, "a", User, "u").is_ok());
        assert!(may_act_on(Admin, "a", Admin, "b").is_ok());
        assert!(may_act_on(Admin, "a", BillingAdmin, "b").is_err());
        assert!(may_act_on(BillingAdmin, "a", BillingAdmin, "b").is_ok());
        assert!(may_act_on(BillingAdmin, "a", Admin, "b").is_ok());
        assert!(
            may_act_on(Admin, "a", Admin, "a").is_err(),
            "not on oneself"
        );
        assert!(may_act_on(BillingAdmin, "a", BillingAdmin, "a").is_err());
        assert!(may_act_on(User, "a", User, "u").is_err());
    }

    #[test]
    fn period_bounds() {
        assert!(check_period(0).is_err());
        assert_eq!(check_period(1), Ok(1));
        assert_eq!(check_period(365), Ok(365));
        let e = check_period(366).unwrap_err();
        assert!(e.contains("between 1 and 365"), "{e}");
    }
}
