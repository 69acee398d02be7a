//! The directory sync (SCIM) tokens, for administrators: list, make (the
//! secret shown once), revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::{ErrorBody, NewScimToken, ScimToken};

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::scim::tokens;

/// The tokens identity providers sync users and groups with (never the
/// secrets themselves).
#[utoipa::path(
    get,
    path = "/api/v1/admin/scim-tokens",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The tokens, oldest first", body = Vec<ScimToken>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn list_scim_tokens(
    State(state): State<AppState>,
    _admin: Admin,
) -> HttpResult<Json<Vec<ScimToken>>> {
    Ok(Json(tokens::list(&state).await?))
}

/// Make a token for an identity provider (`/scim/v2` with
/// `Authorization: Bearer …`). The answer holds the secret this once.
#[utoipa::path(
    post,
    path = "/api/v1/admin/scim-tokens",
    tag = "admin",
    request_body = NewScimToken,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Made; `token` is shown this once", body = ScimToken),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field (a blank or too long name)", body = ErrorBody),
    )
)]
pub async fn create_scim_token(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<NewScimToken>,
) -> HttpResult<(StatusCode, Json<ScimToken>)> {
    let made = tokens::issue(&state, &actor, &req, &client).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Revoke a token: the identity provider holding it is refused from now.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/scim-tokens/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "Token id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 404, description = "No such token", body = ErrorBody),
    )
)]
pub async fn revoke_scim_token(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    tokens::revoke(&state, &actor, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
