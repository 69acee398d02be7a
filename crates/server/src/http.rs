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
pub(crate) mod apps;
pub(crate) mod auth;
mod branding;
pub(crate) mod cookie;
pub(crate) mod csrf;
pub(crate) mod device;
pub(crate) mod device_cookie;
pub(crate) mod error;
pub(crate) mod extract;
mod forward_auth;
pub(crate) mod groups;
pub(crate) mod headers;
mod host_api;
mod hosts;
pub(crate) mod login;
pub(crate) mod mfa;
pub(crate) mod oidc;
pub(crate) mod ops;
pub(crate) mod password;
pub(crate) mod people;
pub(crate) mod protect;
pub(crate) mod protect_unified;
mod radius_clients;
pub(crate) mod recovery_codes;
pub(crate) mod scim;
pub(crate) mod scim_tokens;
pub(crate) mod sessions;
mod sites;
pub(crate) mod spa;
mod spa_branding;
pub(crate) mod sso;
#[cfg(feature = "test-clock")]
pub mod test_clock;
pub mod timeout;
pub(crate) mod trust_cookie;
pub(crate) mod trusted_browsers;
pub(crate) mod user_import;
pub(crate) mod webauthn;
pub(crate) mod welcome;

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

/// Bodies are small JSON documents; anything larger is refused with 413
/// (but for the user import's file).
pub const BODY_LIMIT: usize = 16 * 1024;
/// The logo upload's own limit (a 64 KB file in base64).
pub use branding::LOGO_BODY_LIMIT;
/// The user import's own limit (a CSV file of up to 10,000 rows).
pub use user_import::IMPORT_BODY_LIMIT;

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

/// The security schemes: the session cookie and the CSRF header (the
/// portal), and the device's signature (the device API).
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
        components.add_security_scheme(
            "host",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                portcullis_api::hosts::HOST_SIGNATURE_HEADER,
                "The host API (`/api/host/v1`, no cookie, no CSRF header): signed as the \
                 device API is, with the headers `x-portcullis-host` (the id from \
                 enrollment), `x-portcullis-time`, `x-portcullis-nonce` and \
                 `x-portcullis-signature`, and the first line `portcullis-host-v1`.",
            ))),
        );
        components.add_security_scheme(
            "device",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                device::SIGNATURE_HEADER,
                "The device API (`/api/device/v1`, no cookie, no CSRF header): each request \
                 carries `x-protect-device` (the id from enrollment), `x-protect-time` (Unix \
                 seconds, within 5 minutes of the server's clock), `x-protect-nonce` (16 to 64 of \
                 `[A-Za-z0-9_-]`, used once) and `x-protect-signature`: the base64url Ed25519 \
                 signature (checked strictly), by the key registered at enrollment, of the lines \
                 `portcullis-protect-v2`, the portal's origin (as the enrollment link names it), \
                 the device's id, METHOD, the request target (path and query as sent), the time, \
                 the nonce, and the lower-case hex SHA-256 of the body, joined by `\\n`. Every \
                 answer carries \
                 `x-protect-server-time`, the portal's clock (Unix seconds): a device whose \
                 request was refused for its time learns from it how far its clock is off.",
            ))),
        );
    }
}

/// The API routes and the OpenAPI document describing exactly them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let Parts {
        portal,
        device,
        open,
        doc,
    } = parts();
    (portal.merge(device).merge(open), doc)
}

/// The API's routes by the layers around them, and one document of all.
struct Parts {
    /// The portal's (cookie and CSRF).
    portal: Router<AppState>,
    /// The device and host APIs' (signatures).
    device: Router<AppState>,
    /// Public reads that change nothing (no CSRF layer).
    open: Router<AppState>,
    doc: utoipa::openapi::OpenApi,
}

fn parts() -> Parts {
    let (portal, mut doc) = portal_routes().split_for_parts();
    let (device, device_doc) = device_routes().split_for_parts();
    let (open, open_doc) = branding::open_routes().split_for_parts();
    doc.merge(device_doc);
    doc.merge(open_doc);
    timeout::document(&mut doc);
    Parts {
        portal,
        device,
        open,
        doc,
    }
}

/// The device API: its own router, outside the cookie and CSRF layers.
fn device_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(device::enroll))
        .routes(routes!(device::status))
        .routes(routes!(device::pending))
        .routes(routes!(device::approve))
        .routes(routes!(device::deny))
        .routes(routes!(device::report))
        .routes(routes!(host_api::enroll_host))
        .routes(routes!(host_api::host_login))
        .routes(routes!(host_api::host_code))
        .routes(routes!(host_api::host_push))
        .routes(routes!(host_api::host_push_wait))
}

