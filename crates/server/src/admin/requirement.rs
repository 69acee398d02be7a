//! Require MFA, no longer require it, Reset MFA and unlock: one
//! transaction per change with its audit event and emails.

use portcullis_api::{AdminUser, PeriodChoice};

use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{throttle, Authed};
use crate::clock::Timestamp;
use crate::mfa::removal::{self, Refused, Remover};
use crate::notify::{self, Kind};
use crate::rules::org_settings;
use crate::store::{self, users::ListedUser};

use super::common::{deadline, get, period_text, target, AdminError};

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
        state,
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
        state,
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
    pub state: &'a AppState,
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
        // The removal path, with the last-factor rule set aside: recovery
        // codes, trusted browsers, Protect links and pushes go with them.
        let by = Remover::Reset { keep: None };
        removal::remove_all(self.state, tx, &user.id, by, self.client)
            .await
            .map_err(admin_refusal)?;
        store::users::set_requirement(&mut **tx, &user.id, self.deadline, self.now).await?;
        // Sessions proven with the removed factors end too.
        store::sessions::delete_for_user(&mut **tx, &user.id, None).await?;
        throttle::unlock(
            tx,
            &[
                throttle::factor_counter(throttle::TOTP, &user.id),
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

/// A reset's removal refused: only a user gone meanwhile (the last-factor
/// rule does not hold for a reset).
fn admin_refusal(refused: Refused) -> AdminError {
    match refused {
        Refused::NotFound => AdminError::Missing("That user no longer exists.".into()),
        Refused::LastFactor(words) => AdminError::Conflict(words),
        Refused::Internal(e) => e.into(),
    }
}
