//! One error type for every handler. It becomes `{ "code", "message" }` JSON
//! with the right status; internal causes are logged, never sent.

use std::borrow::Cow;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_api::{codes, ErrorBody};
use serde::de::DeserializeOwned;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Cow<'static, str>,
    pub retry_after: Option<u64>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        AppError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Same status, body and wording for an unknown email and a wrong
    /// password, so the answer does not reveal which accounts exist.
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::INVALID_CREDENTIALS,
            "The email or password is incorrect.",
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHENTICATED,
            "You are not signed in, or your session has expired.",
        )
    }

    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message)
    }

    pub fn csrf(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, codes::CSRF, message)
    }

    pub fn validation(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, codes::VALIDATION, message)
    }

    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, message)
    }

    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        let secs = retry_after_secs.max(1);
        AppError {
            retry_after: Some(secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                codes::TOO_MANY_ATTEMPTS,
                format!(
                    "Too many failed attempts. Try again in {secs} second{}.",
                    if secs == 1 { "" } else { "s" }
                ),
            )
        }
    }

    /// Logs the cause (which must not contain secrets) and answers a generic 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL,
            "Something went wrong on the server. Please try again.",
        )
    }

    /// The JSON error for a bare status produced outside our handlers
    /// (routing 404/405, body limits).
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found("There is no such API endpoint."),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                codes::METHOD_NOT_ALLOWED,
                "This endpoint does not accept that HTTP method.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                status,
                codes::PAYLOAD_TOO_LARGE,
                "The request body is too large.",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                status,
                codes::UNSUPPORTED_MEDIA_TYPE,
                "Send the request body as JSON (Content-Type: application/json).",
            ),
            s if s.is_server_error() => Self::internal(format!("bare status {s}")),
            s => Self::new(
                s,
                codes::BAD_REQUEST,
                "The request could not be understood.",
            ),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal(format!("database: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_string(),
            message: self.message.into_owned(),
            retry_after: self.retry_after,
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// `Json` whose rejections are our JSON errors with a readable message.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    let status = rejection.status();
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // serde's own text names the field and position, e.g.
            // "missing field `password` at line 1 column 20".
            let text = e.body_text();
            let detail = text.split_once(": ").map(|(_, d)| d).unwrap_or(&text);
            AppError::validation(format!(
                "The request has a missing or invalid field: {detail}."
            ))
        }
        JsonRejection::JsonSyntaxError(_) => AppError::new(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            "The request body is not valid JSON.",
        ),
        _ => AppError::from_status(status),
    }
}
