//! Admin routes: users and their MFA requirement. Every route needs an
//! administrator whose session passed a second factor; changes to someone's
//! MFA need that factor to be recent (the domain checks).

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use portcullis_api::{
    AccountFilter, AdminUser, BulkInput, BulkOutcome, BulkRequest, EnrollmentPeriodInput,
    EnrollmentPeriodRequest, ErrorBody, EventOutcome, EventPage, FactorKind, StatusFilter,
    UserPage, UserSort, UserSummary,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::admin;
use crate::app::AppState;

/// The query of the users list. No length limits: the server takes any
/// search text (it matches nothing when too long) and clamps the page size,
/// and the document says exactly that.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Start of an email or a name, in any case.
    pub search: Option<String>,
    /// Only users with this MFA status.
    #[param(inline)]
    pub status: Option<StatusFilter>,
    /// Only users of whom MFA is required (`true`) or not (`false`).
    pub required: Option<bool>,
    /// Only users with a confirmed factor of this kind.
    #[param(inline)]
    pub factor: Option<FactorKind>,
    /// Only members of the group with this id (an unknown id matches nobody).
    pub group: Option<String>,
    /// Only invited or only suspended accounts.
    #[param(inline)]
    pub account: Option<AccountFilter>,
    /// The order (default `email`).
    #[param(inline)]
    pub sort: Option<UserSort>,
    /// Reverse the order.
    pub desc: Option<bool>,
    /// The `next_after` of the previous page (of the same order); empty or
    /// absent: the first page.
    pub after: Option<String>,
    /// Page size (default 50); values outside 1–100 are taken as the
    /// nearest of those.
    #[param(minimum = 0, maximum = 4294967295_u64, format = Int64)]
    pub limit: Option<u32>,
}

impl From<ListParams> for admin::ListQuery {
    fn from(p: ListParams) -> Self {
        admin::ListQuery {
            search: p.search,
            status: p.status,
            required: p.required,
            factor: p.factor,
            group: p.group,
            account: p.account,
            sort: p.sort.unwrap_or_default(),
            desc: p.desc.unwrap_or(false),
            after: p.after,
            limit: p.limit,
        }
    }
}

/// Which users to export, in what order: the list's query without paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Start of an email or a name, in any case.
    pub search: Option<String>,
    /// Only users with this MFA status.
    #[param(inline)]
    pub status: Option<StatusFilter>,
    /// Only users of whom MFA is required (`true`) or not (`false`).
    pub required: Option<bool>,
    /// Only users with a confirmed factor of this kind.
    #[param(inline)]
    pub factor: Option<FactorKind>,
    /// Only members of the group with this id (an unknown id matches nobody).
    pub group: Option<String>,
    /// Only invited or only suspended accounts.
    #[param(inline)]
    pub account: Option<AccountFilter>,
    /// The order (default `email`).
    #[param(inline)]
    pub sort: Option<UserSort>,
    /// Reverse the order.
    pub desc: Option<bool>,
}

/// The filtered users list as a CSV file (every user, in the list's order).
/// Cells that a spreadsheet would run as formulas start with an apostrophe.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users.csv",
    tag = "admin",
    params(ExportParams),
    security(("session" = [])),
    responses(
        (status = 200, description = "The list as CSV", content_type = "text/csv", body = String),
        (status = 400, description = "Malformed query (e.g. an unknown `status`)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn export_users(
    State(state): State<AppState>,
    _admin: Admin,
    Query(p): Query<ExportParams>,
) -> HttpResult<impl IntoResponse> {
    let q = admin::ListQuery {
        search: p.search,
        status: p.status,
        required: p.required,
        factor: p.factor,
        group: p.group,
        account: p.account,
        sort: p.sort.unwrap_or_default(),
        desc: p.desc.unwrap_or(false),
        after: None,
        limit: None,
    };
    let body = admin::csv(&state, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"portcullis-users.csv\"",
            ),
        ],
        body,
    ))
}

/// Users with their MFA status, filtered, sorted, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = "admin",
    params(ListParams),
    security(("session" = [])),
    responses(
        (status = 200, description = "One page", body = UserPage),
        (status = 400, description = "Malformed query (e.g. a `limit` that is not a whole number, an unknown `status`)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
        (status = 404, description = "An `after` that is not a page link of this order (start from the first page)", body = ErrorBody),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: Admin,
    Query(q): Query<ListParams>,
) -> HttpResult<Json<UserPage>> {
    let page = admin::list(&state, &q.into()).await?;
    Ok(Json(page))
}

/// How many users are in each MFA status, and how many accounts are
/// invited or suspended (the whole organisation, no filter).
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/summary",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The counts", body = UserSummary),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn users_summary(
    State(state): State<AppState>,
    _admin: Admin,
) -> HttpResult<Json<UserSummary>> {
    Ok(Json(admin::summary(&state).await?))
}

