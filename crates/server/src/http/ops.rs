//! Routes for operators, outside `/api/v1` (no session, no CSRF header, not
//! in the OpenAPI document, like the document itself): `/healthz` (the
//! process answers), `/readyz` (and its database is usable), `/metrics`
//! (Prometheus, behind a bearer token or on its own listen address).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use portcullis_api::ErrorCode;
use serde_json::json;

use super::error::HttpError;
use crate::app::AppState;
use crate::ops;

/// `/healthz` and `/readyz`, and `/metrics` when a token protects it.
pub fn router(state: AppState) -> Router {
    let with_metrics = state.settings.metrics_token.is_some();
    let mut r = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if with_metrics {
        r = r.route("/metrics", get(metrics));
    } else {
        r = r.route("/metrics", get(metrics_off));
    }
    r.with_state(state)
}

/// `/metrics` alone, for the separate listen address (`--metrics-listen`):
/// reachable only where that address is, so no token is needed there
/// (one configured is still asked for).
pub fn metrics_router(state: AppState) -> Router {
    let route = if state.settings.metrics_token.is_some() {
        get(metrics)
    } else {
        get(metrics_open)
    };
    Router::new().route("/metrics", route).with_state(state)
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The process is up; the database is not asked.
async fn healthz() -> Response {
    no_store(Json(json!({"status": "ok"})).into_response())
}

/// The database answers and has this version's migrations: 200, or 503
/// with the reason in words.
async fn readyz(State(state): State<AppState>) -> Response {
    no_store(match ops::readiness(&state).await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not_ready", "message": why})),
        )
            .into_response(),
    })
}

/// The bearer token of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !ops::metrics_token_ok(&state, bearer(&headers)) {
        let mut r = HttpError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "The metrics need the bearer token configured with --metrics-token.",
        )
        .into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return no_store(r);
    }
    metrics_open(State(state)).await
}

async fn metrics_open(State(state): State<AppState>) -> Response {
    no_store(match ops::metrics_text(&state).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(e) => HttpError::internal(&e).into_response(),
    })
}

/// Metrics are not served here: no token is configured (they may be on
/// `--metrics-listen`).
async fn metrics_off() -> Response {
    no_store(
        HttpError::not_found(
            "Metrics are not served here: configure --metrics-token, or read them on \
             --metrics-listen.",
        )
        .into_response(),
    )
}
