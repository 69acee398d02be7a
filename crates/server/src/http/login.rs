//! Every route of a login (`/api/v1/login/…`): the password, the second
//! step with a code, a key, a push or a recovery code, postponing
//! enrollment, and signing in with a passkey. Each extracts, calls
//! `login::…` and answers with the cookies a login sets.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Json;
use portcullis_api::protect::{PushStarted, PushWait};
use portcullis_api::webauthn::{AuthenticationFinish, AuthenticationOptions};
use portcullis_api::{
    ErrorBody, FactorKind, LoginCodeRequest, LoginRequest, LoginResponse, RecoveryCodeRequest,
    TemporaryAccessCode,
};

use super::cookie::with_session;
use super::device::WaitParams;
use super::device_cookie::{self, with_login, DeviceCookie};
use super::error::HttpResult;
use super::extract::{AnySession, ApiJson, ClientInfo, SessionCookie};
use super::trust_cookie::{self, TrustCookie};
use super::webauthn::AuthenticationFinishBody;
use crate::app::AppState;
use crate::login::finish::SignedIn as SignedInNow;
use crate::login::{passkey, password, second_factor};
use crate::mfa::push::factor as push_factor;
use crate::secret::Secret;

/// The answer of a finished login: the new session's cookie, the device
/// cookie and, when the browser was trusted with it, the trust cookie.
fn signed_in(state: &AppState, done: SignedInNow) -> Response {
    let body = Json(LoginResponse::Done { user: done.me });
    let mut answer = with_login(state, Some((done.session, done.device)), body);
    if let Some(issued) = done.trusted {
        let cookie = trust_cookie::set(&state.settings, issued.token.expose(), issued.days);
        answer.headers_mut().append(header::SET_COOKIE, cookie);
    }
    answer
}

/// Log in with email and password.
///
/// The answer names the next step of the login. An unknown email and a
/// wrong password get the same answer. When a second factor would follow
/// and the browser's trust cookie (`portcullis_trust`) is valid for this
/// user, the login is done without it; a trust cookie found expired or
/// revoked is cleared. A browser that passes the password gets a device
/// cookie (`portcullis_device`): with it, its later attempts for this
/// account are counted on their own, so failures from elsewhere never
/// suspend this browser's logins.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    tag = "auth",
    request_body = LoginRequest,
    security(("csrf" = [])),
    responses(
        (status = 200, description = "Password accepted; `next` says what follows (a session cookie is set unless `locked`; a device cookie unless the browser holds one of this account), `done` also when a trusted browser spares the second factor", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 403, description = "CSRF header missing or another origin", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field (the email or password breaks its rule)", body = ErrorBody),
        (status = 423, description = "Suspended after 100 failures in a row (never for a browser with this account's device cookie)", body = ErrorBody),
        (status = 429, description = "Too many attempts (failed, or completed logins of this account); see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Server busy checking passwords; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn password(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SessionCookie(old): SessionCookie,
    TrustCookie(trust): TrustCookie,
    DeviceCookie(device): DeviceCookie,
    ApiJson(req): ApiJson<LoginRequest>,
) -> HttpResult<Response> {
    let password = Secret::new(req.password);
    let cookies = password::LoginCookies {
        session: old.as_deref(),
        trust: trust.as_deref(),
        device: device.as_deref(),
    };
    let target = password::For {
        sso_request: req.sso.as_deref(),
    };
    let out = password::login(&state, &req.email, password, &client, cookies, target).await?;
    let mut answer = with_session(&state, out.session, Json(out.answer));
    if out.forget_trust {
        let clear = trust_cookie::clear(&state.settings);
        answer.headers_mut().append(header::SET_COOKIE, clear);
    }
    device_cookie::add(&state.settings, &mut answer, out.device);
    Ok(answer)
}

/// Second step of login: a code from the authenticator app. With
/// `trust_browser`, when the organisation allows it and the user is not an
/// administrator, the browser is also trusted (the `portcullis_trust`
/// cookie is set).
#[utoipa::path(
    post,
    path = "/api/v1/login/totp",
    tag = "login",
    request_body = LoginCodeRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Signed in (new session id)", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong or already used code, or no session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now (already signed in, or no app set up); or CSRF", body = ErrorBody),
        (status = 409, description = "The authenticator app was removed meanwhile", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not a code", body = ErrorBody),
        (status = 423, description = "Suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn login_totp(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<LoginCodeRequest>,
) -> HttpResult<Response> {
    let trust = req.trust_browser;
    let done =
        second_factor::prove_code(&state, &authed, FactorKind::Totp, &req.code, trust, &client)
            .await?;
    Ok(signed_in(&state, done))
}

/// "Remind me later": finish login without MFA while the enrollment period lasts.
#[utoipa::path(
    post,
    path = "/api/v1/login/skip-enrollment",
    tag = "login",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Signed in (new session id)", body = LoginResponse),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Setup cannot be postponed now; or CSRF", body = ErrorBody),
    )
)]
pub async fn skip_enrollment(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
) -> HttpResult<Response> {
    let done = second_factor::postpone(&state, &authed, &client).await?;
    Ok(signed_in(&state, done))
}

/// Second step of login: one of the user's recovery codes, instead of a
/// factor. Each code works once. With `trust_browser`, the browser may
/// also be trusted, as at `/api/v1/login/totp`.
#[utoipa::path(
    post,
    path = "/api/v1/login/recovery-code",
    tag = "login",
    request_body = RecoveryCodeRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Signed in (new session id)", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong or already used code, or no session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now (already signed in, no second factor asked, or no codes left); or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not a recovery code", body = ErrorBody),
        (status = 423, description = "Suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes (recovery and authenticator codes count together); see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn recovery_code(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<RecoveryCodeRequest>,
) -> HttpResult<Response> {
    let trust = req.trust_browser;
    let done = second_factor::recovery_code(&state, &authed, &req.code, trust, &client).await?;
    Ok(signed_in(&state, done))
}

