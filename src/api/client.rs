//! HTTP calls, straight on the browser's `fetch` (a wrapper crate cost more
//! wasm than it saved code). Every failure — network, status, JSON —
//! becomes an [`ApiError`].

use portcullis_api::{
    CodeRequest, LoginRequest, LoginResponse, Me, MfaOverview, TotpEnrollment, API_BASE,
    CSRF_HEADER, CSRF_VALUE,
};
use std::cell::RefCell;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use super::{js_json, ApiError};

fn build_error(detail: &str) -> ApiError {
    ApiError::BadResponse {
        status: 0,
        detail: format!("request could not be built: {detail}"),
    }
}

/// Sends a request; `body` makes it a state-changing POST with our CSRF header.
async fn send(path: &str, body: Option<String>) -> Result<(u16, String), ApiError> {
    let method = if body.is_some() { "POST" } else { "GET" };
    send_as(method, path, body).await
}

/// Sends a request with `method`; any method but GET is a change, so it
/// carries our CSRF header (and a JSON body when there is one).
async fn send_as(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, String), ApiError> {
    let init = RequestInit::new();
    let headers = Headers::new().map_err(|_| build_error("headers"))?;
    init.set_method(method);
    if method != "GET" {
        headers
            .set(CSRF_HEADER, CSRF_VALUE)
            .map_err(|_| build_error("headers"))?;
    }
    if let Some(body) = body {
        headers
            .set("content-type", "application/json")
            .map_err(|_| build_error("headers"))?;
        init.set_body(&JsValue::from_str(&body));
    }
    headers
        .set("accept", "application/json")
        .map_err(|_| build_error("headers"))?;
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(|| build_error("no window"))?;
    let url = format!("{API_BASE}{path}");
    // A rejected fetch means no HTTP answer at all.
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| ApiError::Unreachable)?
        .dyn_into()
        .map_err(|_| ApiError::Unreachable)?;
    let status = resp.status();
    let text_promise = resp.text().map_err(|_| ApiError::Unreachable)?;
    let text = JsFuture::from(text_promise)
        .await
        .map_err(|_| ApiError::Unreachable)?
        .as_string()
        .unwrap_or_default();
    if resp.ok() {
        Ok((status, text))
    } else {
        let retry = resp.headers().get("retry-after").ok().flatten();
        let error = ApiError::from_status_and_body(status, &text, retry.as_deref());
        if error.is_unauthenticated() {
            session_ended();
        }
        Err(error)
    }
}

thread_local! {
    static ON_SESSION_ENDED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// What to do when any answer says the session has ended (the session
/// context signs out; the guards then send the user to log in). Pages never
/// handle that themselves.
pub fn on_session_ended(f: impl Fn() + 'static) {
    ON_SESSION_ENDED.with(|cell| *cell.borrow_mut() = Some(Rc::new(f)));
}

fn session_ended() {
    // Cloned out first: the callback may itself send requests.
    if let Some(f) = ON_SESSION_ENDED.with(|cell| cell.borrow().clone()) {
        f();
    }
}

fn decode<T: DeserializeOwned>((status, text): (u16, String)) -> Result<T, ApiError> {
    // 204 has no body: read it as JSON null, which `()` accepts.
    let text = if text.is_empty() {
        "null"
    } else {
        text.as_str()
    };
    serde_json::from_str(text).map_err(|e| ApiError::BadResponse {
        status,
        detail: e.to_string(),
    })
}

pub(super) async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(send(path, None).await?)
}

pub(super) async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let json = serde_json::to_string(body).map_err(|e| build_error(&e.to_string()))?;
    decode(send(path, Some(json)).await?)
}

/// A change with a JSON body and another method than POST (PATCH).
pub(super) async fn send_json<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let json = serde_json::to_string(body).map_err(|e| build_error(&e.to_string()))?;
    decode(send_as(method, path, Some(json)).await?)
}

/// A DELETE, which has no body.
pub(super) async fn delete<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(send_as("DELETE", path, None).await?)
}

// The login path (password, `/me`, logout) reads and writes its JSON
// through the browser (`js_json`): these calls are in the first download.

/// An answer of the login path that `read` could not make sense of.
fn read_with<T>((status, text): (u16, String), read: fn(&str) -> Option<T>) -> Result<T, ApiError> {
    read(&text).ok_or(ApiError::BadResponse {
        status,
        detail: "unexpected JSON".to_string(),
    })
}

pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    let body = js_json::login_request(req).ok_or_else(|| build_error("body"))?;
    read_with(send("/login", Some(body)).await?, js_json::login_response)
}

pub async fn logout() -> Result<(), ApiError> {
    send("/logout", Some("null".to_string())).await.map(|_| ())
}

/// The signed-in user, or `None` when there is no session.
pub async fn me() -> Result<Option<Me>, ApiError> {
    match send("/me", None).await {
        Ok(answer) => read_with(answer, js_json::me).map(Some),
        Err(e) if e.is_unauthenticated() => Ok(None),
        Err(e) => Err(e),
    }
}

fn code(code: &str) -> CodeRequest {
    CodeRequest {
        code: code.to_string(),
    }
}

/// "Remind me later" during the enrollment period.
pub async fn skip_enrollment() -> Result<LoginResponse, ApiError> {
    post("/login/skip-enrollment", &()).await
}

/// The user's MFA status and factors (also during login).
pub async fn mfa() -> Result<MfaOverview, ApiError> {
    get("/mfa").await
}

pub async fn totp_enroll() -> Result<TotpEnrollment, ApiError> {
    post("/totp/enroll", &()).await
}

pub async fn totp_confirm(c: &str) -> Result<LoginResponse, ApiError> {
    post("/totp/confirm", &code(c)).await
}

pub async fn totp_reset(c: &str) -> Result<MfaOverview, ApiError> {
    post("/totp/reset", &code(c)).await
}

/// Proves the second factor again, for a change that needs a recent one.
pub async fn verify_mfa(c: &str) -> Result<(), ApiError> {
    post("/mfa/verify", &code(c)).await
}
