//! Bulk Require MFA and Reset MFA: for selected users or every user a
//! filter matches. The same rules as for one user (rank, never oneself, a
//! fresh second factor), all users in one transaction, an event and an
//! email for each. A preview answers what the action would do, so the
//! confirmation can say it in numbers.

use portcullis_api::admin_bulk::{BULK_NAMES_MAX, ID_MAX_CHARS, SEARCH_MAX_CHARS};
use portcullis_api::{BulkAction, BulkInput, BulkOutcome, BulkSkip, BulkTarget, UserSort};

use super::common::{deadline, may_act_on, AdminError};
use super::list::ListQuery;
use super::requirement::Change;
use crate::app::AppState;
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::rules::org_settings;
use crate::rules::requirement::Requirement;
use crate::store::{user_list, users::ListedUser};

/// Most users one request may name: a few pages of the list (the body
/// must stay within the API's 16 KB limit); a filter has no limit.
pub const MAX_IDS: usize = 300;

/// The users the action would change, and what it would do.
struct Plan {
    users: Vec<ListedUser>,
    outcome: BulkOutcome,
}

async fn plan(state: &AppState, admin: &Authed, req: &BulkInput) -> Result<Plan, AdminError> {
    let rows = match &req.target {
        BulkTarget::Ids(ids) => {
            if ids.is_empty() {
                return Err(AdminError::Invalid("Select at least one user.".into()));
            }
            if ids.len() > MAX_IDS {
                return Err(AdminError::Invalid(format!(
                    "Select at most {MAX_IDS} users at a time, or apply the action to the filter."
                )));
            }
            if ids.iter().any(|id| id.0.chars().count() > ID_MAX_CHARS) {
                return Err(AdminError::Missing(
                    "Some of the selected users no longer exist. Reload the list and try again."
                        .into(),
                ));
            }
            let ids: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
            let found = user_list::by_ids(&state.db, &ids).await?;
            if found.len() < dedup_len(&ids) {
                return Err(AdminError::Missing(
                    "Some of the selected users no longer exist. Reload the list and try again."
                        .into(),
                ));
            }
            found
        }
        BulkTarget::Filter(f) => {
            if f.search.as_deref().unwrap_or_default().chars().count() > SEARCH_MAX_CHARS {
                return Err(AdminError::Invalid(format!(
                    "Search for at most {SEARCH_MAX_CHARS} characters."
                )));
            }
            if f.group.as_deref().unwrap_or_default().chars().count() > ID_MAX_CHARS {
                return Err(AdminError::Invalid(format!(
                    "A group id has at most {ID_MAX_CHARS} characters."
                )));
            }
            let q = ListQuery {
                search: f.search.clone(),
                status: f.status,
                required: f.required,
                factor: f.factor,
                group: f.group.clone(),
                account: f.account,
                sort: UserSort::Email,
                ..ListQuery::default()
            };
            let rows = user_list::page(&state.db, &q.page(None, u32::MAX, state.now())).await?;
            rows.into_iter().map(|r| r.listed).collect()
        }
    };
    let mut outcome = BulkOutcome {
        changed: 0,
        lose_authenticator_app: 0,
        newly_required: 0,
        skipped: Vec::new(),
        names: Vec::new(),
    };
    let mut users = Vec::new();
    for row in rows {
        let user = &row.user;
        if let Err(reason) = may_act_on(admin.user.role(), &admin.user.id, user.role(), &user.id) {
            outcome.skipped.push(BulkSkip {
                email: user.email.clone(),
                reason: reason.to_string(),
            });
            continue;
        }
        let was = Requirement::for_user(
            user.role(),
            user.mfa_required,
            user.mfa_deadline,
            row.has_factor,
        );
        outcome.changed += 1;
        if !was.required {
            outcome.newly_required += 1;
        }
        if req.action == BulkAction::Reset && row.totp_confirmed_at.is_some() {
            outcome.lose_authenticator_app += 1;
        }
        users.push(row);
    }
    outcome.skipped.sort_by(|a, b| a.email.cmp(&b.email));
    let mut named: Vec<(&str, &str)> = users
        .iter()
        .map(|r| (r.user.email.as_str(), r.user.display_name.as_str()))
        .collect();
    named.sort_unstable();
    outcome.names = named
        .into_iter()
        .take(BULK_NAMES_MAX)
        .map(|(_, name)| name.to_string())
        .collect();
    Ok(Plan { users, outcome })
}

fn dedup_len(ids: &[String]) -> usize {
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    ids.dedup();
    ids.len()
}

/// What the action would do now; changes nothing.
pub async fn bulk_preview(
    state: &AppState,
    admin: &Authed,
    req: &BulkInput,
) -> Result<BulkOutcome, AdminError> {
    let period_days = org_settings::resolve_period(&state.db, req.period_days).await?;
    deadline(period_days, state.now())?;
    Ok(plan(state, admin, req).await?.outcome)
}

/// Applies the action to every planned user in one transaction.
pub async fn bulk(
    state: &AppState,
    admin: &Authed,
    req: &BulkInput,
    client: &Client,
) -> Result<BulkOutcome, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let now = state.now();
    let period_days = org_settings::resolve_period(&state.db, req.period_days).await?;
    let deadline = deadline(period_days, now)?;
    let plan = plan(state, admin, req).await?;
    let change = Change {
        state,
        admin,
        client,
        now,
        deadline,
        period_days,
    };
    let mut tx = state.db.begin().await?;
    for row in &plan.users {
        match req.action {
            BulkAction::Require => change.require(&mut tx, row).await?,
            BulkAction::Reset => change.reset(&mut tx, row).await?,
        }
    }
    tx.commit().await?;
    Ok(plan.outcome)
}
