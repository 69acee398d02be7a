//! HTTP calls. Every failure — network, status, JSON — becomes an [`ApiError`].

use gloo_net::http::{Request, RequestBuilder, Response};
use portcullis_api::{
    CodeRequest, LoginRequest, LoginResponse, Me, MfaOverview, TotpEnrolment, API_BASE,
    CSRF_HEADER, CSRF_VALUE,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::ApiError;

fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

async fn send(req: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let req = req.map_err(|e| ApiError::BadResponse {
        status: 0,
        detail: format!("request could not be built: {e}"),
    })?;
    let resp = req.send().await.map_err(|_| ApiError::Unreachable)?;
    if resp.ok() {
        return Ok(resp);
    }
    let status = resp.status();
    let retry = resp.headers().get("retry-after");
    let body = resp.text().await.unwrap_or_default();
    Err(ApiError::from_status_and_body(
        status,
        &body,
        retry.as_deref(),
    ))
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    let text = resp.text().await.map_err(|_| ApiError::Unreachable)?;
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

fn mutate(builder: RequestBuilder) -> RequestBuilder {
    builder.header(CSRF_HEADER, CSRF_VALUE)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(send(Request::get(&url(path)).build()).await?).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    decode(send(mutate(Request::post(&url(path))).json(body)).await?).await
}

pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    post("/login", req).await
}

pub async fn logout() -> Result<(), ApiError> {
    post::<_, ()>("/logout", &()).await
}

/// The signed-in user, or `None` when there is no session.
pub async fn me() -> Result<Option<Me>, ApiError> {
    match get::<Me>("/me").await {
        Ok(me) => Ok(Some(me)),
        Err(e) if e.is_unauthenticated() => Ok(None),
        Err(e) => Err(e),
    }
}

fn code(code: &str) -> CodeRequest {
    CodeRequest {
        code: code.to_string(),
    }
}

/// Second login step: a code from the authenticator app.
pub async fn login_totp(c: &str) -> Result<LoginResponse, ApiError> {
    post("/login/totp", &code(c)).await
}

/// "Remind me later" during the enrolment period.
pub async fn skip_enrolment() -> Result<LoginResponse, ApiError> {
    post("/login/skip-enrolment", &()).await
}

/// The user's MFA status and factors (also during login).
pub async fn mfa() -> Result<MfaOverview, ApiError> {
    get("/mfa").await
}

pub async fn totp_enrol() -> Result<TotpEnrolment, ApiError> {
    post("/totp/enrol", &()).await
}

pub async fn totp_confirm(c: &str) -> Result<LoginResponse, ApiError> {
    post("/totp/confirm", &code(c)).await
}

pub async fn totp_reset(c: &str) -> Result<MfaOverview, ApiError> {
    post("/totp/reset", &code(c)).await
}
