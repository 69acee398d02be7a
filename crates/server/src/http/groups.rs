//! Groups (`/api/v1/admin/groups`): list, create, rename, delete, and who
//! is in them. Members are listed by the users list's `group` filter,
//! which pages on the server. Changes need an administrator whose second
//! factor is recent; membership follows the rules of any change to a user.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::{ErrorBody, Group, GroupName};

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::people::groups;

/// Every group, by name, with how many members it has.
#[utoipa::path(
    get,
    path = "/api/v1/admin/groups",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The groups", body = Vec<Group>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn list_groups(
    State(state): State<AppState>,
    _admin: Admin,
) -> HttpResult<Json<Vec<Group>>> {
    Ok(Json(groups::list(&state).await?))
}

/// Create a group; its name is unique whatever its case.
#[utoipa::path(
    post,
    path = "/api/v1/admin/groups",
    tag = "admin",
    request_body = GroupName,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Created", body = Group),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 409, description = "A group has this name", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed name", body = ErrorBody),
    )
)]
pub async fn create_group(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<GroupName>,
) -> HttpResult<(StatusCode, Json<Group>)> {
    let group = groups::create(&state, &actor, &req.name, &client).await?;
    Ok((StatusCode::CREATED, Json(group)))
}

/// Rename a group.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Group id")),
    request_body = GroupName,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Renamed", body = Group),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "Another group has this name", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed name", body = ErrorBody),
    )
)]
pub async fn rename_group(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<GroupName>,
) -> HttpResult<Json<Group>> {
    Ok(Json(
        groups::rename(&state, &actor, &id, &req.name, &client).await?,
    ))
}

/// Delete a group (its members stay; only the grouping goes).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/groups/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Group id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
    )
)]
pub async fn delete_group(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    groups::delete(&state, &actor, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Put a user in a group (already in it: nothing changes); answers the
/// user's groups.
#[utoipa::path(
    put,
    path = "/api/v1/admin/groups/{id}/members/{user_id}",
    tag = "admin",
    params(
        ("id" = String, Path, description = "Group id"),
        ("user_id" = String, Path, description = "User id"),
    ),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user's groups", body = Vec<Group>),
        (status = 400, description = "An id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such group or user", body = ErrorBody),
    )
)]
pub async fn add_member(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path((id, user_id)): Path<(String, String)>,
) -> HttpResult<Json<Vec<Group>>> {
    Ok(Json(
        groups::membership(&state, &actor, &id, &user_id, true, &client).await?,
    ))
}

/// Take a user out of a group; answers the user's groups.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/groups/{id}/members/{user_id}",
    tag = "admin",
    params(
        ("id" = String, Path, description = "Group id"),
        ("user_id" = String, Path, description = "User id"),
    ),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user's groups", body = Vec<Group>),
        (status = 400, description = "An id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such group or user", body = ErrorBody),
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path((id, user_id)): Path<(String, String)>,
) -> HttpResult<Json<Vec<Group>>> {
    Ok(Json(
        groups::membership(&state, &actor, &id, &user_id, false, &client).await?,
    ))
}
