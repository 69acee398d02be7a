//! Sites behind the organisation's reverse proxy, for administrators
//! (`/api/v1/admin/sites`): list, add, change, remove a domain's rule.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::{ErrorBody, Site, SiteInput};

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::sso::sites;

/// Every site rule, by domain.
#[utoipa::path(
    get,
    path = "/api/v1/admin/sites",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The sites, by domain", body = Vec<Site>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn list_sites(
    State(state): State<AppState>,
    _admin: Admin,
) -> HttpResult<Json<Vec<Site>>> {
    Ok(Json(sites::list(&state).await?))
}

/// Add a rule for a domain.
#[utoipa::path(
    post,
    path = "/api/v1/admin/sites",
    tag = "admin",
    request_body = SiteInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Added", body = Site),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 409, description = "A rule for this domain exists; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed (the domain)", body = ErrorBody),
    )
)]
pub async fn add_site(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<SiteInput>,
) -> HttpResult<(StatusCode, Json<Site>)> {
    let site = sites::add(&state, &actor, &req, &client).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

/// Change a site's domain, rule or people.
#[utoipa::path(
    put,
    path = "/api/v1/admin/sites/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Site id")),
    request_body = SiteInput,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Changed", body = Site),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "A rule for this domain exists; or a group or person to assign is not there any more", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or malformed", body = ErrorBody),
    )
)]
pub async fn change_site(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SiteInput>,
) -> HttpResult<Json<Site>> {
    Ok(Json(
        sites::change(&state, &actor, &id, &req, &client).await?,
    ))
}

/// Remove a site's rule: the proxy refuses the domain from then on.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/sites/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Site id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    )
)]
pub async fn remove_site(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    sites::remove(&state, &actor, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
