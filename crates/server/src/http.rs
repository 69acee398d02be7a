//! Everything HTTP, and only here: the router of every area, extractors,
//! middleware (CSRF, headers), cookies, the mapping of domain errors to
//! answers, the SPA's files and the OpenAPI document. A handler extracts,
//! calls one domain function and maps its error; the rules live in the
//! domain areas (`auth`, `mfa`, `admin`), the SQL in `store`.
//!
//! Every API route is registered through `utoipa_axum::routes!`, which
//! takes the path from the handler's `#[utoipa::path]`: a route cannot exist
//! without being described (the tests check this stays so).

pub(crate) mod admin;
pub(crate) mod admin_settings;
pub(crate) mod admin_user;
pub(crate) mod auth;
pub(crate) mod cookie;
pub(crate) mod csrf;
pub(crate) mod error;
pub(crate) mod extract;
pub(crate) mod headers;
pub(crate) mod mfa;
pub(crate) mod recovery_codes;
pub(crate) mod sessions;
pub(crate) mod spa;
#[cfg(feature = "test-clock")]
pub mod test_clock;
pub(crate) mod trust_cookie;
pub(crate) mod trusted_browsers;
pub(crate) mod webauthn;

use std::path::PathBuf;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use tower_http::compression::CompressionLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

/// Bodies are small JSON documents; anything larger is refused with 413.
pub const BODY_LIMIT: usize = 16 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis API",
        description = "The JSON API of the Portcullis MFA user portal. Signed-in requests carry the session cookie; state-changing requests must also send the header `x-portcullis-csrf: 1` from the portal's own origin."
    ),
    modifiers(&Schemes),
    components(schemas(portcullis_api::ErrorBody, portcullis_api::ErrorCode))
)]
struct ApiDoc;

/// The security schemes: the session cookie and the CSRF header.
struct Schemes;

impl Modify for Schemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "portcullis_session",
                "The session cookie set by login (`__Host-portcullis_session` over TLS).",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                portcullis_api::CSRF_HEADER,
                "Must be `1` on every state-changing request.",
            ))),
        );
    }
}

/// The API routes and the OpenAPI document describing exactly them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(mfa::login_totp))
        .routes(routes!(mfa::skip_enrollment))
        .routes(routes!(mfa::get_mfa))
        .routes(routes!(mfa::verify))
        .routes(routes!(mfa::enroll))
        .routes(routes!(mfa::confirm))
        .routes(routes!(mfa::reset))
        .routes(routes!(recovery_codes::status))
        .routes(routes!(recovery_codes::generate))
        .routes(routes!(recovery_codes::login))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::end_one))
        .routes(routes!(sessions::end_others))
        .routes(routes!(webauthn::register_start))
        .routes(routes!(webauthn::register_finish))
        .routes(routes!(webauthn::list))
        .routes(routes!(webauthn::rename))
        .routes(routes!(webauthn::remove))
        .routes(routes!(webauthn::login_start))
        .routes(routes!(webauthn::login_finish))
        .routes(routes!(webauthn::passkey_start))
        .routes(routes!(webauthn::passkey_finish))
        .routes(routes!(webauthn::verify_start))
        .routes(routes!(webauthn::verify_finish))
        .routes(routes!(trusted_browsers::list))
        .routes(routes!(trusted_browsers::revoke_all))
        .routes(routes!(trusted_browsers::revoke))
        .routes(routes!(admin::list_users))
        .routes(routes!(admin::export_users))
        .routes(routes!(admin::list_events))
        .routes(routes!(admin::require_mfa))
        .routes(routes!(admin::reset_mfa))
        .routes(routes!(admin::unrequire_mfa))
        .routes(routes!(admin::unlock))
        .routes(routes!(admin::bulk_preview))
        .routes(routes!(admin::bulk))
        .routes(routes!(admin_settings::get_settings))
        .routes(routes!(admin_settings::change_settings))
        .routes(routes!(admin_user::get_user))
        .routes(routes!(admin_user::remove_factor))
        .routes(routes!(admin_user::end_sessions))
        .routes(routes!(admin_user::remind))
        .split_for_parts()
}

/// The API with its middleware, plus `/api/openapi.json`.
fn api(state: AppState) -> Router {
    let (api, doc) = routes();
    let doc = std::sync::Arc::new(doc);
    api.route(
        "/api/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
    .route("/api/{*rest}", axum::routing::any(headers::api_not_found))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        csrf::guard,
    ))
    .layer(axum::middleware::from_fn(headers::api))
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    .with_state(state)
}

/// The whole HTTP application: API, SPA files, and the layers around them.
pub fn app(state: AppState, spa_dir: Option<PathBuf>) -> Router {
    let hsts = state.settings.is_https();
    let mut app = api(state);
    if let Some(dir) = spa_dir {
        app = app.merge(spa::router(dir));
    }
    app.layer(axum::middleware::from_fn_with_state(
        hsts,
        headers::security,
    ))
    .layer(CompressionLayer::new().br(true).gzip(true))
}
