//! Forward-auth for reverse proxies: `GET /api/authz/forward-auth`, asked
//! by the proxy before each request it passes on, and `GET
//! /api/authz/start`, where a browser without a good enough session is
//! sent to sign in for the site. Not JSON and not in the API document: the
//! proxy reads the status and the headers.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::cookie;
use super::oidc::{no_store, page};
use crate::app::AppState;
use crate::sso::forward_auth::{self, Identity, Target, Verdict};

fn text(status: StatusCode, words: &str) -> Response {
    no_store(
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            words.to_string(),
        )
            .into_response(),
    )
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The identity as headers. Names and group names may be any Unicode
/// (sent as UTF-8 bytes); none holds a control character.
fn identity_headers(who: &Identity) -> HeaderMap {
    let mut h = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_bytes(value.as_bytes()) {
            h.insert(HeaderName::from_static(name), v);
        }
    };
    put("remote-user", &who.user);
    put("remote-email", &who.email);
    put("remote-name", &who.name);
    put("remote-groups", &who.groups.join(","));
    h
}

async fn check(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    // The address comes from the proxy's headers, which anyone else
    // could forge: only the proxies the server is told to trust may ask.
    if !state.settings.trusted_proxies.contains(&peer.ip()) {
        return text(
            StatusCode::FORBIDDEN,
            "Forward-auth answers only the reverse proxies the server trusts \
             (start it with --trusted-proxy and the proxy's address).",
        );
    }
    let original = header_text(&headers, "x-original-url");
    let target = match Target::from_headers(
        original,
        header_text(&headers, "x-forwarded-proto"),
        header_text(&headers, "x-forwarded-host"),
        header_text(&headers, "x-forwarded-uri"),
    ) {
        Ok(t) => t,
        Err(words) => return text(StatusCode::BAD_REQUEST, &words),
    };
    let cookie = cookie::value(&headers, &state.settings);
    match forward_auth::check(&state, &target, cookie.as_deref()).await {
        Ok(Verdict::Allow(who)) => {
            let mut r = no_store(StatusCode::OK.into_response());
            r.headers_mut().extend(identity_headers(&who));
            r
        }
        Ok(Verdict::SignIn) => {
            let rd: String = url::form_urlencoded::byte_serialize(target.url.as_bytes()).collect();
            let to = format!("{}/api/authz/start?rd={rd}", state.settings.public_origin);
            // nginx's auth_request passes on only 2xx, 401 and 403 (its
            // configuration turns the 401 into a redirect to Location);
            // Caddy and Traefik pass the redirect itself on, which suits a
            // page but not a script's request.
            let method = header_text(&headers, "x-forwarded-method").unwrap_or("GET");
            let page_load = matches!(method, "GET" | "HEAD");
            let status = if original.is_none() && page_load {
                StatusCode::FOUND
            } else {
                StatusCode::UNAUTHORIZED
            };
            let mut r = text(status, "Sign in to open this site.");
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Ok(Verdict::Forbidden(words)) => text(StatusCode::FORBIDDEN, &words),
        Err(e) => {
            tracing::error!(cause = %e.cause(), "forward-auth");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on the server.",
            )
        }
    }
}

#[derive(Deserialize)]
struct Start {
    rd: Option<String>,
}

async fn start(State(state): State<AppState>, Query(q): Query<Start>) -> Response {
    let Some(rd) = q.rd else {
        return page("The link has no address to return to (rd).");
    };
    match forward_auth::start(&state, &rd).await {
        Ok(Ok(id)) => no_store(Redirect::to(&format!("/sso/{id}")).into_response()),
        Ok(Err(words)) => page(&words),
        Err(e) => {
            tracing::error!(cause = %e.cause(), "forward-auth start");
            page("Something went wrong on the server. Please try again.")
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/authz/forward-auth", get(check).head(check))
        .route("/api/authz/start", get(start))
        .with_state(state)
}
