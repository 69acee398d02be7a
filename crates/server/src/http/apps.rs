//! The organisation's apps, for administrators (`/api/v1/admin/apps`):
//! list, register (the client secret shown once), read, change, a new
//! secret, remove.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::{App, AppInput, ErrorBody};

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::sso::apps;

/// Every app, by name (never their secrets).
#[utoipa::path(
    get,
    path = "/api/v1/admin/apps",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The apps, by name", body = Vec<App>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn list_apps(State(state): State<AppState>, _admin: Admin) -> HttpResult<Json<Vec<App>>> {
    Ok(Json(apps::list(&state).await?))
}

/// Register an app. A confidential client's secret is in the answer, this
/// once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/apps",
    tag = "admin",
    request_body = AppInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Registered; `client_secret` is shown this once", body = App),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 409, description = "Another app has this name; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed (a name, an address)", body = ErrorBody),
    )
)]
pub async fn register_app(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<AppInput>,
) -> HttpResult<(StatusCode, Json<App>)> {
    let app = apps::register(&state, &actor, &req, &client).await?;
    Ok((StatusCode::CREATED, Json(app)))
}

/// One app.
#[utoipa::path(
    get,
    path = "/api/v1/admin/apps/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "App id")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The app", body = App),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
        (status = 404, description = "No such app", body = ErrorBody),
    )
)]
pub async fn get_app(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> HttpResult<Json<App>> {
    Ok(Json(apps::get(&state, &id).await?))
}

/// Change an app (whether it is confidential stays as registered).
#[utoipa::path(
    put,
    path = "/api/v1/admin/apps/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "App id")),
    request_body = AppInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Changed", body = App),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator; or CSRF", body = ErrorBody),
        (status = 404, description = "No such app", body = ErrorBody),
        (status = 409, description = "Another app has this name, or the kind would change; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
    )
)]
pub async fn change_app(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AppInput>,
) -> HttpResult<Json<App>> {
    Ok(Json(
        apps::change(&state, &actor, &id, &req, &client).await?,
    ))
}

/// A new client secret: the old one stops working at once; the new one is
/// in the answer, this once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/apps/{id}/secret",
    tag = "admin",
    params(("id" = String, Path, description = "App id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The app with its new `client_secret`", body = App),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such app", body = ErrorBody),
        (status = 409, description = "A public client has no secret", body = ErrorBody),
    )
)]
pub async fn new_app_secret(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<App>> {
    Ok(Json(
        apps::new_client_secret(&state, &actor, &id, &client).await?,
    ))
}

/// Remove an app: its sign-ins, tokens and consents end with it.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/apps/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "App id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such app", body = ErrorBody),
    )
)]
pub async fn remove_app(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    apps::remove(&state, &actor, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
