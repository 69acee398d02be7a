//! Routes of security keys and passkeys: registering one (signed in, or as
//! the enrollment step of a login), the user's list, rename and removal,
//! and the login's second step with a key. Each ceremony is two requests:
//! `start` answers the options for the browser's WebAuthn call and a
//! ceremony id, `finish` takes the browser's answer with that id.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use portcullis_api::webauthn::{
    AuthenticationFinish, AuthenticationOptions, KeyInfo, KeyRename, RegistrationFinish,
    RegistrationOptions, RegistrationStart,
};
use portcullis_api::{ErrorBody, LoginResponse};
use serde::Deserialize;

use super::device_cookie::with_login;
use super::error::HttpResult;
use super::extract::{AnySession, ApiJson, ClientInfo, SignedIn};
use crate::app::AppState;
use crate::login::second_factor;
use crate::mfa::webauthn_factor;

/// The finishing bodies as read: the browser's credential is taken as any
/// JSON here and read by the domain once the ceremony is known, so a
/// request for no live ceremony is a 409 whatever it carries, and an
/// unreadable credential fails its ceremony with a 401 in our words (the
/// API's document cannot describe its every field, so a request valid by
/// the document must not be a 400 or 422 for it).
#[derive(Deserialize)]
pub struct RegistrationFinishBody {
    ceremony: String,
    #[serde(default)]
    name: Option<String>,
    credential: serde_json::Value,
}

#[derive(Deserialize)]
pub struct AuthenticationFinishBody {
    pub ceremony: String,
    pub credential: serde_json::Value,
    /// Read at the login's second step only.
    #[serde(default)]
    pub trust_browser: bool,
}

/// Starts registering a security key or passkey: the options for
/// `navigator.credentials.create()`, excluding the keys the user has.
/// Signed in, a user who has a second factor needs one passed in the last
/// 10 minutes.
#[utoipa::path(
    post,
    path = "/api/v1/webauthn/register/start",
    tag = "mfa",
    request_body = RegistrationStart,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Options for the browser and the ceremony id (good for 5 minutes, once, in this session)", body = RegistrationOptions),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now; signed in with a second factor set up, but none passed in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify or /api/v1/mfa/verify/webauthn/start, then try again); the organisation does not allow keys (`factor_not_allowed`); the portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A field of the wrong type", body = ErrorBody),
        (status = 429, description = "This session holds 5 open security-key ceremonies already (`too_many_attempts`); see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the first of them ends"))),
    )
)]
pub async fn register_start(
    State(state): State<AppState>,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<RegistrationStart>,
) -> HttpResult<Json<RegistrationOptions>> {
    Ok(Json(
        webauthn_factor::register_start(&state, &authed, &req).await?,
    ))
}

/// Finishes registering a key with the browser's answer; finishes the
/// login when this was its enrollment step.
#[utoipa::path(
    post,
    path = "/api/v1/webauthn/register/finish",
    tag = "mfa",
    request_body = RegistrationFinish,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Key added; signed in", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The key's answer was refused or could not be read (the message says why), or no session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now; keys not allowed (`factor_not_allowed`); the portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 409, description = "The ceremony expired, was used, or is another session's (`conflict`); or the key is registered already (`already_set_up`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing field, or a name that is blank or too long", body = ErrorBody),
    )
)]
pub async fn register_finish(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<RegistrationFinishBody>,
) -> HttpResult<Response> {
    let done = second_factor::confirm_key(
        &state,
        &authed,
        &req.ceremony,
        req.name.as_deref(),
        req.credential,
        &client,
    )
    .await?;
    Ok(with_login(&state, done.session, Json(done.answer)))
}

/// The signed-in user's security keys and passkeys, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/webauthn/credentials",
    tag = "mfa",
    security(("session" = [])),
    responses(
        (status = 200, description = "The keys", body = Vec<KeyInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<Vec<KeyInfo>>> {
    Ok(Json(webauthn_factor::list(&state, &authed.user).await?))
}

/// Renames one of the user's keys.
#[utoipa::path(
    patch,
    path = "/api/v1/webauthn/credentials/{id}",
    tag = "mfa",
    params(("id" = String, Path, description = "The key's `id` in the list")),
    request_body = KeyRename,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The key, renamed", body = KeyInfo),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
        (status = 404, description = "The user has no key with this id", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing field, or a name that is blank or too long", body = ErrorBody),
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<KeyRename>,
) -> HttpResult<Json<KeyInfo>> {
    Ok(Json(
        webauthn_factor::rename(&state, &authed.user, &id, &req.name, &client).await?,
    ))
}

/// Removes one of the user's keys; the user's other sessions proven with a
/// key end. The last factor of a user who must have MFA is refused. Needs
/// a second factor passed in the last 10 minutes.
#[utoipa::path(
    delete,
    path = "/api/v1/webauthn/credentials/{id}",
    tag = "mfa",
    params(("id" = String, Path, description = "The key's `id` in the list")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify or /api/v1/mfa/verify/webauthn/start, then try again); or CSRF", body = ErrorBody),
        (status = 404, description = "The user has no key with this id", body = ErrorBody),
        (status = 409, description = "It is the only factor of a user who must have MFA (the message says what to do)", body = ErrorBody),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    webauthn_factor::remove(&state, &authed, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Proves a security key or passkey again in a signed-in session (before
/// a change that needs a second factor from the last minutes): the
/// options for `navigator.credentials.get()`.
#[utoipa::path(
    post,
    path = "/api/v1/mfa/verify/webauthn/start",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Options for the browser and the ceremony id (good for 5 minutes, once, in this session)", body = AuthenticationOptions),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No security key set up (`not_allowed_now`); the portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 429, description = "This session holds 5 open security-key ceremonies already (`too_many_attempts`); see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the first of them ends"))),
    )
)]
pub async fn verify_start(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<AuthenticationOptions>> {
    Ok(Json(webauthn_factor::verify_start(&state, &authed).await?))
}

/// Finishes proving a key again: the session's second factor is renewed.
#[utoipa::path(
    post,
    path = "/api/v1/mfa/verify/webauthn/finish",
    tag = "mfa",
    request_body = AuthenticationFinish,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Proven; changes that need a recent second factor may go ahead"),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The key's answer was refused or could not be read (the message says why), or not signed in", body = ErrorBody),
        (status = 403, description = "No security key set up; the portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 409, description = "The ceremony expired, was used, or is another session's", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing field", body = ErrorBody),
    )
)]
pub async fn verify_finish(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    ApiJson(req): ApiJson<AuthenticationFinishBody>,
) -> HttpResult<StatusCode> {
    webauthn_factor::verify_finish(&state, &authed, &req.ceremony, req.credential, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
