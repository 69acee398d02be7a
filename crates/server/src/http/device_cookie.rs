//! The device cookie (`auth::device_cookie`): set when a browser passes an
//! account's first step, flagged like the session's (HttpOnly,
//! SameSite=Strict, Path=/; `Secure` with the `__Host-` prefix over TLS),
//! with a Max-Age of its days so it outlives the browser's restarts.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::cookie::{self, with_session};
use crate::app::AppState;
use crate::auth::device_cookie::{DeviceToken, DAYS};
use crate::auth::session::SessionId;
use crate::config::Settings;
use crate::rules::requirement::DAY;

pub fn name(settings: &Settings) -> &'static str {
    // As for the session: the prefix binds it to this host over TLS.
    if settings.is_https() {
        "__Host-portcullis_device"
    } else {
        "portcullis_device"
    }
}

/// The device cookie's value from the request, if any.
pub fn value(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    cookie::named(headers, name(settings))
}

fn flags(settings: &Settings) -> &'static str {
    if settings.is_https() {
        "; Path=/; HttpOnly; SameSite=Strict; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Strict"
    }
}

/// `Set-Cookie` that stores `token` for [`DAYS`].
pub fn set(settings: &Settings, token: &str) -> HeaderValue {
    let max_age = i64::from(DAYS) * DAY;
    let v = format!(
        "{}={token}; Max-Age={max_age}{}",
        name(settings),
        flags(settings)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The answer of a step that may have finished a login: the new session's
/// cookie and the browser's device cookie, when it did.
pub fn with_login(
    state: &AppState,
    done: Option<(SessionId, DeviceToken)>,
    body: impl IntoResponse,
) -> Response {
    let (session, device) = done.unzip();
    let mut answer = with_session(state, session, body);
    add(&state.settings, &mut answer, device);
    answer
}

/// Adds the `Set-Cookie` of a new device cookie to `answer`, if there is one.
pub fn add(settings: &Settings, answer: &mut Response, token: Option<DeviceToken>) {
    if let Some(token) = token {
        let cookie = set(settings, token.expose());
        answer.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

/// The device cookie's value, if the request has one.
pub struct DeviceCookie(pub Option<String>);

impl FromRequestParts<AppState> for DeviceCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(DeviceCookie(value(&parts.headers, &state.settings)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_and_flags() {
        let s = Settings::default();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("portcullis_session=a; portcullis_device=1.x.y"),
        );
        assert_eq!(value(&h, &s).as_deref(), Some("1.x.y"));
        assert_eq!(
            set(&s, "1.x.y").to_str().unwrap_or(""),
            "portcullis_device=1.x.y; Max-Age=15552000; Path=/; HttpOnly; SameSite=Strict"
        );
        let tls = Settings {
            public_origin: "https://mfa.example.org".into(),
            ..Settings::default()
        };
        let c = set(&tls, "1.x.y");
        let c = c.to_str().unwrap_or("");
        assert!(
            c.starts_with("__Host-portcullis_device=1.x.y; Max-Age="),
            "{c}"
        );
        assert!(
            c.ends_with("; Path=/; HttpOnly; SameSite=Strict; Secure"),
            "{c}"
        );
    }
}
