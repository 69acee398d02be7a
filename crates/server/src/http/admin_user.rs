//! The admin user details page's routes: one user with their factors,
//! sessions and events, and the changes made from there (remove a factor,
//! end the sessions, send the "MFA required" email again). Reading needs an
//! administrator whose session passed a second factor; changes need that
//! factor to be recent and a user the administrator may act on (the domain
//! checks). Every change answers with the page as it left the user.

use axum::extract::{Path, State};
use axum::Json;
use portcullis_api::{AdminUser, ErrorBody, UserDetail};

use super::error::HttpResult;
use super::extract::{Admin, ClientInfo};
use crate::admin;
use crate::app::AppState;

/// One user: MFA status and requirement, each factor with when it was added
/// and last used, live sessions (newest first) and their latest events.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The user", body = UserDetail),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> HttpResult<Json<UserDetail>> {
    Ok(Json(admin::detail(&state, &id).await?))
}

/// Remove one second factor of a user; the sessions it proved end and the
/// user gets an email. The last factor of a user of whom MFA is required
/// cannot be removed this way (Reset MFA does that, with a new period).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}/factors/{factor}",
    tag = "admin",
    params(
        ("id" = String, Path, description = "User id"),
        ("factor" = String, Path, description = "The factor's `id` in the user's details (`totp` for the authenticator app)"),
    ),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user without the factor", body = UserDetail),
        (status = 400, description = "The id or the factor is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user, or the user has no such factor", body = ErrorBody),
        (status = 409, description = "It is the last factor of a user of whom MFA is required: use Reset MFA", body = ErrorBody),
    )
)]
pub async fn remove_factor(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path((id, factor)): Path<(String, String)>,
) -> HttpResult<Json<UserDetail>> {
    Ok(Json(
        admin::remove_factor(&state, &actor, &id, &factor, &client).await?,
    ))
}

/// End every session of a user (signed in or half-way through a login).
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/sessions/end",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user, with no sessions", body = UserDetail),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    )
)]
pub async fn end_sessions(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<UserDetail>> {
    Ok(Json(
        admin::end_sessions(&state, &actor, &id, &client).await?,
    ))
}

/// Send the "MFA required" email again, with the user's current deadline.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/remind",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user; the email is queued", body = UserDetail),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Nothing to remind of: MFA is not required of the user, is set up already, or the enrollment period is over (use Reset MFA)", body = ErrorBody),
    )
)]
pub async fn remind(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<UserDetail>> {
    Ok(Json(admin::remind(&state, &actor, &id, &client).await?))
}

/// Suspend an account: every session ends at once, its one-time link and
/// Protect link stop working, its trusted browsers are forgotten, and its
/// login says (after the right password) that it is suspended. Its data
/// stays until it is reactivated or deleted.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/suspend",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user, suspended", body = AdminUser),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Suspended already", body = ErrorBody),
    )
)]
pub async fn suspend(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<AdminUser>> {
    Ok(Json(admin::suspend(&state, &actor, &id, &client).await?))
}

/// Reactivate a suspended account: it signs in again as before.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/reactivate",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user, active again", body = AdminUser),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Not suspended", body = ErrorBody),
    )
)]
pub async fn reactivate(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<AdminUser>> {
    Ok(Json(admin::reactivate(&state, &actor, &id, &client).await?))
}
