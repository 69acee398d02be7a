//! Administration of other users' MFA: the users list, Require MFA, Reset
//! MFA, lifting a suspension. Rules: who may act on whom (role rank), a
//! fresh second factor for every change, one transaction per change with
//! its audit event and emails.

mod bulk;
mod detail;
mod events;
mod export;
mod factors;
mod list;
mod remind;
mod sessions;
pub use bulk::{bulk, bulk_preview};
pub use detail::detail;
pub use events::{events, EventQuery};
pub use export::csv;
pub use factors::remove_factor;
pub use list::{count, cursor_at, explain, list, ListQuery};
pub use remind::remind;
pub use sessions::end_sessions;

use portcullis_api::{AdminUser, FactorKind, PeriodChoice, Role, TotpState};

use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, throttle, AuthError, Authed};
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::mfa::status::{self, Requirement};
use crate::mfa::totp_factor;
use crate::notify::{self, Kind};
use crate::org_settings;
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
    let rank = |r: Role| match r {
        Role::User => 0,
        Role::Admin => 1,
        Role::BillingAdmin => 2,
    };
    if rank(target_role) > rank(actor_role) {
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
struct FactorFacts {
    /// Each kind once, in the registry's order.
    kinds: Vec<FactorKind>,
    /// The last use of any of them.
    last_used_at: Option<Timestamp>,
}

impl FactorFacts {
    /// From (kind, last use) pairs, several per kind allowed.
    fn new(uses: impl IntoIterator<Item = (FactorKind, Option<Timestamp>)>) -> Self {
        let mut facts = FactorFacts::default();
        for (kind, used) in uses {
            if !facts.kinds.contains(&kind) {
                facts.kinds.push(kind);
            }
            facts.last_used_at = facts.last_used_at.max(used);
        }
        facts.kinds.sort_by_key(|k| store::factors::kind_name(*k));
        facts
    }

    /// `user_id`'s part of a page's [`store::factors::uses_of`].
    fn of(uses: &[store::factors::KindUse], user_id: &str) -> Self {
        FactorFacts::new(
            uses.iter()
                .filter(|u| u.user_id == user_id)
                .map(|u| (u.kind, u.last_used_at)),
        )
    }
}

fn admin_user(row: &ListedUser, now: Timestamp, factors: FactorFacts) -> AdminUser {
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
async fn target(state: &AppState, admin: &Authed, id: &str) -> Result<ListedUser, AdminError> {
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

fn deadline(period_days: Option<u32>, now: Timestamp) -> Result<Option<Timestamp>, AdminError> {
    match period_days {
        None => Ok(None),
        Some(days) => check_period(days)
            .map(|d| Some(status::deadline(now, d)))
            .map_err(AdminError::Invalid),
    }
}

fn period_text(days: Option<u32>) -> String {
    match days {
        Some(d) => format!("{d}-day enrollment period"),
        None => "no enrollment period".to_string(),
    }
}

/// Records the change's event in its transaction, commits, and answers
/// with the user as the change left them.
async fn commit(
    state: &AppState,
    mut tx: store::Tx,
    now: Timestamp,
    event: Event<'_>,
    id: &str,
) -> Result<AdminUser, AdminError> {
    audit::record(&mut *tx, now, event).await?;
    tx.commit().await?;
    get(state, id).await
}

/// Require MFA for a user, with an enrollment period from today (an absent
/// one: the organisation's default; `NoPeriod`: set up at the next login). Sessions that no second factor proved end
/// with the new period.
pub async fn require_mfa(
    state: &AppState,
    admin: &Authed,
    id: &str,
    period: PeriodChoice,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let now = state.now();
    let period_days = org_settings::resolve_period(&state.db, period).await?;
    let deadline = deadline(period_days, now)?;
    let row = target(state, admin, id).await?;
    let mut tx = state.db.begin().await?;
    let change = Change {
        admin,
        client,
        now,
        deadline,
        period_days,
    };
    change.require(&mut tx, &row).await?;
    tx.commit().await?;
    get(state, id).await
}

/// No longer require MFA of a user: their factors stay and keep working,
/// and they may remove them. Administrators always need MFA, so not theirs.
/// A user of whom MFA is not required is left as they are.
pub async fn unrequire_mfa(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let now = state.now();
    let row = target(state, admin, id).await?;
    let user = &row.user;
    if user.role().is_admin() {
        return Err(AdminError::Conflict(format!(
            "{} is an administrator, and administrators always need MFA.",
            user.display_name
        )));
    }
    if !user.mfa_required {
        return get(state, id).await;
    }
    let mut tx = state.db.begin().await?;
    store::users::clear_requirement(&mut *tx, &user.id).await?;
    let event = Event::by_admin(
        EventKind::AdminUnrequireMfa,
        &admin.user.id,
        &user.id,
        client,
        "MFA no longer required",
    );
    commit(state, tx, now, event, id).await
}

/// Reset MFA: remove the user's factors, end their sessions, and start a
/// new enrollment period from today (also how an admin extends an expired
/// period). It lifts a suspension of the factors too.
pub async fn reset_mfa(
    state: &AppState,
    admin: &Authed,
    id: &str,
    period: PeriodChoice,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let now = state.now();
    let period_days = org_settings::resolve_period(&state.db, period).await?;
    let deadline = deadline(period_days, now)?;
    let row = target(state, admin, id).await?;
    let mut tx = state.db.begin().await?;
    let change = Change {
        admin,
        client,
        now,
        deadline,
        period_days,
    };
    change.reset(&mut tx, &row).await?;
    tx.commit().await?;
    get(state, id).await
}

/// One administrator's change to users' MFA, applied to one user at a time
/// inside the caller's transaction, each with its event and email: the
/// single-user routes and the bulk actions share it.
pub(crate) struct Change<'a> {
    pub admin: &'a Authed,
    pub client: &'a Client,
    pub now: Timestamp,
    pub deadline: Option<Timestamp>,
    pub period_days: Option<u32>,
}

impl Change<'_> {
    pub async fn require(&self, tx: &mut store::Tx, row: &ListedUser) -> Result<(), AdminError> {
        let user = &row.user;
        store::users::set_requirement(&mut **tx, &user.id, self.deadline, self.now).await?;
        if !row.has_factor {
            notify::queue(&mut **tx, self.now, Kind::MfaRequired, user, self.deadline).await?;
            store::sessions::cap_unproven(&mut **tx, &user.id, self.deadline).await?;
        }
        let detail = format!("require MFA ({})", period_text(self.period_days));
        self.record(tx, EventKind::AdminRequireMfa, &user.id, &detail)
            .await
    }

    pub async fn reset(&self, tx: &mut store::Tx, row: &ListedUser) -> Result<(), AdminError> {
        let user = &row.user;
        // The user's row first, as a login's finish holds it: a login whose
        // factor is being checked either ends here or is refused.
        store::users::lock(&mut **tx, &user.id).await?;
        store::totp::delete(tx, &user.id).await?;
        // Before the keys: their removal brings `has_factor` up to date.
        store::protect::delete_device_of(&mut **tx, &user.id).await?;
        store::push_requests::cancel_all(&mut **tx, &user.id, self.now).await?;
        store::webauthn::delete_all(tx, &user.id).await?;
        store::factors::refresh(&mut **tx, &user.id).await?;
        // Recovery codes, trusted browsers and Protect links go with them.
        crate::mfa::removal::after_factors_removed(tx, &user.id, self.now).await?;
        store::users::set_requirement(&mut **tx, &user.id, self.deadline, self.now).await?;
        // Sessions proven with the removed factors end too.
        store::sessions::delete_for_user(&mut **tx, &user.id, None).await?;
        throttle::unlock(
            tx,
            &[
                throttle::factor_counter(totp_factor::FACTOR, &user.id),
                throttle::factor_counter(throttle::RECOVERY, &user.id),
            ],
        )
        .await?;
        notify::queue_from_admin(
            &mut **tx,
            self.now,
            (Kind::MfaReset, self.deadline),
            user,
            self.client,
            "",
        )
        .await?;
        let detail = format!("reset MFA ({})", period_text(self.period_days));
        self.record(tx, EventKind::AdminResetMfa, &user.id, &detail)
            .await
    }

    async fn record(
        &self,
        tx: &mut store::Tx,
        kind: EventKind,
        subject: &str,
        detail: &str,
    ) -> Result<(), AdminError> {
        let event = Event::by_admin(kind, &self.admin.user.id, subject, self.client, detail);
        audit::record(&mut **tx, self.now, event).await?;
        Ok(())
    }
}

/// Lifts a suspension (a hundred failures in a row) of the user's password
/// and factors.
pub async fn unlock(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<AdminUser, AdminError> {
    let now = state.now();
    let row = target(state, admin, id).await?;
    let user = &row.user;
    let mut tx = state.db.begin().await?;
    throttle::unlock(&mut tx, &throttle::account_counters(&user.email, &user.id)).await?;
    let event = Event::by_admin(
        EventKind::AdminUnlock,
        &admin.user.id,
        &user.id,
        client,
        "password and factors unlocked",
    );
    commit(state, tx, now, event, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

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
