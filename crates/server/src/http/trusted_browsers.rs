//! Routes of trusted browsers (the signed-in user's list, revoking one or
//! all), the trust cookie as an extractor, and the answer of a second
//! login step that may trust its browser.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{ErrorBody, LoginResponse, TrustedBrowser};

use super::auth::with_session;
use super::error::HttpResult;
use super::extract::{ClientInfo, SignedIn};
use super::trust_cookie;
use crate::app::AppState;
use crate::auth::client::Client;
use crate::auth::trusted_browser;
use crate::auth::Authed;
use crate::mfa::SignedIn as Done;

/// The trust cookie's value, if the request has one.
pub struct TrustCookie(pub Option<String>);

impl FromRequestParts<AppState> for TrustCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(TrustCookie(trust_cookie::value(
            &parts.headers,
            &state.settings,
        )))
    }
}

/// The answer of a finished second step: the new session's cookie and,
/// when asked and allowed, the trust cookie of a browser trusted now.
pub(super) async fn finish_login(
    state: &AppState,
    authed: &Authed,
    client: &Client,
    trust_browser: bool,
    done: Done,
) -> HttpResult<Response> {
    let trusted = if trust_browser {
        // The login has happened: a fault here must not undo it, so the
        // browser is then just not trusted (and the fault logged).
        match trusted_browser::remember(state, &authed.user, client).await {
            Ok(issued) => issued,
            Err(e) => {
                tracing::error!(cause = %e, "trusting a browser failed");
                None
            }
        }
    } else {
        None
    };
    let body = Json(LoginResponse::Done { user: done.me });
    let mut answer = with_session(state, Some(done.session), body);
    if let Some(issued) = trusted {
        let cookie = trust_cookie::set(&state.settings, issued.token.expose(), issued.days);
        answer.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(answer)
}

/// The signed-in user's trusted browsers, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/trusted-browsers",
    tag = "mfa",
    security(("session" = [])),
    responses(
        (status = 200, description = "The browsers that are not asked the second factor, with the one this request came from marked `current`", body = Vec<TrustedBrowser>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    TrustCookie(token): TrustCookie,
) -> HttpResult<Json<Vec<TrustedBrowser>>> {
    Ok(Json(
        trusted_browser::list(&state, &authed, token.as_deref()).await?,
    ))
}

/// The answer of a revocation: 204, clearing this browser's trust cookie
/// when its own trust was revoked.
fn revoked(state: &AppState, this_browser: bool) -> Response {
    if this_browser {
        let clear = [(header::SET_COOKIE, trust_cookie::clear(&state.settings))];
        (StatusCode::NO_CONTENT, clear).into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// Revokes one of the user's trusted browsers: it is asked the second
/// factor again at its next login.
#[utoipa::path(
    delete,
    path = "/api/v1/trusted-browsers/{id}",
    tag = "mfa",
    params(("id" = String, Path, description = "The browser's `id` in the list")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Revoked (this browser's trust cookie is cleared if it was this one)"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
        (status = 404, description = "The user has no trusted browser with this id (`not_found`)", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    TrustCookie(token): TrustCookie,
    Path(id): Path<String>,
) -> HttpResult<Response> {
    let this_browser =
        trusted_browser::revoke(&state, &authed, &id, token.as_deref(), &client).await?;
    Ok(revoked(&state, this_browser))
}

/// Revokes every trusted browser of the user.
#[utoipa::path(
    delete,
    path = "/api/v1/trusted-browsers",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Revoked (also when there were none); this browser's trust cookie is cleared"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
    )
)]
pub async fn revoke_all(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    TrustCookie(token): TrustCookie,
) -> HttpResult<Response> {
    trusted_browser::revoke_all(&state, &authed, &client).await?;
    Ok(revoked(&state, token.is_some()))
}
