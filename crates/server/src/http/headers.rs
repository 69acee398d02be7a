//! Response headers: security headers on everything, JSON bodies and
//! `no-store` on every API answer.

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::HttpError;

/// The Content-Security-Policy for anything that is not the SPA's page
/// (which gets [`super::spa::page_csp`] with its inline script's hash).
pub const BASE_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Security headers on every answer; HSTS too when the portal is served
/// over TLS (`https_only`), so browsers never try plain HTTP again.
pub async fn security(State(https_only): State<bool>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if https_only {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    let set = |h: &mut axum::http::HeaderMap, k: HeaderName, v: &'static str| {
        if !h.contains_key(&k) {
            h.insert(k, HeaderValue::from_static(v));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, BASE_CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    resp
}

/// For `/api`: answers are never cached, and errors that did not come from
/// our handlers (routing 404/405, body limits) still get a JSON body.
pub async fn api(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut resp = if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (mut parts, _) = resp.into_parts();
        let mut fresh = HttpError::from_status(status).into_response();
        // keep headers such as Allow (405) and Retry-After
        for (k, v) in fresh.headers_mut().drain() {
            if let Some(k) = k {
                parts.headers.insert(k, v);
            }
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        Response::from_parts(parts, fresh.into_body())
    } else {
        resp
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Unknown `/api/...` paths.
pub async fn api_not_found() -> Response {
    let mut r = HttpError::from_status(axum::http::StatusCode::NOT_FOUND).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
