//! Serving the built SPA (Trunk's `dist/`): files as they are, and
//! `index.html` for every client-side route, with the organisation's
//! branding written in (`spa_branding`) and a CSP that allows exactly the
//! page's own inline scripts and styles by their hashes.

use std::path::{Path, PathBuf};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

use super::spa_branding;
use crate::app::AppState;
use crate::rules;

#[derive(Clone)]
struct SpaDir(PathBuf, AppState);

pub fn router(dir: PathBuf, state: AppState) -> Router {
    let page = get(index).with_state(SpaDir(dir.clone(), state));
    Router::new()
        .route("/", page.clone())
        .route("/index.html", page.clone())
        // scripts/build-spa writes .br/.gz copies at the highest levels; the
        // compression layer leaves such answers alone.
        .fallback_service(
            ServeDir::new(&dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(page),
        )
        .layer(axum::middleware::from_fn(cache_control))
}

async fn index(State(SpaDir(dir, state)): State<SpaDir>) -> Response {
    match tokio::fs::read_to_string(dir.join("index.html")).await {
        Ok(html) => {
            // Read each time (one small row): a change made through any
            // instance shows at the next page load. Unreadable, the page
            // is served as built rather than not at all.
            let html = match rules::branding::get(&state.db).await {
                Ok(b) => spa_branding::brand_page(&html, &b),
                Err(e) => {
                    tracing::warn!(error = %e, "branding unreadable; page served without it");
                    html
                }
            };
            let csp = page_csp(&html);
            let mut resp = Html(html).into_response();
            if let Ok(v) = HeaderValue::from_str(&csp) {
                resp.headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, v);
            }
            resp
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Html(not_built_page(&dir))).into_response(),
    }
}

fn not_built_page(dir: &Path) -> String {
    format!(
        "<!doctype html><title>Portcullis</title><p>The portal has not been built: no index.html in {}. Run <code>trunk build --release</code> or <code>scripts/serve</code>.</p>",
        html_escape(&dir.display().to_string())
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The policy for the SPA's page. Trunk writes a small inline module script
/// that loads the wasm; it is allowed by its SHA-256, so no
/// `'unsafe-inline'` is needed. `'wasm-unsafe-eval'` lets the page compile
/// WebAssembly.
pub fn page_csp(html: &str) -> String {
    let hash_all = |bodies: Vec<&str>| -> String {
        bodies
            .into_iter()
            .map(|s| {
                format!(
                    " 'sha256-{}'",
                    STANDARD.encode(Sha256::digest(s.as_bytes()))
                )
            })
            .collect()
    };
    let hashes = hash_all(inline_scripts(html));
    // the branding's accent (spa_branding)
    let styles = hash_all(inline_bodies(html, "style"));
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'{styles}; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Bodies of `<script>` elements without a `src`.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    inline_bodies(html, "script")
}

/// Bodies of `<tag>` elements without a `src` (`script` or `style`).
pub fn inline_bodies<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close_tag = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let open_tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find(&close_tag) else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !open_tag.contains(" src=") && !body.trim().is_empty() {
            out.push(body);
        }
        rest = &after[body_start + close..];
    }
    out
}

/// Trunk names built files with a content hash (`app-1a2b…_bg.wasm`): those
/// never change and may be cached for good. The page itself must be revalidated.
async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let value = if is_html || !resp.status().is_success() {
        "no-cache"
    } else if has_content_hash(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    resp
}

fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    name.split(['-', '_', '.'])
        .any(|part| part.len() >= 12 && part.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_only() {
        let html = r#"<head><script src="/a.js"></script><script type="module">import x from "/x.js";</script></head>"#;
        assert_eq!(inline_scripts(html), vec![r#"import x from "/x.js";"#]);
        let csp = page_csp(html);
        assert!(csp.contains("'sha256-"), "{csp}");
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn content_hashes() {
        assert!(has_content_hash("/portcullis-web-3f2a9c0d1e4b5a6f_bg.wasm"));
        assert!(has_content_hash("/main-0123456789abcdef.css"));
        assert!(has_content_hash("/main-b4870270d710560.css"));
        assert!(!has_content_hash("/favicon.svg"));
    }
}
