//! Importing users from a CSV file: the preview, then the import. The only
//! routes that take a large body (a file of up to 10,000 rows).

use axum::extract::{DefaultBodyLimit, State};
use axum::Json;
use portcullis_api::{ErrorBody, ImportReport, UserImport};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::people::import;

/// The largest body: the file's characters (up to four bytes each in
/// UTF-8, escaped in JSON) have room.
pub const IMPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Both routes, with their own body limit.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview))
        .routes(routes!(run_import))
        .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT))
}

/// What importing the file would do, row by row: how many rows, which can
/// be imported, every other row's problem in words (with its line), and
/// the groups it would make. Writes nothing. A file that cannot be read at
/// all (wrong columns, more than 10,000 rows, not UTF-8, semicolons) is
/// answered with `file_problem`.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/import/preview",
    tag = "admin",
    request_body = UserImport,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The preview", body = ImportReport),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session; or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field", body = ErrorBody),
    )
)]
pub async fn preview(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiJson(req): ApiJson<UserImport>,
) -> HttpResult<Json<ImportReport>> {
    Ok(Json(import::preview(&state, &actor, &req).await?))
}

/// Import the file: every valid row in one transaction, each person
/// invited by email as "Add user" does, and the groups named made. While
/// any row has a problem nothing is written, unless `valid_rows_only`.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/import",
    tag = "admin",
    request_body = UserImport,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Imported", body = ImportReport),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no recent second factor; or CSRF", body = ErrorBody),
        (status = 409, description = "The file cannot be read, rows have problems, or nothing can be imported: nothing was written", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field", body = ErrorBody),
    )
)]
pub async fn run_import(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<UserImport>,
) -> HttpResult<Json<ImportReport>> {
    Ok(Json(import::import(&state, &actor, &req, &client).await?))
}
