//! `/oauth2/authorize`: an app sends the browser here. The request is
//! checked in the order that keeps redirects safe: until the app and one
//! of its registered redirect URIs are known, a problem is a page in words
//! (never a redirect to an address nobody registered); after that, it goes
//! back to the app as an OAuth error. A good request is kept in the
//! database, and the browser continues in the portal at `/sso/{id}`.

use std::collections::HashMap;

use super::{scopes, REQUEST_SECS};
use crate::app::AppState;
use crate::error::Internal;
use crate::rules::app_need::request_hash;
use crate::secret::new_token;
use crate::store;

/// Longest query the endpoint reads.
pub const MAX_QUERY: usize = 8000;
/// Longest `state`, `nonce` or `login_hint` kept.
const MAX_VALUE: usize = 500;

/// Where the browser goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Authorize {
    /// On to the portal's page for this request (`/sso/{id}`).
    Continue(String),
    /// Back to the app, with an error it understands.
    Redirect(String),
    /// No safe way back: the problem, in words.
    Page(String),
}

/// The request's parameters; a parameter given twice is refused, unknown
/// ones are ignored (as OAuth 2.0 asks of both).
pub fn parse_query(query: &str) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(format!("The parameter {k} is given more than once."));
        }
    }
    Ok(out)
}

/// `redirect_uri` with the answer's parameters added to its query.
pub fn with_params(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = redirect_uri.to_string();
    let mut sep = if redirect_uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
        sep = '&';
    }
    out
}

/// An OAuth error back to the app, with its `state` and our issuer (RFC 9207).
pub fn error_to_app(
    state: &AppState,
    redirect_uri: &str,
    app_state: Option<&str>,
    error: &str,
    words: &str,
) -> String {
    let iss = super::claims::issuer(state);
    let mut params = vec![("error", error), ("error_description", words)];
    if let Some(s) = app_state {
        params.push(("state", s));
    }
    params.push(("iss", &iss));
    with_params(redirect_uri, &params)
}

