//! Single sign-on as the portal's pages walk it (`/api/v1/sso/…`): what a
//! sign-in request needs next, the consent answer, an app's sign-out; and
//! the user's apps (`/api/v1/apps`): the tiles, those signed in to, and
//! revoking one.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{
    ConsentAnswer, ErrorBody, LogoutRequest, LogoutStep, MyApp, SignedInApp, SsoStep,
};

use super::cookie;
use super::error::{HttpError, HttpResult};
use super::extract::{ApiJson, ClientInfo, MaybeSignedIn, SessionCookie, SignedIn};
use crate::app::AppState;
use crate::sso::logout::{self, LogoutError};
use crate::sso::{mine, sign_in};

fn found(step: Option<SsoStep>) -> HttpResult<Json<SsoStep>> {
    step.map(Json)
        .ok_or_else(|| HttpError::not_found(sign_in::REQUEST_ENDED))
}

/// What the sign-in request needs next: go back to the app (with a code
/// or an error), sign in, step up, consent, or a refusal in words.
#[utoipa::path(
    post,
    path = "/api/v1/sso/{id}",
    tag = "sso",
    params(("id" = String, Path, description = "The sign-in request's id (from `/sso/{id}`)")),
    security(("csrf" = [])),
    responses(
        (status = 200, description = "The next step", body = SsoStep),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 404, description = "The request is unknown, used or over (in words)", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
    )
)]
pub async fn sso_next(
    State(state): State<AppState>,
    MaybeSignedIn(authed): MaybeSignedIn,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<SsoStep>> {
    found(sign_in::next(&state, &id, authed.as_ref(), &client).await?)
}

/// The user's answer to "Share … with the app?".
#[utoipa::path(
    post,
    path = "/api/v1/sso/{id}/consent",
    tag = "sso",
    params(("id" = String, Path, description = "The sign-in request's id")),
    request_body = ConsentAnswer,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The next step (back to the app, as a rule)", body = SsoStep),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 404, description = "The request is unknown, used or over (in words)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field", body = ErrorBody),
    )
)]
pub async fn sso_consent(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ConsentAnswer>,
) -> HttpResult<Json<SsoStep>> {
    found(sign_in::consent(&state, &id, &authed, req.allow, &client).await?)
}

/// An app's sign-out request, as `/oauth2/logout` received it: the portal
/// session ends (after the user confirms, unless the request carries
/// their own ID token), and the answer names the app's address to go to.
#[utoipa::path(
    post,
    path = "/api/v1/sso/logout",
    tag = "sso",
    request_body = LogoutRequest,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "Signed out, or a confirmation is needed", body = LogoutStep),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "The sign-out request is malformed, in words", body = ErrorBody),
    )
)]
pub async fn sso_logout(
    State(state): State<AppState>,
    MaybeSignedIn(authed): MaybeSignedIn,
    SessionCookie(cookie): SessionCookie,
    ApiJson(req): ApiJson<LogoutRequest>,
) -> HttpResult<Response> {
    let step = logout::logout(
        &state,
        &req.query,
        req.confirmed,
        authed.as_ref(),
        cookie.as_deref(),
    )
    .await
    .map_err(|e| match e {
        LogoutError::Invalid(m) => HttpError::validation(m),
        LogoutError::Internal(e) => HttpError::internal(&e),
    })?;
    let done = matches!(step, LogoutStep::Done { .. });
    let mut answer = Json(step).into_response();
    if done {
        answer
            .headers_mut()
            .append(header::SET_COOKIE, cookie::clear(&state.settings));
    }
    Ok(answer)
}

/// The apps the user may open: the tiles of the home page.
#[utoipa::path(
    get,
    path = "/api/v1/apps",
    tag = "sso",
    security(("session" = [])),
    responses(
        (status = 200, description = "The user's apps, by name", body = Vec<MyApp>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn my_apps(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<Vec<MyApp>>> {
    Ok(Json(mine::apps(&state, &authed).await?))
}

/// The apps the user has signed in to that may still act for them.
#[utoipa::path(
    get,
    path = "/api/v1/apps/signed-in",
    tag = "sso",
    security(("session" = [])),
    responses(
        (status = 200, description = "Latest first", body = Vec<SignedInApp>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn signed_in_apps(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<Vec<SignedInApp>>> {
    Ok(Json(mine::signed_in(&state, &authed).await?))
}

/// Revoke an app's access: its tokens end, and it asks for consent again
/// at the next sign-in.
#[utoipa::path(
    delete,
    path = "/api/v1/apps/signed-in/{id}",
    tag = "sso",
    params(("id" = String, Path, description = "App id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 404, description = "The app holds nothing of this user", body = ErrorBody),
    )
)]
pub async fn revoke_app(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    if mine::revoke(&state, &authed, &id, &client).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(HttpError::not_found(
            "This app holds no sign-in of yours (it may have been revoked already).",
        ))
    }
}
