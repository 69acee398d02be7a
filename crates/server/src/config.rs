//! Settings that shape behaviour at run time. The command line fills them
//! in; tests build their own.

use std::net::IpAddr;

use crate::secret::Secret;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The origin users open (scheme://host[:port]). State-changing
    /// requests must come from it; `https` turns on `Secure`, `__Host-`
    /// cookies and HSTS.
    pub public_origin: String,
    /// Origins besides the public one that may send state-changing
    /// requests (the `trunk serve` live-reload loop).
    pub allowed_origins: Vec<String>,
    /// A session unused this long ends.
    pub session_idle_secs: i64,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute_secs: i64,
    /// A login still in progress (password passed, second factor not) ends this soon.
    pub partial_session_secs: i64,
    /// Sessions one user may hold; signing in once more ends the oldest.
    pub max_sessions_per_user: u32,
    /// An admin action on someone's MFA needs a second factor this recent.
    pub fresh_mfa_secs: i64,
    /// Successful password logins allowed per account in one window.
    pub logins_per_window: i64,
    /// The length of that window.
    pub login_window_secs: i64,
    /// Password hashes computed at once (each holds 19 MiB).
    pub hash_concurrency: usize,
    /// Logins that may wait for a hashing slot; beyond that the server
    /// answers 503 at once instead of queueing without bound.
    pub hash_queue: usize,
    /// A parent domain the session cookie is sent to (forward-auth for
    /// sites on its subdomains); https only.
    pub cookie_domain: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The bearer token `/metrics` asks for; without one the main address
    /// does not serve metrics.
    pub metrics_token: Option<Secret<String>>,
    /// Audit events older than this many days are deleted.
    pub audit_retention_days: i64,
    /// Sent (or given up) emails older than this many days are deleted.
    pub outbox_retention_days: i64,
    /// Browsers' push waits (long-polls) this process holds at once;
    /// beyond that a wait is refused with 429 (each holds a connection).
    pub max_push_waits: usize,
    /// Days an invitation or a setup link works.
    pub link_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Settings {
            public_origin: "http://localhost:8080".to_string(),
            allowed_origins: Vec::new(),
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            partial_session_secs: 10 * 60,
            max_sessions_per_user: 10,
            fresh_mfa_secs: 10 * 60,
            logins_per_window: 20,
            login_window_secs: 5 * 60,
            hash_concurrency: cores,
            hash_queue: cores * 16,
            cookie_domain: None,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            audit_retention_days: 400,
            outbox_retention_days: 30,
            max_push_waits: 1000,
            link_days: 7,
        }
    }
}

impl Settings {
    /// Served over TLS: `Secure` and `__Host-` cookies, HSTS.
    pub fn is_https(&self) -> bool {
        self.public_origin.starts_with("https://")
    }
}

/// The WebAuthn relying party of a portal served at `public_origin`: its
/// id (the origin's host name) and its origin. `None` when the host is an
/// IP address or the origin is not an http(s) URL: browsers offer WebAuthn
/// only to sites reached by a domain name (`localhost` counts).
pub fn webauthn_party(public_origin: &str) -> Option<(String, String)> {
    let origin = origin_of(public_origin)?;
    let (_, authority) = origin.split_once("://")?;
    if authority.starts_with('[') {
        return None; // an IPv6 literal
    }
    let host = authority.split(':').next().unwrap_or("");
    if host.is_empty() || host.parse::<IpAddr>().is_ok() {
        return None;
    }
    Some((host.to_string(), origin))
}

/// The origin of a URL: scheme, host and port, lower case, no path or
/// trailing slash; `None` unless it is an http(s) URL.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    // The default port is implied, as browsers write Origin.
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host.to_string(),
        _ => authority,
    };
    Some(format!("{scheme}://{authority}"))
}

/// The cookie domain as kept (lower case, no leading dot), or why it
/// cannot be one: the portal must be served over https (the cookie goes to
/// every server under the domain; over http anyone on the path reads it)
/// from a host under the domain, and the domain must have a dot (a
/// browser refuses a cookie for a whole top-level domain).
pub fn check_cookie_domain(public_origin: &str, domain: &str) -> anyhow::Result<String> {
    let domain = domain.trim().trim_start_matches('.').to_ascii_lowercase();
    let host = public_origin
        .split_once("://")
        .map_or(public_origin, |(_, rest)| rest);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    if !public_origin.starts_with("https://") {
        anyhow::bail!(
            "--cookie-domain needs an https --public-url: the session cookie would go in clear to every server under {domain}"
        );
    }
    let valid = domain.contains('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !valid {
        anyhow::bail!(
            "--cookie-domain {domain:?} is not a domain with at least two labels (example.com)"
        );
    }
    if host != domain && !host.ends_with(&format!(".{domain}")) {
        anyhow::bail!(
            "--cookie-domain {domain:?} must be the portal's own domain or a parent of it ({host})"
        );
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://MFA.example.org/login?x").as_deref(),
            Some("https://mfa.example.org")
        );
        assert_eq!(
            origin_of("http://localhost:8080/").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(
            origin_of("https://a.example:443").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(origin_of("https://user@x"), None);
        assert_eq!(origin_of("localhost:8080"), None);
    }

    #[test]
    fn webauthn_parties() {
        assert_eq!(
            webauthn_party("http://localhost:8080/"),
            Some(("localhost".into(), "http://localhost:8080".into()))
        );
        assert_eq!(
            webauthn_party("https://MFA.example.org"),
            Some(("mfa.example.org".into(), "https://mfa.example.org".into()))
        );
        assert_eq!(webauthn_party("http://127.0.0.1:8080"), None);
        assert_eq!(webauthn_party("http://[::1]:8080"), None);
    }
}
