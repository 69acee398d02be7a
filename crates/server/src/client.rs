//! Who is asking: the client's address (for throttling and the event log)
//! and its user agent (shown later in the list of active sessions).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let ip = match peer {
            Some(peer) => {
                client_ip(peer, &parts.headers, &state.settings.trusted_proxies).to_string()
            }
            None => "unknown".to_string(),
        };
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok(ClientInfo { ip, user_agent })
    }
}

/// The client's address. `X-Forwarded-For` is believed only from a trusted
/// proxy, and only up to the first hop that is not one of ours: anything
/// further left was written by the client and could be anything (a client
/// would otherwise dodge the per-client throttle by inventing addresses).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|s| s.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn xff(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static(v));
        h
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.1");
        // untrusted peer: the header is ignored
        assert_eq!(
            client_ip(ip("198.51.100.7"), &xff("203.0.113.5"), &[proxy]),
            ip("198.51.100.7")
        );
        // trusted proxy: the hop it saw
        assert_eq!(
            client_ip(proxy, &xff("203.0.113.5"), &[proxy]),
            ip("203.0.113.5")
        );
        // a client's invented entries on the left do not count
        assert_eq!(
            client_ip(proxy, &xff("1.2.3.4, 203.0.113.5"), &[proxy]),
            ip("203.0.113.5")
        );
        // chains of our own proxies are skipped
        let inner = ip("10.0.0.2");
        assert_eq!(
            client_ip(inner, &xff("203.0.113.5, 10.0.0.1"), &[proxy, inner]),
            ip("203.0.113.5")
        );
        // no header: the proxy itself
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }
}