/// Second step of login with a helpdesk's temporary access code, for a
/// user who lost their factor. It does not sign in: the answer is
/// `enroll` (mandatory), and setting up a new factor finishes the login.
#[utoipa::path(
    post,
    path = "/api/v1/login/temporary-access",
    tag = "login",
    request_body = TemporaryAccessCode,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Accepted: set up a new factor next", body = LoginResponse),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Wrong, used or expired code, or no session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now (already signed in, or no second factor asked); or CSRF", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing field, or not such a code", body = ErrorBody),
        (status = 423, description = "Suspended after 100 wrong codes in a row", body = ErrorBody),
        (status = 429, description = "Too many wrong codes; see Retry-After", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn temporary_access(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    ApiJson(req): ApiJson<TemporaryAccessCode>,
) -> HttpResult<Json<LoginResponse>> {
    Ok(Json(
        second_factor::temporary_access(&state, &authed, &req.code, &client).await?,
    ))
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
    Ok(Json(second_factor::key_start(&state, &authed).await?))
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
    let trust = req.trust_browser;
    let done = second_factor::key_finish(
        &state,
        &authed,
        &req.ceremony,
        req.credential,
        trust,
        &client,
    )
    .await?;
    Ok(signed_in(&state, done))
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
    Ok(Json(passkey::start(&state, &client).await?))
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
        (status = 200, description = "Signed in (`done`), or a second factor next (`mfa`); a session cookie is set, and a device cookie when it signed in", body = LoginResponse),
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
    DeviceCookie(device): DeviceCookie,
    ApiJson(req): ApiJson<AuthenticationFinishBody>,
) -> HttpResult<Response> {
    let done = passkey::finish(
        &state,
        &req.ceremony,
        req.credential,
        &client,
        old.as_deref(),
        device.as_deref(),
    )
    .await?;
    let mut answer = with_session(&state, Some(done.session), Json(done.answer));
    device_cookie::add(&state.settings, &mut answer, done.device);
    Ok(answer)
}

/// The login's second step with Protect push: sends a push to the user's
/// device, with a number the browser shows and the user types there. At
/// most as many pushes per user and portal wait at once as the
/// organisation's push limit says; a login from a browser with the user's
/// device cookie (it signed in as them before) has a slot of its own.
#[utoipa::path(
    post,
    path = "/api/v1/login/push",
    tag = "login",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Sent: the number to show, and when it expires (60 s)", body = PushStarted),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now (already signed in, or no device enrolled: `not_allowed_now`); the organisation has Protect push switched off (`factor_not_allowed`); pushes are paused after one was reported as not the user's (`push_muted`: the message says until when); or CSRF", body = ErrorBody),
        (status = 429, description = "As many pushes as the organisation's limit allows are still waiting for an answer, or, from a browser with the user's device cookie, this login's own push (`too_many_attempts`; the message and Retry-After say how long until the first frees)", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn login_push(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
) -> HttpResult<Json<PushStarted>> {
    Ok(Json(
        second_factor::push_start(&state, &authed, &client).await?,
    ))
}

/// Waits up to `wait` seconds for the device's answer to this login's
/// push. Approved, the login is signed in: the answer sets the new
/// session's cookie and carries the login's answer.
#[utoipa::path(
    post,
    path = "/api/v1/login/push/{id}/wait",
    tag = "login",
    params(("id" = String, Path, description = "The push's `id`"), WaitParams),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Where the push stands; `login` when approved (new session id)", body = PushWait),
        (status = 400, description = "The id is not UTF-8, or `wait` is not a number", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not a step of this login now (already signed in, or the device was removed); or CSRF", body = ErrorBody),
        (status = 404, description = "No such push of this login", body = ErrorBody),
        (status = 409, description = "The approval signed in already", body = ErrorBody),
        (status = 429, description = "This session already holds 2 waits, or the server its cap of waits (`too_many_attempts`, in words)", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn login_push_wait(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    AnySession(authed): AnySession,
    Path(id): Path<String>,
    Query(q): Query<WaitParams>,
) -> HttpResult<Response> {
    let wait = q.wait.unwrap_or(0);
    let (done, answer) =
        second_factor::push_wait(&state, &authed, &id, wait, false, &client).await?;
    Ok(with_login(
        &state,
        done.map(|d| (d.session, d.device)),
        Json(answer),
    ))
}

/// Cancels this session's push: the login's (the user chose another
/// factor), or one proving the factor again.
#[utoipa::path(
    post,
    path = "/api/v1/login/push/{id}/cancel",
    tag = "login",
    params(("id" = String, Path, description = "The push's `id`")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Cancelled (or answered already)"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
        (status = 404, description = "No such push of this session", body = ErrorBody),
    )
)]
pub async fn login_push_cancel(
    State(state): State<AppState>,
    AnySession(authed): AnySession,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    push_factor::login_cancel(&state, &authed, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every `/api/v1/login/…` route, merged once into the portal's router.
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(password))
        .routes(routes!(login_totp))
        .routes(routes!(skip_enrollment))
        .routes(routes!(recovery_code))
        .routes(routes!(temporary_access))
        .routes(routes!(login_start))
        .routes(routes!(login_finish))
        .routes(routes!(passkey_start))
        .routes(routes!(passkey_finish))
        .routes(routes!(login_push))
        .routes(routes!(login_push_wait))
        .routes(routes!(login_push_cancel))
}
