//! Forward-auth: a reverse proxy (nginx `auth_request`, Caddy
//! `forward_auth`, Traefik `ForwardAuth`) asks before each request whether
//! the browser's session may open the address it asked for. The answer
//! comes from the site rule for the address's host: who may open it and
//! what their sign-in must have proved. A browser without a good enough
//! session is sent to the portal ([`start`]), which runs the login or the
//! step-up for the site and then sends it back.
//!
//! This runs on every proxied request: it reads the session, the rule and
//! the user's groups, and writes nothing (the session's idle clock is
//! touched at most once a minute, as for the portal's own requests).

use url::{Host, Url};

use super::{policy, sites, REQUEST_SECS};
use crate::app::AppState;
use crate::auth::session;
use crate::error::Internal;
use crate::rules::app_need::request_hash;
use crate::secret::new_token;
use crate::store;

/// The address the proxy asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As the browser will be sent back to it.
    pub url: String,
    host: String,
    port: Option<u16>,
}

/// Longest address the proxy may ask about.
pub const TARGET_MAX_CHARS: usize = 8000;

impl Target {
    /// The address from the proxy's headers, or why it cannot be used.
    pub fn parse(text: &str) -> Result<Target, String> {
        if text.len() > TARGET_MAX_CHARS {
            return Err(format!(
                "The forwarded address is longer than {TARGET_MAX_CHARS} characters."
            ));
        }
        let url = Url::parse(text).map_err(|_| {
            format!("The forwarded address “{text}” is not a full http(s) address.")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "The forwarded address “{text}” is not http or https."
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("The forwarded address must not hold a user name or password.".into());
        }
        let host = match url.host() {
            Some(Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            _ => {
                return Err(format!(
                    "The forwarded address “{text}” has no host a rule can name."
                ))
            }
        };
        Ok(Target {
            port: url.port_or_known_default(),
            host,
            url: url.into(),
        })
    }

    /// The proxy's headers: `X-Original-URL` (nginx), or the scheme, host
    /// and path in `X-Forwarded-Proto`/`-Host`/`-Uri` (Caddy, Traefik).
    pub fn from_headers(
        original_url: Option<&str>,
        proto: Option<&str>,
        host: Option<&str>,
        uri: Option<&str>,
    ) -> Result<Target, String> {
        if let Some(url) = original_url {
            return Target::parse(url);
        }
        match (proto, host) {
            (Some(proto), Some(host)) => {
                let uri = uri.unwrap_or("/");
                if !uri.starts_with('/') {
                    return Err("X-Forwarded-Uri must start with /.".into());
                }
                Target::parse(&format!("{proto}://{host}{uri}"))
            }
            _ => Err(
                "The proxy sent no address: set X-Original-URL, or X-Forwarded-Proto, \
                 X-Forwarded-Host and X-Forwarded-Uri."
                    .into(),
            ),
        }
    }

    /// The rule domains that may cover this host, most specific first:
    /// the host with its port, the host, then `*.` and each parent (with
    /// the port, then without).
    pub fn candidates(&self) -> Vec<String> {
        let with_port = |d: &str| self.port.map(|p| format!("{d}:{p}"));
        let mut out = Vec::new();
        out.extend(with_port(&self.host));
        out.push(self.host.clone());
        let is_ip = self.host.parse::<std::net::Ipv4Addr>().is_ok();
        let mut rest = self.host.as_str();
        // a host name's parents, up to ten levels
        while let (false, Some((_, parent))) = (is_ip, rest.split_once('.')) {
            let wild = format!("*.{parent}");
            out.extend(with_port(&wild));
            out.push(wild);
            rest = parent;
            if out.len() >= 22 {
                break;
            }
        }
        out
    }
}

/// Who the proxy lets in: the headers the site receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The sign-in name (the email, as `preferred_username` is).
    pub user: String,
    pub email: String,
    pub name: String,
    pub groups: Vec<String>,
}

/// The answer to the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 200 with the identity headers.
    Allow(Identity),
    /// Not signed in, or not strongly enough: to the portal (a redirect
    /// for a page, 401 otherwise), then back.
    SignIn,
    /// 403, in words: no rule, a deny rule, or not assigned.
    Forbidden(String),
}

/// The site rule covering `target`, if any.
pub async fn site_for(
    state: &AppState,
    target: &Target,
) -> Result<Option<store::apps::App>, Internal> {
    let candidates = target.candidates();
    let mut sites = store::apps::sites_for(&state.db, &candidates).await?;
    let rank = |s: &store::apps::App| {
        candidates
            .iter()
            .position(|c| Some(c) == s.domain.as_ref())
            .unwrap_or(usize::MAX)
    };
    sites.sort_by_key(rank);
    Ok(sites.into_iter().next())
}

