//! CSRF defence for every state-changing API request: it must carry our
//! custom header (a cross-site form cannot, and a cross-site script would
//! need a CORS preflight we never grant), and, when the browser says where it
//! comes from, come from this site: `Origin` must be the configured public
//! URL's origin (or an explicitly allowed one) — never compared with the
//! `Host` header, which whoever sends the request chooses.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portcullis_api::{CSRF_HEADER, CSRF_VALUE};

use super::error::HttpError;
use crate::app::AppState;
use crate::config::Settings;

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !changes_state(req.method()) {
        return next.run(req).await;
    }
    match check(req.headers(), &state.settings) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// The methods our routes change state with. Any other (TRACE, CONNECT, a
/// made-up one) no route accepts: the router answers it 405 (or 404),
/// which says more than a CSRF refusal would.
fn changes_state(m: &Method) -> bool {
    matches!(
        *m,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

pub fn check(headers: &HeaderMap, settings: &Settings) -> Result<(), HttpError> {
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    if token != Some(CSRF_VALUE) {
        return Err(HttpError::csrf(format!(
            "This request was refused: it lacks the {CSRF_HEADER} header that the portal sends."
        )));
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none" is a user-typed navigation; anything cross-site is refused.
        if !matches!(site.to_str().unwrap_or(""), "same-origin" | "none") {
            return Err(HttpError::csrf(
                "This request was refused: it came from another site.",
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let ours = crate::config::origin_of(origin).is_some_and(|o| o == settings.public_origin)
            || settings
                .allowed_origins
                .iter()
                .any(|o| o.trim_end_matches('/') == origin);
        if !ours {
            return Err(HttpError::csrf(
                "This request was refused: it came from another origin.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_the_state_changing_methods_are_checked() {
        for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(changes_state(&m), "{m}");
        }
        for m in [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE] {
            assert!(!changes_state(&m), "{m}");
        }
    }

    #[test]
    fn rules() {
        let s = Settings::default();
        assert!(check(&headers(&[]), &s).is_err());
        assert!(check(&headers(&[(CSRF_HEADER, "1")]), &s).is_ok());
        assert!(check(
            &headers(&[(CSRF_HEADER, "1"), ("sec-fetch-site", "cross-site")]),
            &s
        )
        .is_err());
        assert!(check(
            &headers(&[(CSRF_HEADER, "1"), ("sec-fetch-site", "same-site")]),
            &s
        )
        .is_err());
        let same = [
            (CSRF_HEADER, "1"),
            ("host", "localhost:8080"),
            ("origin", "http://localhost:8080"),
        ];
        assert!(check(&headers(&same), &s).is_ok());
        let other = [
            (CSRF_HEADER, "1"),
            ("host", "localhost:8080"),
            ("origin", "http://evil.test"),
        ];
        assert!(check(&headers(&other), &s).is_err());
        // A Host header that agrees with a foreign Origin changes nothing:
        // only the configured public origin counts.
        let spoofed = [
            (CSRF_HEADER, "1"),
            ("host", "evil.test"),
            ("origin", "http://evil.test"),
        ];
        assert!(check(&headers(&spoofed), &s).is_err());
        let null = [
            (CSRF_HEADER, "1"),
            ("host", "localhost:8080"),
            ("origin", "null"),
        ];
        assert!(check(&headers(&null), &s).is_err());
        let dev = Settings {
            allowed_origins: vec!["http://localhost:8081".into()],
            ..Settings::default()
        };
        let proxied = [
            (CSRF_HEADER, "1"),
            ("host", "localhost:8080"),
            ("origin", "http://localhost:8081"),
        ];
        assert!(check(&headers(&proxied), &dev).is_ok());
    }
}