fn portal_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(login::routes())
        .merge(user_import::routes())
        .merge(branding::routes())
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(mfa::get_mfa))
        .routes(routes!(mfa::verify))
        .routes(routes!(mfa::enroll))
        .routes(routes!(mfa::confirm))
        .routes(routes!(mfa::reset))
        .routes(routes!(recovery_codes::status))
        .routes(routes!(recovery_codes::generate))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::end_one))
        .routes(routes!(sessions::end_others))
        .routes(routes!(password::change_password))
        .routes(routes!(password::check_password))
        .routes(routes!(password::forgot_password))
        .routes(routes!(password::reset_password))
        .routes(routes!(webauthn::register_start))
        .routes(routes!(webauthn::register_finish))
        .routes(routes!(webauthn::list))
        .routes(routes!(webauthn::rename))
        .routes(routes!(webauthn::remove))
        .routes(routes!(webauthn::verify_start))
        .routes(routes!(webauthn::verify_finish))
        .routes(routes!(trusted_browsers::list))
        .routes(routes!(trusted_browsers::revoke_all))
        .routes(routes!(trusted_browsers::revoke))
        .routes(routes!(admin::list_users))
        .routes(routes!(admin::users_summary))
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
        .routes(routes!(admin_user::suspend))
        .routes(routes!(admin_user::reactivate))
        .routes(routes!(people::add_user))
        .routes(routes!(people::resend_invitation))
        .routes(routes!(people::setup_link))
        .routes(routes!(people::temporary_access))
        .routes(routes!(people::send_password_reset))
        .routes(routes!(people::edit_user))
        .routes(routes!(people::delete_user))
        .routes(routes!(groups::list_groups))
        .routes(routes!(scim_tokens::list_scim_tokens))
        .routes(routes!(scim_tokens::create_scim_token))
        .routes(routes!(scim_tokens::revoke_scim_token))
        .routes(routes!(groups::create_group))
        .routes(routes!(groups::rename_group))
        .routes(routes!(groups::delete_group))
        .routes(routes!(groups::add_member))
        .routes(routes!(groups::remove_member))
        .routes(routes!(apps::list_apps))
        .routes(routes!(apps::register_app))
        .routes(routes!(apps::get_app))
        .routes(routes!(apps::change_app))
        .routes(routes!(apps::new_app_secret))
        .routes(routes!(apps::remove_app))
        .routes(routes!(sites::list_sites))
        .routes(routes!(sites::add_site))
        .routes(routes!(sites::change_site))
        .routes(routes!(sites::remove_site))
        .routes(routes!(hosts::list_hosts))
        .routes(routes!(hosts::add_host))
        .routes(routes!(hosts::change_host))
        .routes(routes!(hosts::new_host_token))
        .routes(routes!(hosts::remove_host))
        .routes(routes!(radius_clients::list_radius_clients))
        .routes(routes!(radius_clients::add_radius_client))
        .routes(routes!(radius_clients::change_radius_client))
        .routes(routes!(radius_clients::remove_radius_client))
        .routes(routes!(sso::sso_logout))
        .routes(routes!(sso::sso_next))
        .routes(routes!(sso::sso_consent))
        .routes(routes!(sso::my_apps))
        .routes(routes!(sso::signed_in_apps))
        .routes(routes!(sso::revoke_app))
        .routes(routes!(welcome::peek))
        .routes(routes!(welcome::check))
        .routes(routes!(welcome::accept))
        .routes(routes!(protect::enroll_link))
        .routes(routes!(protect::get_device))
        .routes(routes!(protect::remove_device))
        .routes(routes!(protect_unified::dismiss_merge_notice))
        .routes(routes!(protect::verify_push))
        .routes(routes!(protect::verify_push_wait))
}

/// The API with its middleware, plus `/api/openapi.json`.
fn api(state: AppState) -> Router {
    let Parts {
        portal: api,
        device,
        open,
        doc,
    } = parts();
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
    // Merged after the CSRF layer, so it does not apply: these only read.
    .merge(open)
    // Merged after the CSRF layer, so it does not apply: a device signs
    // its requests instead.
    .merge(device.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        device::server_time,
    )))
    // Inside the headers' layer, so a timeout's answer gets them too.
    .layer(axum::middleware::from_fn_with_state(
        timeout::limit(),
        timeout::guard,
    ))
    .layer(axum::middleware::from_fn(headers::api))
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    .with_state(state)
}

/// The whole HTTP application: API, the operators' routes (`/healthz`,
/// `/readyz`, `/metrics`), SPA files, and the layers around them.
pub fn app(state: AppState, spa_dir: Option<PathBuf>) -> Router {
    let hsts = state.settings.is_https();
    let mut app = api(state.clone())
        .merge(scim::router(state.clone()))
        .merge(oidc::router(state.clone()))
        .merge(forward_auth::router(state.clone()))
        .merge(branding::logo_router(state.clone()))
        .merge(ops::router(state.clone()));
    if let Some(dir) = spa_dir {
        app = app.merge(spa::router(dir, state.clone()));
    }
    app.layer(axum::middleware::from_fn_with_state(
        hsts,
        headers::security,
    ))
    .layer(CompressionLayer::new().br(true).gzip(true))
}

/// `/metrics` alone, for `--metrics-listen`.
pub fn metrics_app(state: AppState) -> Router {
    ops::metrics_router(state).layer(axum::middleware::from_fn_with_state(
        false,
        headers::security,
    ))
}
