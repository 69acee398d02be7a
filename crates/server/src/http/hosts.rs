//! Hosts, for administrators (`/api/v1/admin/hosts`): list, register,
//! change, a new enrollment token, remove.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::hosts::{Host, HostEnrollment, HostInput};
use portcullis_api::ErrorBody;

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::systems::hosts;

/// Every host, by name.
#[utoipa::path(
    get,
    path = "/api/v1/admin/hosts",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The hosts, by name", body = Vec<Host>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn list_hosts(
    State(state): State<AppState>,
    _admin: Admin,
) -> HttpResult<Json<Vec<Host>>> {
    Ok(Json(hosts::list(&state).await?))
}

/// Register a host: its enrollment token is in the answer, once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/hosts",
    tag = "admin",
    request_body = HostInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Registered, with its enrollment token", body = HostEnrollment),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 409, description = "A host or app has this name; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
    )
)]
pub async fn add_host(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<HostInput>,
) -> HttpResult<(StatusCode, Json<HostEnrollment>)> {
    let made = hosts::add(&state, &actor, &req, &client).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Change a host's name, MFA, people or what it does with unknown users.
#[utoipa::path(
    put,
    path = "/api/v1/admin/hosts/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Host id")),
    request_body = HostInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Changed", body = Host),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such host", body = ErrorBody),
        (status = 409, description = "A host or app has this name; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
    )
)]
pub async fn change_host(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<HostInput>,
) -> HttpResult<Json<Host>> {
    Ok(Json(
        hosts::change(&state, &actor, &id, &req, &client).await?,
    ))
}

/// A new enrollment token for the host (the earlier one dies).
#[utoipa::path(
    post,
    path = "/api/v1/admin/hosts/{id}/token",
    tag = "admin",
    params(("id" = String, Path, description = "Host id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The new token, once", body = HostEnrollment),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such host", body = ErrorBody),
    )
)]
pub async fn new_host_token(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<HostEnrollment>> {
    Ok(Json(
        hosts::renew_token(&state, &actor, &id, &client).await?,
    ))
}

/// Remove a host: its key stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/hosts/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Host id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such host", body = ErrorBody),
    )
)]
pub async fn remove_host(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    hosts::remove(&state, &actor, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
