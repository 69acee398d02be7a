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

use super::auth::with_session;
use super::error::HttpResult;
use super::extract::{AnySession, ApiJson, ClientInfo, SessionCookie, SignedIn};
use super::trusted_browsers::finish_login;
use crate::app::AppState;
use crate::mfa::{passkey_login, webauthn_factor};

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
    ceremony: String,
    credential: serde_json::Value,
    /// Read at the login's second step only.
    #[serde(default)]
    trust_browser: bool,
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
    let done = webauthn_factor::register_finish(
        &state,
        &authed,
        &req.ceremony,
        req.name.as_deref(),
        req.credential,
        &client,
    )
    .await?;
    Ok(with_session(&state, done.session, Json(done.answer)))
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

/// Second step of login with a security key or passkey: the options for
/// `navigator.credentials.get()`, allowing each of the user's keys.
#[utoipa::path(
    post,
    path = "/api/v1/login/webauthn/start",
    tag = "login",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Options for the browser and the ceremony id (good for 5 minutes, once, in this session)", body = AuthenticationOptions),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now (already signed in, or no key set up); the portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 429, description = "This session holds 5 open security-key ceremonies already (`too_many_attempts`); see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the first of them ends"))),
    )
)]
pub async fn login_start(
    State(state): State<AppState>,
    AnySession(authed): AnySession,
) -> HttpResult<Json<AuthenticationOptions>> {
    Ok(Json(webauthn_factor::login_start(&state, &authed).await?))
}

/// Finishes the login's second step with the key's answer. With
/// `trust_browser`, the browser may also be trusted, as at
/// `/api/v1/login/totp`.
#[utoipa::path(
    post,
    path = "/api/v1/login/webauthn/finish",
    tag = "login",
    request_body = AuthenticationFinish,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Signed in (new session id)", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The key's answer was refused or could not be read (the message says why: wrong site, not this account's key, a copied key…), or no session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now; the portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 409, description = "The ceremony expired, was used, or is another session's", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing field", body = ErrorBody),
    )
)]
pub async fn login_finish(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<AuthenticationFinishBody>,
) -> HttpResult<Response> {
    let done =
        webauthn_factor::login_finish(&state, &authed, &req.ceremony, req.credential, &client)
            .await?;
    finish_login(&state, &authed, &client, req.trust_browser, done).await
}

/// Sign-in with a passkey, without the password: the options for
/// `navigator.credentials.get()` with no allowed list, so the browser
/// offers the passkeys for this site it holds (from a button, or with
/// `mediation: "conditional"` in the email field's autofill).
#[utoipa::path(
    post,
    path = "/api/v1/login/passkey/start",
    tag = "login",
    security(("csrf" = [])),
    responses(
        (status = 200, description = "Options for the browser and the ceremony id (good for 5 minutes, once)", body = AuthenticationOptions),
        (status = 403, description = "The portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 429, description = "Too many sign-ins started from this address; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn passkey_start(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
) -> HttpResult<Json<AuthenticationOptions>> {
    Ok(Json(passkey_login::start(&state, &client).await?))
}

/// Finishes a passkey sign-in. A passkey that verified its user (PIN,
/// biometrics) signs in; one that did not stands for the password, and
/// the answer asks for a second factor of another kind.
#[utoipa::path(
    post,
    path = "/api/v1/login/passkey/finish",
    tag = "login",
    request_body = AuthenticationFinish,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "Signed in (`done`), or a second factor next (`mfa`); a session cookie and a device cookie are set", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "The passkey's answer was refused or could not be read, it is not registered here (or was removed while it was checked), or it did not verify the user and no factor of another kind is set up (the message says which)", body = ErrorBody),
        (status = 403, description = "The portal is not at a domain name; or CSRF", body = ErrorBody),
        (status = 409, description = "The ceremony expired or was used", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A missing field", body = ErrorBody),
        (status = 429, description = "Too many sign-ins of this account; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn passkey_finish(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SessionCookie(old): SessionCookie,
    ApiJson(req): ApiJson<AuthenticationFinishBody>,
) -> HttpResult<Response> {
    let done = passkey_login::finish(
        &state,
        &req.ceremony,
        req.credential,
        &client,
        old.as_deref(),
    )
    .await?;
    let mut answer = with_session(&state, Some(done.session), Json(done.answer));
    super::device_cookie::add(&state.settings, &mut answer, Some(done.device));
    Ok(answer)
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