/// Require MFA for a user, with an enrollment period from today (absent:
/// the organisation's default period).
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/require-mfa",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    request_body = EnrollmentPeriodRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user, now required", body = AdminUser),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field (a period outside 1–365 days)", body = ErrorBody),
    )
)]
pub async fn require_mfa(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EnrollmentPeriodInput>,
) -> HttpResult<Json<AdminUser>> {
    let user = admin::require_mfa(&state, &actor, &id, req.period_days, &client).await?;
    Ok(Json(user))
}

/// Reset MFA: remove the user's factors and start a new enrollment period
/// from today (absent: the organisation's default period); also how an
/// admin extends an expired period.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/reset-mfa",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    request_body = EnrollmentPeriodRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user after the reset", body = AdminUser),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field (a period outside 1–365 days)", body = ErrorBody),
    )
)]
pub async fn reset_mfa(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EnrollmentPeriodInput>,
) -> HttpResult<Json<AdminUser>> {
    let user = admin::reset_mfa(&state, &actor, &id, req.period_days, &client).await?;
    Ok(Json(user))
}

/// Stop requiring MFA of a user. Their factors stay. Administrators
/// always need MFA: refused for them.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/unrequire-mfa",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user, no longer required (or as they were, if MFA was not required of them)", body = AdminUser),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user is an administrator, who always needs MFA", body = ErrorBody),
    )
)]
pub async fn unrequire_mfa(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<AdminUser>> {
    Ok(Json(
        admin::unrequire_mfa(&state, &actor, &id, &client).await?,
    ))
}

/// Lift a suspension: after a hundred failures in a row the password or a
/// factor stays refused until an administrator does this.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/unlock",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user, unlocked", body = AdminUser),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    )
)]
pub async fn unlock(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<AdminUser>> {
    Ok(Json(admin::unlock(&state, &actor, &id, &client).await?))
}

/// What a bulk Require MFA or Reset MFA would do now: how many users it
/// changes and how. Changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/bulk/preview",
    tag = "admin",
    request_body = BulkRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "What the action would do", body = BulkOutcome),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session; or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field: a period outside 1–365 days, no users or more than 300 ids", body = ErrorBody),
        (status = 404, description = "Some of the ids are not users (any more)", body = ErrorBody),
    )
)]
pub async fn bulk_preview(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiJson(req): ApiJson<BulkInput>,
) -> HttpResult<Json<BulkOutcome>> {
    Ok(Json(admin::bulk_preview(&state, &actor, &req).await?))
}

/// Require MFA or Reset MFA for the selected users, or for every user a
/// filter matches: one transaction, an event and an email per user. Users
/// the administrator may not change are skipped and named.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/bulk",
    tag = "admin",
    request_body = BulkRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "What the action did", body = BulkOutcome),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, no second factor in this session or none recently; or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field: a period outside 1–365 days, no users or more than 300 ids", body = ErrorBody),
        (status = 404, description = "Some of the ids are not users (any more)", body = ErrorBody),
    )
)]
pub async fn bulk(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<BulkInput>,
) -> HttpResult<Json<BulkOutcome>> {
    Ok(Json(admin::bulk(&state, &actor, &req, &client).await?))
}

/// The event log's query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Only events about the user with this email.
    pub user: Option<String>,
    /// Only events of this kind (e.g. `login_failed`, `admin_reset_mfa`).
    pub kind: Option<String>,
    /// Only successes or only refusals.
    #[param(inline)]
    pub outcome: Option<EventOutcome>,
    /// From this time (Unix seconds, inclusive).
    pub from: Option<i64>,
    /// Until this time (Unix seconds, exclusive).
    pub to: Option<i64>,
    /// The `next_before` of the previous page.
    pub before: Option<String>,
    /// Page size (default 50); values outside 1–100 are taken as the
    /// nearest of those.
    #[param(minimum = 0, maximum = 4294967295_u64, format = Int64)]
    pub limit: Option<u32>,
}

/// The event log, newest first: logins, second factors passed and refused,
/// enrollments, resets, requirement changes and administrators' actions.
#[utoipa::path(
    get,
    path = "/api/v1/admin/events",
    tag = "admin",
    params(EventParams),
    security(("session" = [])),
    responses(
        (status = 200, description = "One page", body = EventPage),
        (status = 400, description = "Malformed query (e.g. a time that is not a whole number)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
        (status = 404, description = "An unknown event kind, or a `before` that is not a page link of the log", body = ErrorBody),
    )
)]
pub async fn list_events(
    State(state): State<AppState>,
    _admin: Admin,
    Query(p): Query<EventParams>,
) -> HttpResult<Json<EventPage>> {
    let q = admin::EventQuery {
        user: p.user,
        kind: p.kind,
        outcome: p.outcome,
        from: p.from,
        to: p.to,
        before: p.before,
        limit: p.limit,
    };
    Ok(Json(admin::events(&state, &q).await?))
}
