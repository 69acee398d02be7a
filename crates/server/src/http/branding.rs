//! The organisation's branding: anyone reads it (`GET /api/v1/branding`,
//! for the footer's help text), administrators read it with whether they
//! may change it, billing administrators change it; the logo is served
//! outside the API at `/branding/logo`, with headers that keep an SVG
//! from running anything.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use portcullis_api::branding::{Branding, BrandingChange, BrandingSettings, LogoUpload};
use portcullis_api::{ErrorBody, ErrorCode};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{HttpError, HttpResult};
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::admin::branding::{self, BrandingError};
use crate::app::AppState;
use crate::rules;

/// Room for a logo of 64 KB in base64 and its JSON around it.
pub const LOGO_BODY_LIMIT: usize = 96 * 1024;

/// The API routes, the logo's upload with its own body limit.
pub fn routes() -> OpenApiRouter<AppState> {
    let upload = OpenApiRouter::new()
        .routes(routes!(set_logo))
        .layer(DefaultBodyLimit::max(LOGO_BODY_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(get_branding))
        .routes(routes!(change_branding))
        .routes(routes!(remove_logo))
        .merge(upload)
}

/// The public read of the branding: it changes nothing, so it sits outside
/// the CSRF layer (a method it does not take is answered 405, not 403).
pub fn open_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public_branding))
}

/// `/branding/logo`, outside the API (an image, not JSON).
pub fn logo_router(state: AppState) -> Router {
    Router::new()
        .route(rules::branding::LOGO_PATH, get(logo))
        .with_state(state)
}

impl From<BrandingError> for HttpError {
    fn from(e: BrandingError) -> Self {
        match e {
            BrandingError::Invalid(m) => HttpError::validation(m),
            BrandingError::NotBillingAdmin => HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "Only a billing administrator can change the organisation's branding.",
            ),
            BrandingError::Auth(e) => e.into(),
            BrandingError::Internal(e) => HttpError::internal(&e),
        }
    }
}

/// The organisation's name, accent colour, help text and logo address, for
/// anyone (the login steps show them before anyone is signed in).
#[utoipa::path(
    get,
    path = "/api/v1/branding",
    tag = "branding",
    responses(
        (status = 200, description = "The branding; what is not set is absent", body = Branding),
    )
)]
pub async fn public_branding(State(state): State<AppState>) -> HttpResult<Json<Branding>> {
    let b = rules::branding::get(&state.db)
        .await
        .map_err(|e| HttpError::internal(&e))?;
    Ok(Json(b.public()))
}

/// The branding, and whether this administrator may change it.
#[utoipa::path(
    get,
    path = "/api/v1/admin/branding",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "The branding", body = BrandingSettings),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no second factor in this session", body = ErrorBody),
    )
)]
pub async fn get_branding(
    State(state): State<AppState>,
    Admin(actor): Admin,
) -> HttpResult<Json<BrandingSettings>> {
    Ok(Json(
        branding::view(&state, &actor)
            .await
            .map_err(|e| HttpError::internal(&e))?,
    ))
}

/// Set the name, accent colour and help text (each `""` for none). Each
/// one that changes is recorded as its own event.
#[utoipa::path(
    put,
    path = "/api/v1/admin/branding",
    tag = "admin",
    request_body = BrandingChange,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The branding after the change", body = BrandingSettings),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a billing administrator, no second factor in this session or none recently; or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A name over 60 characters, a colour that is not #rrggbb or too light for white text, help text over 500 characters", body = ErrorBody),
    )
)]
pub async fn change_branding(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(change): ApiJson<BrandingChange>,
) -> HttpResult<Json<BrandingSettings>> {
    Ok(Json(
        branding::change(&state, &actor, &change, &client).await?,
    ))
}

/// Set the logo: a PNG or SVG file of at most 64 KB, in base64.
#[utoipa::path(
    put,
    path = "/api/v1/admin/branding/logo",
    tag = "admin",
    request_body = LogoUpload,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The branding with the new logo", body = BrandingSettings),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a billing administrator, no second factor in this session or none recently; or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Not base64, over 64 KB, or neither PNG nor SVG", body = ErrorBody),
    )
)]
pub async fn set_logo(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(upload): ApiJson<LogoUpload>,
) -> HttpResult<Json<BrandingSettings>> {
    Ok(Json(
        branding::set_logo(&state, &actor, Some(&upload), &client).await?,
    ))
}

/// Remove the logo (the portal's mark shows again).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/branding/logo",
    tag = "admin",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The branding without a logo", body = BrandingSettings),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a billing administrator, no second factor in this session or none recently; or CSRF", body = ErrorBody),
    )
)]
pub async fn remove_logo(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
) -> HttpResult<Json<BrandingSettings>> {
    Ok(Json(
        branding::set_logo(&state, &actor, None, &client).await?,
    ))
}

/// The logo, as its type; an SVG opened on its own is sandboxed and may
/// load nothing, so a script in it never runs with the portal's origin.
async fn logo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let found = match rules::branding::logo(&state.db).await {
        Ok(found) => found,
        Err(e) => return HttpError::internal(&e).into_response(),
    };
    let Some((kind, bytes, hash)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{hash}\"");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes.into_response()
    };
    let h = resp.headers_mut();
    let set = |h: &mut HeaderMap, k, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    set(h, header::CONTENT_TYPE, &kind);
    set(h, header::ETAG, &etag);
    set(h, header::CACHE_CONTROL, "no-cache");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
    resp
}
