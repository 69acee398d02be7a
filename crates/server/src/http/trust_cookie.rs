//! The trusted-browser cookie: a long-lived cookie of its own beside the
//! session's, flagged like it (HttpOnly, SameSite=Strict, Path=/; `Secure`
//! with the `__Host-` prefix over TLS), with a Max-Age of the days the
//! browser is trusted, so it outlives the browser's restarts.

use axum::http::{HeaderMap, HeaderValue};

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::cookie;
use crate::app::AppState;
use crate::config::Settings;
use crate::rules::requirement::DAY;

pub fn name(settings: &Settings) -> &'static str {
    // As for the session: the prefix binds it to this host over TLS.
    if settings.is_https() {
        "__Host-portcullis_trust"
    } else {
        "portcullis_trust"
    }
}

/// The trust cookie's value from the request, if any.
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

/// `Set-Cookie` that stores `token` for `days`.
pub fn set(settings: &Settings, token: &str, days: u32) -> HeaderValue {
    let max_age = i64::from(days) * DAY;
    let v = format!(
        "{}={token}; Max-Age={max_age}{}",
        name(settings),
        flags(settings)
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that makes the browser forget its trust.
pub fn clear(settings: &Settings) -> HeaderValue {
    let v = format!("{}=; Max-Age=0{}", name(settings), flags(settings));
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The trust cookie's value, if the request has one.
pub struct TrustCookie(pub Option<String>);

impl FromRequestParts<AppState> for TrustCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(TrustCookie(value(&parts.headers, &state.settings)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn parsing_and_flags() {
        let s = Settings::default();
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("portcullis_session=a; portcullis_trust=xyz"),
        );
        assert_eq!(value(&h, &s).as_deref(), Some("xyz"));
        assert_eq!(
            set(&s, "xyz", 30).to_str().unwrap_or(""),
            "portcullis_trust=xyz; Max-Age=2592000; Path=/; HttpOnly; SameSite=Strict"
        );
        let tls = Settings {
            public_origin: "https://mfa.example.org".into(),
            ..Settings::default()
        };
        let c = set(&tls, "xyz", 1);
        let c = c.to_str().unwrap_or("");
        assert!(
            c.starts_with("__Host-portcullis_trust=xyz; Max-Age=86400"),
            "{c}"
        );
        assert!(c.ends_with("; Secure"), "{c}");
        assert!(clear(&tls).to_str().unwrap_or("").contains("Max-Age=0"));
    }
}
