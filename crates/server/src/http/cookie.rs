//! The session cookie: HttpOnly, SameSite=Strict, no Max-Age (the browser
//! drops it on exit; the server enforces the timeouts either way); `Secure`
//! with the `__Host-` prefix when the portal is served over TLS.

use axum::http::{header, HeaderMap, HeaderValue};

use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::auth::session::SessionId;
use crate::config::Settings;

pub fn name(settings: &Settings) -> &'static str {
    // The __Host- prefix makes the browser refuse the cookie unless it is
    // Secure, host-only and Path=/ — it can only be used over TLS. A cookie
    // for a parent domain cannot be host-only: __Secure- still demands TLS.
    if settings.cookie_domain.is_some() {
        "__Secure-portcullis_session"
    } else if settings.is_https() {
        "__Host-portcullis_session"
    } else {
        "portcullis_session"
    }
}

/// The session cookie's value from the request, if any.
pub fn value(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    named(headers, name(settings))
}

/// The value of the request's cookie called `name`, if any.
pub(super) fn named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn flags(settings: &Settings) -> String {
    let mut f = String::from("; Path=/; HttpOnly; SameSite=Strict");
    if settings.is_https() {
        f.push_str("; Secure");
    }
    if let Some(d) = &settings.cookie_domain {
        f.push_str("; Domain=");
        f.push_str(d);
    }
    f
}

/// `Set-Cookie` that stores `id`.
pub fn set(settings: &Settings, id: &str) -> HeaderValue {
    let v = format!("{}={id}{}", name(settings), flags(settings));
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear(settings: &Settings) -> HeaderValue {
    let v = format!("{}=; Max-Age=0{}", name(settings), flags(settings));
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The answer with a `Set-Cookie` for a new session, if one was started.
pub fn with_session(state: &AppState, id: Option<SessionId>, body: impl IntoResponse) -> Response {
    match id {
        Some(id) => (
            [(header::SET_COOKIE, set(&state.settings, id.expose()))],
            body,
        )
            .into_response(),
        None => body.into_response(),
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
            HeaderValue::from_static("a=1; portcullis_session=xyz; b=2"),
        );
        assert_eq!(value(&h, &s).as_deref(), Some("xyz"));
        assert_eq!(
            set(&s, "xyz").to_str().unwrap_or(""),
            "portcullis_session=xyz; Path=/; HttpOnly; SameSite=Strict"
        );
        let tls = Settings {
            public_origin: "https://mfa.example.org".into(),
            ..Settings::default()
        };
        let c = set(&tls, "xyz");
        let c = c.to_str().unwrap_or("");
        assert!(c.starts_with("__Host-portcullis_session=xyz"), "{c}");
        assert!(c.ends_with("; Secure"), "{c}");
        assert!(clear(&tls).to_str().unwrap_or("").contains("Max-Age=0"));
        let parent = Settings {
            public_origin: "https://mfa.example.org".into(),
            cookie_domain: Some("example.org".into()),
            ..Settings::default()
        };
        let c = set(&parent, "xyz");
        assert_eq!(
            c.to_str().unwrap_or(""),
            "__Secure-portcullis_session=xyz; Path=/; HttpOnly; SameSite=Strict; Secure; Domain=example.org"
        );
        assert!(clear(&parent)
            .to_str()
            .unwrap_or("")
            .contains("Domain=example.org"));
    }

    #[test]
    fn a_parent_domain_only_over_https_and_above_the_portal() {
        use crate::config::check_cookie_domain;
        let ok = check_cookie_domain("https://mfa.example.org", ".Example.org");
        assert_eq!(ok.ok().as_deref(), Some("example.org"));
        assert!(check_cookie_domain("https://mfa.example.org:8443", "example.org").is_ok());
        for (origin, domain) in [
            ("http://mfa.example.org", "example.org"),
            ("https://mfa.example.org", "org"),
            ("https://mfa.example.org", "other.org"),
            ("https://mfa.example.org", "ample.org"),
            ("https://mfa.example.org", "exa mple.org"),
        ] {
            assert!(
                check_cookie_domain(origin, domain).is_err(),
                "{origin} {domain}"
            );
        }
    }
}
