//! Admin API: users and their MFA requirement.

use axum::extract::{Path, Query, State};
use axum::Json;
use portcullis_api::{AdminUser, EnrolmentPeriodRequest, ErrorBody, TotpState, UserPage};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::client::ClientInfo;
use crate::clock::Timestamp;
use crate::email::{self, Kind};
use crate::error::{ApiJson, AppError, AppResult};
use crate::session::AdminSession;
use crate::state::AppState;
use crate::users::{self, User};
use crate::{events, mfa, totp};

pub const PAGE_MAX: u32 = 100;
const PAGE_DEFAULT: u32 = 50;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Start of an email or a name.
    pub search: Option<String>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
    /// Page size, 1–100 (default 50).
    pub limit: Option<u32>,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    user: User,
    totp_confirmed_at: Option<Timestamp>,
    totp_pending: bool,
}

fn admin_user(
    user: &User,
    totp_confirmed_at: Option<Timestamp>,
    totp_pending: bool,
    now: Timestamp,
) -> AdminUser {
    let requirement = mfa::Requirement {
        required: user.mfa_required,
        deadline: user.mfa_deadline,
        has_factor: totp_confirmed_at.is_some(),
    };
    AdminUser {
        id: user.id.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role(),
        mfa: mfa::status(requirement, now),
        mfa_required: user.mfa_required,
        deadline: user.mfa_deadline.filter(|_| user.mfa_required),
        totp: match (totp_confirmed_at, totp_pending) {
            (Some(since), _) => TotpState::Active { since },
            (None, true) => TotpState::Pending,
            (None, false) => TotpState::NotSetUp,
        },
    }
}

const ROW_SELECT: &str =
    "SELECT u.id, u.email, u.display_name, u.password_hash, u.role, u.created_at, \
     u.mfa_required, u.mfa_deadline, u.mfa_required_at, t.confirmed_at AS totp_confirmed_at, \
     (t.user_id IS NOT NULL AND t.confirmed_at IS NULL) AS totp_pending \
     FROM users u LEFT JOIN totp_factors t ON t.user_id = u.id";

/// Users with their MFA status, a page at a time, ordered by email.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = "admin",
    params(ListQuery),
    responses(
        (status = 200, description = "One page", body = UserPage),
        (status = 403, description = "Not an administrator", body = ErrorBody),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: AdminSession,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<UserPage>> {
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let search = q.search.unwrap_or_default().trim().to_lowercase();
    let pattern = format!(
        "{}%",
        search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // Keyset paging on the unique email index: each page costs the same.
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{ROW_SELECT} WHERE u.email > ? AND (u.email LIKE ? ESCAPE '\\' OR LOWER(u.display_name) LIKE ? ESCAPE '\\') \
         ORDER BY u.email LIMIT ?"
    ))
    .bind(q.after.unwrap_or_default())
    .bind(&pattern)
    .bind(&pattern)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.db)
    .await?;
    let now = state.now();
    let more = rows.len() > limit as usize;
    let users: Vec<AdminUser> = rows
        .iter()
        .take(limit as usize)
        .map(|r| admin_user(&r.user, r.totp_confirmed_at, r.totp_pending, now))
        .collect();
    let next_after = if more {
        users.last().map(|u| u.email.clone())
    } else {
        None
    };
    Ok(Json(UserPage { users, next_after }))
}

async fn load(state: &AppState, id: &str) -> AppResult<AdminUser> {
    let row: Option<Row> = sqlx::query_as(&format!("{ROW_SELECT} WHERE u.id = ?"))
        .bind(id)
        .fetch_optional(&state.db)
        .await?;
    let r = row.ok_or_else(|| AppError::not_found("There is no user with this id."))?;
    Ok(admin_user(
        &r.user,
        r.totp_confirmed_at,
        r.totp_pending,
        state.now(),
    ))
}

fn period(req: &EnrolmentPeriodRequest, now: Timestamp) -> AppResult<Option<Timestamp>> {
    match req.period_days {
        None => Ok(None),
        Some(days) => mfa::check_period(days)
            .map(|d| Some(mfa::deadline(now, d)))
            .map_err(AppError::validation),
    }
}

/// The user an admin action is about, and the deadline it asks for.
async fn target(
    state: &AppState,
    id: &str,
    req: &EnrolmentPeriodRequest,
    now: Timestamp,
) -> AppResult<(User, Option<Timestamp>)> {
    let deadline = period(req, now)?;
    let user = users::find_by_id(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("There is no user with this id."))?;
    Ok((user, deadline))
}

/// Records an admin action on `user` and answers with the user as it is now.
async fn done(
    state: &AppState,
    (admin, client): (&User, &ClientInfo),
    kind: &str,
    what: &str,
    user: &User,
    days: Option<u32>,
) -> AppResult<Json<AdminUser>> {
    let detail = format!("{what} for {} ({})", user.email, days_text(days));
    events::record(
        &state.db,
        state.now(),
        kind,
        Some(&admin.id),
        &client.ip,
        &detail,
    )
    .await?;
    Ok(Json(load(state, &user.id).await?))
}

/// Require MFA for a user, with an enrolment period from today.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/require-mfa",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    request_body = EnrolmentPeriodRequest,
    responses(
        (status = 200, description = "The user, now required", body = AdminUser),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "Period outside 1–365 days", body = ErrorBody),
    )
)]
pub async fn require_mfa(
    State(state): State<AppState>,
    AdminSession(_, admin): AdminSession,
    client: ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EnrolmentPeriodRequest>,
) -> AppResult<Json<AdminUser>> {
    let now = state.now();
    let (user, deadline) = target(&state, &id, &req, now).await?;
    let before = load(&state, &id).await?;
    let mut tx = state.db.begin().await?;
    users::set_requirement(&mut *tx, &user.id, deadline, now).await?;
    if !matches!(before.totp, TotpState::Active { .. }) {
        email::queue(&mut *tx, now, Kind::MfaRequired, &user, deadline).await?;
    }
    tx.commit().await?;
    done(
        &state,
        (&admin, &client),
        "admin_require_mfa",
        "require MFA",
        &user,
        req.period_days,
    )
    .await
}

/// Reset MFA: remove the user's factors and start a new enrolment period
/// from today (also how an admin extends an expired period).
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/reset-mfa",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    request_body = EnrolmentPeriodRequest,
    responses(
        (status = 200, description = "The user after the reset", body = AdminUser),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "Period outside 1–365 days", body = ErrorBody),
    )
)]
pub async fn reset_mfa(
    State(state): State<AppState>,
    AdminSession(_, admin): AdminSession,
    client: ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EnrolmentPeriodRequest>,
) -> AppResult<Json<AdminUser>> {
    let now = state.now();
    let (user, deadline) = target(&state, &id, &req, now).await?;
    let mut tx = state.db.begin().await?;
    totp::delete(&mut *tx, &user.id).await?;
    users::set_requirement(&mut *tx, &user.id, deadline, now).await?;
    // Sessions proven with the removed factors end too.
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    email::queue(&mut *tx, now, Kind::MfaReset, &user, deadline).await?;
    tx.commit().await?;
    done(
        &state,
        (&admin, &client),
        "admin_reset_mfa",
        "reset MFA",
        &user,
        req.period_days,
    )
    .await
}

fn days_text(days: Option<u32>) -> String {
    match days {
        Some(d) => format!("{d}-day enrolment period"),
        None => "no enrolment period".to_string(),
    }
}
