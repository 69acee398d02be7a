//! Admin routes of the organisation's MFA settings (`/admin/mfa`). Reading
//! them needs an administrator whose session passed a second factor;
//! changing them, that factor recently (the domain checks), and changing
//! which kinds of factor are allowed, a billing administrator.

use axum::extract::State;
use axum::Json;
use portcullis_api::{ErrorBody, MfaSettings, MfaSettingsChange};

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::admin::settings as org_settings;
use crate::app::AppState;

/// The organisation's MFA settings, with how many users have each kind of
/// factor set up.
#[utoipa::path(
    get,
    path = "/api/v1/admin/settings",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The settings", body = MfaSettings),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    Admin(actor): Admin,
) -> HttpResult<Json<MfaSettings>> {
    Ok(Json(org_settings::view(&state, &actor).await?))
}

/// Change some of the settings (absent fields stay as they are). Each
/// setting that changes is recorded as its own event.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/settings",
    tag = "admin",
    request_body = MfaSettingsChange,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The settings after the change", body = MfaSettings),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no second factor in this session or none recently, or a change of the allowed factors by an administrator who is not a billing administrator; or CSRF", body = ErrorBody),
        (status = 409, description = "The change would leave no kind of factor allowed (`conflict`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Unknown or malformed field (a period outside 1–365 days or not a whole number)", body = ErrorBody),
    )
)]
pub async fn change_settings(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(change): ApiJson<MfaSettingsChange>,
) -> HttpResult<Json<MfaSettings>> {
    Ok(Json(
        org_settings::change(&state, &actor, &change, &client).await?,
    ))
}
