//! The OpenID Connect provider's own endpoints, outside `/api` (no cookie
//! but for `authorize`, no CSRF header: apps call them): discovery, the
//! signing keys, authorize, token, userinfo, revocation and RP-initiated
//! logout. Their answers follow the protocol (forms in, JSON or redirects
//! out, OAuth error codes); the discovery document describes them.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::sso::authorize::{self, Authorize};
use crate::sso::token::{self, Credentials, MAX_FORM};
use crate::sso::{claims, keys, policy, scopes, SsoError};

/// Bodies are short forms.
const BODY_LIMIT: usize = MAX_FORM;

pub(super) fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

fn error_response(e: SsoError) -> Response {
    match e {
        SsoError::Protocol {
            error,
            description,
            status,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            let mut r = (
                status,
                Json(json!({"error": error, "error_description": description})),
            )
                .into_response();
            if status == StatusCode::UNAUTHORIZED {
                let challenge = if error == "invalid_token" {
                    format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")
                } else {
                    "Basic realm=\"portcullis\"".to_string()
                };
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
            }
            no_store(r)
        }
        SsoError::Internal(e) => {
            tracing::error!(cause = e.cause(), "sso endpoint failed");
            no_store(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"error": "server_error", "error_description": "Something went wrong on the server."})),
                )
                    .into_response(),
            )
        }
    }
}

/// `/.well-known/openid-configuration`.
async fn discovery(State(state): State<AppState>) -> Json<Value> {
    let iss = claims::issuer(&state);
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oauth2/authorize"),
        "token_endpoint": format!("{iss}/oauth2/token"),
        "userinfo_endpoint": format!("{iss}/oauth2/userinfo"),
        "jwks_uri": format!("{iss}/oauth2/jwks"),
        "revocation_endpoint": format!("{iss}/oauth2/revoke"),
        "end_session_endpoint": format!("{iss}/oauth2/logout"),
        "scopes_supported": scopes::KNOWN,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr",
            "azp", "at_hash", "name", "preferred_username", "email", "email_verified", "groups"],
        "acr_values_supported": policy::ACR_VALUES,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "claims_parameter_supported": false,
    }))
}

async fn jwks(State(state): State<AppState>) -> Response {
    match keys::published(&state).await {
        Ok(keys) => Json(json!({ "keys": keys })).into_response(),
        Err(e) => error_response(e.into()),
    }
}

/// A page in words, when there is no safe way back to the app.
pub(super) fn page(words: &str) -> Response {
    let escaped = words
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign-in problem · Portcullis</title></head>\
         <body><main><h1>This sign-in cannot go on</h1>\
         <p role=\"alert\">{escaped}</p><p><a href=\"/\">Go to the portal</a></p></main></body></html>"
    );
    no_store(
        (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
    )
}

async fn authorize_answer(state: &AppState, query: &str) -> Response {
    match authorize::authorize(state, query).await {
        Ok(Authorize::Continue(id)) => {
            no_store(Redirect::to(&format!("/sso/{id}")).into_response())
        }
        Ok(Authorize::Redirect(url)) => no_store(Redirect::to(&url).into_response()),
        Ok(Authorize::Page(words)) => page(&words),
        Err(e) => {
            tracing::error!(cause = e.cause(), "authorize failed");
            page("Something went wrong on the server. Go back to the app and try again.")
        }
    }
}

async fn authorize_get(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    authorize_answer(&state, q.as_deref().unwrap_or("")).await
}

/// The same request as a form post (OpenID Connect allows both).
async fn authorize_post(State(state): State<AppState>, body: Bytes) -> Response {
    match std::str::from_utf8(&body) {
        Ok(form) => authorize_answer(&state, form).await,
        Err(_) => page("This sign-in request is not valid text."),
    }
}

fn form_text(body: &Bytes) -> Result<&str, SsoError> {
    std::str::from_utf8(body).map_err(|_| SsoError::invalid_request("the body is not UTF-8 text"))
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

async fn token_endpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let creds = Credentials {
        authorization: authorization(&headers),
    };
    let answer = match form_text(&body) {
        Ok(form) => token::token(&state, creds, form).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(v) => no_store(Json(v).into_response()),
        Err(e) => error_response(e),
    }
}

async fn revoke_endpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let creds = Credentials {
        authorization: authorization(&headers),
    };
    let answer = match form_text(&body) {
        Ok(form) => token::revoke(&state, creds, form).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(e) => error_response(e),
    }
}

async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match token::userinfo(&state, authorization(&headers)).await {
        Ok(v) => no_store(Json(v).into_response()),
        Err(e) => error_response(e),
    }
}

/// RP-initiated logout: on to the portal's page, which asks the user when
/// it must and ends the session (the session cookie is SameSite=Strict, so
/// only a page of the portal's own can end it).
async fn logout(RawQuery(q): RawQuery) -> Response {
    let q = q.unwrap_or_default();
    if q.len() > authorize::MAX_QUERY {
        return page("This sign-out request is too long.");
    }
    let to = if q.is_empty() {
        "/sso/logout".to_string()
    } else {
        format!("/sso/logout?{q}")
    };
    no_store(Redirect::to(&to).into_response())
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oauth2/jwks", get(jwks))
        .route("/oauth2/authorize", get(authorize_get).post(authorize_post))
        .route("/oauth2/token", post(token_endpoint))
        .route("/oauth2/userinfo", get(userinfo).post(userinfo))
        .route("/oauth2/revoke", post(revoke_endpoint))
        .route("/oauth2/logout", get(logout))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}