fn code_challenge_ok(c: &str) -> bool {
    (43..=128).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Checks an authorization request and keeps it.
pub async fn authorize(state: &AppState, query: &str) -> Result<Authorize, Internal> {
    if query.len() > MAX_QUERY {
        return Ok(Authorize::Page(format!(
            "This sign-in request is too long (more than {MAX_QUERY} characters). Go back to the app and try again."
        )));
    }
    let params = match parse_query(query) {
        Ok(p) => p,
        Err(words) => {
            return Ok(Authorize::Page(format!(
                "This sign-in request is malformed: {words}"
            )))
        }
    };
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client_id) = get("client_id") else {
        return Ok(Authorize::Page(
            "This sign-in request does not say which app it is for (no client_id). Go back to the app and try again."
                .into(),
        ));
    };
    let app = match store::apps::find_by_client_id(&state.db, client_id).await? {
        Some(app) => app,
        None => {
            return Ok(Authorize::Page(
                "This sign-in request names an app that is not registered here. Ask your administrator."
                    .into(),
            ))
        }
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Ok(Authorize::Page(format!(
            "{} did not say where to return after signing in (no redirect_uri). Ask your administrator.",
            app.name
        )));
    };
    if !app.redirect_list().contains(&redirect_uri) {
        return Ok(Authorize::Page(format!(
            "{} asked to return to an address that is not registered for it. Ask your administrator to check the app's redirect URIs.",
            app.name
        )));
    }
    // From here on, problems go back to the app.
    let app_state = get("state");
    let back = |error: &str, words: &str| {
        Ok(Authorize::Redirect(error_to_app(
            state,
            redirect_uri,
            app_state,
            error,
            words,
        )))
    };
    if app_state.is_some_and(|s| s.len() > MAX_VALUE) {
        return back("invalid_request", "state is too long");
    }
    if params.contains_key("request") {
        return back("request_not_supported", "request objects are not supported");
    }
    if params.contains_key("request_uri") {
        return back("request_uri_not_supported", "request_uri is not supported");
    }
    match get("response_type") {
        Some("code") => {}
        None => return back("invalid_request", "response_type is missing"),
        Some(_) => {
            return back(
                "unsupported_response_type",
                "only the authorization code flow (response_type=code) is supported",
            )
        }
    }
    if get("response_mode").is_some_and(|m| m != "query") {
        return back("invalid_request", "only response_mode=query is supported");
    }
    let Some(scope) = get("scope").and_then(scopes::parse) else {
        return back("invalid_scope", "scope must include openid");
    };
    let challenge = get("code_challenge");
    match (challenge, get("code_challenge_method")) {
        (None, Some(_)) => {
            return back(
                "invalid_request",
                "code_challenge_method without code_challenge",
            )
        }
        (Some(_), Some(m)) if m != "S256" => {
            return back("invalid_request", "code_challenge_method must be S256")
        }
        (Some(_), None) => {
            return back(
                "invalid_request",
                "code_challenge_method must be S256 (plain is not accepted)",
            )
        }
        (Some(c), _) if !code_challenge_ok(c) => {
            return back(
                "invalid_request",
                "code_challenge is not a base64url S256 hash",
            )
        }
        (None, None) if app.secret_hash.is_none() => {
            return back(
                "invalid_request",
                "a public client must use PKCE (code_challenge with S256)",
            )
        }
        _ => {}
    }
    let nonce = get("nonce");
    if nonce.is_some_and(|n| n.len() > MAX_VALUE) {
        return back("invalid_request", "nonce is too long");
    }
    let prompt = get("prompt");
    if let Some(p) = prompt {
        let values: Vec<&str> = p.split(' ').filter(|v| !v.is_empty()).collect();
        if values
            .iter()
            .any(|v| !matches!(*v, "none" | "login" | "consent" | "select_account"))
        {
            return back(
                "invalid_request",
                "prompt may be none, login, consent or select_account",
            );
        }
        if values.contains(&"none") && values.len() > 1 {
            return back(
                "invalid_request",
                "prompt=none cannot be combined with other values",
            );
        }
    }
    let max_age = match get("max_age") {
        None => None,
        Some(m) => match m.parse::<u32>() {
            Ok(n) => Some(i64::from(n)),
            Err(_) => {
                return back(
                    "invalid_request",
                    "max_age must be a whole number of seconds",
                )
            }
        },
    };
    let login_hint = get("login_hint");
    if login_hint.is_some_and(|h| h.len() > 254) {
        return back("invalid_request", "login_hint is too long");
    }
    let id = new_token();
    let now = state.now();
    store::sso::insert_request(
        &state.db,
        &store::sso::Request {
            id_hash: request_hash(state, &id),
            app_id: app.id,
            redirect_uri: redirect_uri.to_string(),
            scope: scope.join(" "),
            state: app_state.map(String::from),
            nonce: nonce.map(String::from),
            code_challenge: challenge.map(String::from),
            // select_account: one account per browser here, so a login
            prompt: prompt.map(|p| p.replace("select_account", "login")),
            max_age,
            login_hint: login_hint.map(String::from),
            created_at: now,
            expires_at: now + REQUEST_SECS,
        },
    )
    .await?;
    Ok(Authorize::Continue(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_the_redirect_uri_query_and_encode_values() {
        assert_eq!(
            with_params("https://a.example/cb", &[("code", "x y"), ("state", "s&t")]),
            "https://a.example/cb?code=x+y&state=s%26t"
        );
        assert_eq!(
            with_params("https://a.example/cb?t=1", &[("code", "c")]),
            "https://a.example/cb?t=1&code=c"
        );
    }

    #[test]
    fn a_parameter_twice_is_refused() {
        assert!(parse_query("a=1&b=2").is_ok());
        assert!(parse_query("a=1&a=2").is_err());
    }

    #[test]
    fn pkce_challenges_are_s256_shaped() {
        assert!(code_challenge_ok(&"a".repeat(43)));
        assert!(!code_challenge_ok(&"a".repeat(42)));
        assert!(!code_challenge_ok(&format!("{}=", "a".repeat(43))));
    }
}
