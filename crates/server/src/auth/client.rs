//! Who is asking: the client's address as the throttle and the audit log
//! see it. Pure functions; `http::extract` feeds them the peer and headers.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The client of a request.
#[derive(Debug, Clone)]
pub struct Client {
    /// The address, as written in the audit log and the sessions list.
    pub ip: String,
    /// What per-client throttling counts by: the address, or its /64 for
    /// IPv6 (one customer usually holds a whole /64 and could otherwise
    /// step through 2^64 addresses to dodge the count).
    pub key: String,
    pub user_agent: String,
}

impl Client {
    pub fn new(ip: Option<IpAddr>, user_agent: &str) -> Self {
        match ip {
            Some(ip) => Client {
                ip: canonical(ip).to_string(),
                key: throttle_key(ip),
                user_agent: truncate(user_agent, 256).to_string(),
            },
            None => Client {
                ip: "unknown".to_string(),
                key: "unknown".to_string(),
                user_agent: truncate(user_agent, 256).to_string(),
            },
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The key per-client throttling counts by: an IPv4 address as it is, an
/// IPv6 address by its /64 network.
pub fn throttle_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
    }
}

/// The client's address. `X-Forwarded-For` is believed only from a trusted
/// proxy, and read from the right: each trusted proxy appends the address
/// it saw, so the first entry from the right that is not one of ours is the
/// client. Anything further left was written by the client itself and could
/// be anything (a client would otherwise dodge the per-client throttle by
/// inventing addresses). Entries may carry a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:443`); an entry that is not an address stops the walk at
/// the last trusted hop.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpAddr],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.contains(&canonical(*ip)) || trusted.contains(ip);
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        match parse_entry(entry) {
            Some(ip) if is_trusted(&ip) => nearest = ip,
            Some(ip) => return canonical(ip),
            None => return nearest,
        }
    }
    nearest
}

/// One `X-Forwarded-For` entry: an address, with or without a port.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let e = entry.trim();
    e.parse::<IpAddr>()
        .ok()
        .or_else(|| e.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            // "[2001:db8::1]" without a port
            e.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn from(peer: &str, xff: &[&'static str], trusted: &[&str]) -> IpAddr {
        let trusted: Vec<IpAddr> = trusted.iter().map(|t| ip(t)).collect();
        client_ip(ip(peer), xff.iter().copied(), &trusted)
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies_read_from_the_right() {
        // untrusted peer: the header is ignored
        assert_eq!(
            from("198.51.100.7", &["203.0.113.5"], &["10.0.0.1"]),
            ip("198.51.100.7")
        );
        // trusted proxy: the hop it saw
        assert_eq!(
            from("10.0.0.1", &["203.0.113.5"], &["10.0.0.1"]),
            ip("203.0.113.5")
        );
        // a client's invented entries on the left do not count
        assert_eq!(
            from("10.0.0.1", &["1.2.3.4, 203.0.113.5"], &["10.0.0.1"]),
            ip("203.0.113.5")
        );
        // chains of our own proxies are skipped, also across header lines
        assert_eq!(
            from(
                "10.0.0.2",
                &["6.6.6.6, 203.0.113.5", "10.0.0.1"],
                &["10.0.0.1", "10.0.0.2"]
            ),
            ip("203.0.113.5")
        );
        // no header: the proxy itself
        assert_eq!(from("10.0.0.1", &[], &["10.0.0.1"]), ip("10.0.0.1"));
    }

    #[test]
    fn entries_with_ports_and_garbage() {
        let t = ["10.0.0.1"];
        assert_eq!(
            from("10.0.0.1", &["203.0.113.5:5678"], &t),
            ip("203.0.113.5")
        );
        assert_eq!(
            from("10.0.0.1", &["[2001:db8::7]:443"], &t),
            ip("2001:db8::7")
        );
        assert_eq!(from("10.0.0.1", &["[2001:db8::7]"], &t), ip("2001:db8::7"));
        assert_eq!(from("10.0.0.1", &["2001:db8::7"], &t), ip("2001:db8::7"));
        // garbage stops the walk at the nearest trusted hop
        assert_eq!(
            from("10.0.0.1", &["203.0.113.5, not-an-ip"], &t),
            ip("10.0.0.1")
        );
        // but garbage to the left of the client is never reached
        assert_eq!(
            from("10.0.0.1", &["junk, 203.0.113.5"], &t),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(throttle_key(ip("203.0.113.5")), "203.0.113.5");
        let a = throttle_key(ip("2001:db8:1:2:aaaa::1"));
        let b = throttle_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        let c = throttle_key(ip("2001:db8:1:3::1"));
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(throttle_key(ip("::ffff:203.0.113.5")), "203.0.113.5");
    }
}