/// Whether the session behind `cookie` may open `target`.
pub async fn check(
    state: &AppState,
    target: &Target,
    cookie: Option<&str>,
) -> Result<Verdict, Internal> {
    let Some(site) = site_for(state, target).await? else {
        return Ok(Verdict::Forbidden(format!(
            "No rule lets anyone open {}: an administrator adds one under Apps.",
            target.host
        )));
    };
    let Some(needs) = sites::policy_of(&site) else {
        return Ok(Verdict::Forbidden(format!(
            "{} is closed to everyone.",
            site.name
        )));
    };
    let now = state.now();
    let session = match cookie {
        Some(c) => session::lookup(&state.db, &state.settings, c, now).await?,
        None => None,
    };
    let Some(session) = session.filter(|s| s.signed_in) else {
        return Ok(Verdict::SignIn);
    };
    let Some(user) = store::users::find_by_id(&state.db, &session.user_id).await? else {
        return Ok(Verdict::SignIn);
    };
    if !site.everyone && !store::apps::is_assigned(&state.db, &site.id, &user.id).await? {
        return Ok(Verdict::Forbidden(format!(
            "{} may not open {}: ask your administrator for access.",
            user.email, site.name
        )));
    }
    if !policy::satisfied(needs, &session.proof) {
        return Ok(Verdict::SignIn);
    }
    let groups = store::groups::of_user(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    Ok(Verdict::Allow(Identity {
        user: user.email.clone(),
        email: user.email,
        name: user.display_name,
        groups,
    }))
}

/// A sign-in for the site at `rd` (the address the browser wanted): the
/// id of the request the portal's `/sso/{id}` page walks, or why there is
/// none. Only an address a rule lets someone open is accepted, so this is
/// never an open redirect.
pub async fn start(state: &AppState, rd: &str) -> Result<Result<String, String>, Internal> {
    let target = match Target::parse(rd) {
        Ok(t) => t,
        Err(words) => return Ok(Err(words)),
    };
    let Some(site) = site_for(state, &target).await? else {
        return Ok(Err(format!(
            "{} is not a site this portal signs people in to.",
            target.host
        )));
    };
    if sites::policy_of(&site).is_none() {
        return Ok(Err(format!("{} is closed to everyone.", site.name)));
    }
    let id = new_token();
    let now = state.now();
    store::sso::insert_request(
        &state.db,
        &store::sso::Request {
            id_hash: request_hash(state, &id),
            app_id: site.id,
            redirect_uri: target.url,
            scope: String::new(),
            state: None,
            nonce: None,
            code_challenge: None,
            prompt: None,
            max_age: None,
            login_hint: None,
            created_at: now,
            expires_at: now + REQUEST_SECS,
        },
    )
    .await?;
    Ok(Ok(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_comes_from_either_kind_of_proxy() {
        let nginx =
            Target::from_headers(Some("http://Wiki.Example.com:8080/a?b=1"), None, None, None);
        let caddy = Target::from_headers(
            None,
            Some("http"),
            Some("wiki.example.com:8080"),
            Some("/a?b=1"),
        );
        assert_eq!(nginx, caddy);
        let t = nginx.as_ref().map_err(String::as_str);
        assert_eq!(
            t.map(|t| t.url.as_str()),
            Ok("http://wiki.example.com:8080/a?b=1")
        );
        assert!(Target::from_headers(None, None, Some("wiki.example.com"), None).is_err());
        assert!(Target::from_headers(None, Some("http"), Some("a.example"), Some("x")).is_err());
        for bad in [
            "javascript:alert(1)",
            "/relative",
            "https://u:p@a.example/",
            "http://[::1]/",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn candidates_run_from_the_host_to_its_parents() {
        let t = Target::parse("https://a.b.example.com/").map_err(|e| e.to_string());
        let c = t.map(|t| t.candidates());
        assert_eq!(
            c,
            Ok(vec![
                "a.b.example.com:443".to_string(),
                "a.b.example.com".into(),
                "*.b.example.com:443".into(),
                "*.b.example.com".into(),
                "*.example.com:443".into(),
                "*.example.com".into(),
                "*.com:443".into(),
                "*.com".into(),
            ])
        );
        let ip = Target::parse("http://127.0.0.1:8081/x").map(|t| t.candidates());
        assert_eq!(
            ip,
            Ok(vec!["127.0.0.1:8081".to_string(), "127.0.0.1".into()])
        );
    }
}
