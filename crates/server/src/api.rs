//! The JSON API under `/api/v1`, and its OpenAPI description.
//!
//! Every route is registered through `utoipa_axum::routes!`, which takes the
//! path from the handler's `#[utoipa::path]`: a route cannot exist without
//! being described (tests/openapi.rs checks this stays so).

pub mod admin;
pub mod auth;
pub mod mfa;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Bodies are small JSON documents; anything larger is refused with 413.
pub const BODY_LIMIT: usize = 16 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis API",
        description = "The JSON API of the Portcullis MFA user portal. State-changing requests must send the header `x-portcullis-csrf: 1`."
    ),
    components(schemas(portcullis_api::ErrorBody))
)]
struct ApiDoc;

/// The API routes and the OpenAPI document describing exactly them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(mfa::login_totp))
        .routes(routes!(mfa::skip_enrolment))
        .routes(routes!(mfa::get_mfa))
        .routes(routes!(mfa::enrol))
        .routes(routes!(mfa::confirm))
        .routes(routes!(mfa::reset))
        .routes(routes!(admin::list_users))
        .routes(routes!(admin::require_mfa))
        .routes(routes!(admin::reset_mfa))
        .split_for_parts()
}

/// The API with its middleware, plus `/api/openapi.json`.
pub fn router(state: AppState) -> Router {
    let (api, doc) = routes();
    let doc = std::sync::Arc::new(doc);
    api.route(
        "/api/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
    .route(
        "/api/{*rest}",
        axum::routing::any(crate::headers::api_not_found),
    )
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::csrf::guard,
    ))
    .layer(axum::middleware::from_fn(crate::headers::api))
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    .with_state(state)
}
