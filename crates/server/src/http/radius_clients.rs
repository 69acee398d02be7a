//! RADIUS clients, for administrators (`/api/v1/admin/radius-clients`):
//! list, register, change, remove.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::radius::{RadiusClient, RadiusClientInput};
use portcullis_api::ErrorBody;

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::radius::clients;

/// Every RADIUS client, by name.
#[utoipa::path(
    get,
    path = "/api/v1/admin/radius-clients",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The clients, by name (never their secrets)", body = Vec<RadiusClient>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn list_radius_clients(
    State(state): State<AppState>,
    _admin: Admin,
) -> HttpResult<Json<Vec<RadiusClient>>> {
    Ok(Json(clients::list(&state).await?))
}

/// Register a RADIUS client.
#[utoipa::path(
    post,
    path = "/api/v1/admin/radius-clients",
    tag = "admin",
    request_body = RadiusClientInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Registered", body = RadiusClient),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 409, description = "A client, host or app has this name; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed (the address, a short secret)", body = ErrorBody),
    )
)]
pub async fn add_radius_client(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<RadiusClientInput>,
) -> HttpResult<(StatusCode, Json<RadiusClient>)> {
    let made = clients::add(&state, &actor, &req, &client).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Change a RADIUS client (its secret only when one is given).
#[utoipa::path(
    put,
    path = "/api/v1/admin/radius-clients/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Client id")),
    request_body = RadiusClientInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Changed", body = RadiusClient),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
        (status = 409, description = "A client, host or app has this name; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
    )
)]
pub async fn change_radius_client(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RadiusClientInput>,
) -> HttpResult<Json<RadiusClient>> {
    Ok(Json(
        clients::change(&state, &actor, &id, &req, &client).await?,
    ))
}

/// Remove a RADIUS client: its packets are dropped from then on.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/radius-clients/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Client id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    )
)]
pub async fn remove_radius_client(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    clients::remove(&state, &actor, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
