//! Routes of trusted browsers (the signed-in user's list, revoking one or
//! all), the trust cookie as an extractor, and the answer of a second
//! login step that may trust its browser.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{ErrorBody, TrustedBrowser};

use super::error::HttpResult;
use super::extract::{ClientInfo, SignedIn};
use super::trust_cookie::{self, TrustCookie};
use crate::app::AppState;
use crate::auth::trusted_browser;

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
