//! The enrollment link the portal shows as a QR code:
//! `portcullis-protect://enroll?portal=<percent-encoded origin>&token=<43 chars>`.

use url::Url;

use crate::Error;

pub const SCHEME: &str = "portcullis-protect";

/// A parsed enrollment link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollLink {
    /// The portal's origin, `http(s)://host[:port]`, no trailing slash.
    pub portal: String,
    /// The one-time token (43 characters of base64url: 256 random bits).
    pub token: String,
}

impl EnrollLink {
    pub fn parse(text: &str) -> Result<EnrollLink, Error> {
        let bad = |why: &str| Error::BadLink(why.to_string());
        let text = text.trim();
        if text.is_empty() {
            return Err(bad("The enrollment link is empty."));
        }
        // People scan the wrong code: the portal's authenticator-app QR code
        // looks the same, so name it instead of a generic refusal.
        if text.to_ascii_lowercase().starts_with("otpauth:") {
            return Err(bad(
                "This is an authenticator-app (TOTP) link, not a Protect enrollment link. \
                 Use \"Set up Protect push\" on the portal's Security page.",
            ));
        }
        let not_ours = || {
            bad(
                "This is not a Protect enrollment link: it should start with \
                 portcullis-protect://enroll? (copy it again from the portal's Security page).",
            )
        };
        let url = Url::parse(text).map_err(|_| not_ours())?;
        if url.scheme() != SCHEME || url.host_str() != Some("enroll") {
            return Err(not_ours());
        }
        let mut portal = None;
        let mut token = None;
        for (name, value) in url.query_pairs() {
            let slot = match name.as_ref() {
                "portal" => &mut portal,
                "token" => &mut token,
                // Later portals may add fields (unified mode's TOTP key); an
                // older client must still enroll for push.
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(bad(&format!(
                    "The enrollment link has \"{name}\" twice; copy it again from the portal."
                )));
            }
        }
        let portal = portal.ok_or_else(|| {
            bad("The enrollment link has no portal address; copy it again from the portal.")
        })?;
        let token = token.ok_or_else(|| {
            bad("The enrollment link has no token; copy it again from the portal.")
        })?;
        Ok(EnrollLink {
            portal: origin(&portal)?,
            token: checked_token(token)?,
        })
    }
}

/// The portal address as an origin, refusing anything that is not plain
/// http(s): requests are signed over the path, so a portal "under" a path
/// or with a query would sign something other than what the server sees.
fn origin(portal: &str) -> Result<String, Error> {
    let bad = || {
        Error::BadLink(format!(
            "The portal address in the enrollment link ({portal:?}) is not an http(s) origin \
             such as https://mfa.example.org."
        ))
    };
    let url = Url::parse(portal).map_err(|_| bad())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !plain {
        return Err(bad());
    }
    let origin = url.origin().ascii_serialization();
    check_transport(&url).map_err(Error::BadLink)?;
    Ok(origin)
}

/// Refuses a portal reached over plain http:// unless it is this machine
/// (localhost, 127.0.0.1, [::1]): the enrollment token and every answer
/// would cross the network readable and changeable by anyone in between.
pub fn check_transport(url: &Url) -> Result<(), String> {
    if url.scheme() != "http" {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(url::Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        None => false,
    };
    if loopback {
        return Ok(());
    }
    Err(format!(
        "The portal address {} uses http://, which is not encrypted: the enrollment token and \
         the pushes would travel readable by anyone on the way. Protect accepts http:// only for \
         localhost, 127.0.0.1 and [::1]; ask for the portal's https:// address.",
        url.origin().ascii_serialization()
    ))
}

fn checked_token(token: String) -> Result<String, Error> {
    let base64url = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    // A cut-off copy is the likely mistake: say so rather than let the
    // portal answer "expired or used".
    if token.len() != 43 || !base64url {
        return Err(Error::BadLink(
            "The token in the enrollment link is incomplete or damaged; copy the whole link \
             again from the portal."
                .to_string(),
        ));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

    fn link(query: &str) -> String {
        format!("portcullis-protect://enroll?{query}")
    }

    #[test]
    fn good_links_give_the_origin_and_the_token() {
        assert_eq!(TOKEN.len(), 43);
        let table = [
            (
                link(&format!(
                    "portal=http%3A%2F%2Flocalhost%3A8080&token={TOKEN}"
                )),
                "http://localhost:8080",
            ),
            // Order, a trailing slash, upper case, blanks around and
            // unknown fields do not matter.
            (
                link(&format!(
                    "token={TOKEN}&portal=https%3A%2F%2FMFA.Example.org%2F"
                )),
                "https://mfa.example.org",
            ),
            (
                format!(
                    "  {}\n",
                    link(&format!(
                        "portal=https://mfa.example.org:8443&token={TOKEN}&totp=x"
                    ))
                ),
                "https://mfa.example.org:8443",
            ),
            (
                link(&format!(
                    "portal=https%3A%2F%2Fmfa.example.org%3A443&token={TOKEN}"
                )),
                "https://mfa.example.org",
            ),
            // http:// only for this machine.
            (
                link(&format!(
                    "portal=http%3A%2F%2F127.0.0.1%3A9000&token={TOKEN}"
                )),
                "http://127.0.0.1:9000",
            ),
            (
                link(&format!(
                    "portal=http%3A%2F%2F%5B%3A%3A1%5D%3A9000&token={TOKEN}"
                )),
                "http://[::1]:9000",
            ),
            (
                link(&format!("portal=http%3A%2F%2FLocalHost&token={TOKEN}")),
                "http://localhost",
            ),
        ];
        for (text, portal) in table {
            let got = EnrollLink::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                got,
                EnrollLink {
                    portal: portal.to_string(),
                    token: TOKEN.to_string()
                },
                "{text}"
            );
        }
    }

    #[test]
    fn bad_links_are_refused_in_words() {
        let table = [
            (String::new(), "empty"),
            ("hello".to_string(), "not a Protect enrollment link"),
            (
                "otpauth://totp/Portcullis:ada?secret=ABC&issuer=Portcullis".to_string(),
                "authenticator-app (TOTP) link",
            ),
            (
                format!("https://mfa.example.org/enroll?portal=x&token={TOKEN}"),
                "not a Protect enrollment link",
            ),
            (
                format!("portcullis-protect://pair?portal=http%3A%2F%2Fa.b&token={TOKEN}"),
                "not a Protect enrollment link",
            ),
            (link(&format!("token={TOKEN}")), "no portal address"),
            (link("portal=http%3A%2F%2Fa.example"), "no token"),
            (
                link(&format!("portal=ftp%3A%2F%2Fa.example&token={TOKEN}")),
                "not an http(s) origin",
            ),
            (
                link(&format!("portal=http%3A%2F%2Fa.example%2Fmfa&token={TOKEN}")),
                "not an http(s) origin",
            ),
            (
                link(&format!("portal=localhost%3A8080&token={TOKEN}")),
                "not an http(s) origin",
            ),
            (
                link(&format!("portal=http%3A%2F%2Fmfa.example.org&token={TOKEN}")),
                "uses http://, which is not encrypted",
            ),
            (
                link(&format!("portal=http%3A%2F%2F192.168.1.10%3A8080&token={TOKEN}")),
                "only for localhost, 127.0.0.1 and [::1]",
            ),
            (
                link(&format!("portal=http%3A%2F%2F127.0.0.2&token={TOKEN}")),
                "uses http://",
            ),
            (
                link(&format!("portal=http%3A%2F%2Flocalhost.evil.example&token={TOKEN}")),
                "uses http://",
            ),
            (
                link(&format!("portal=https%3A%2F%2Fa.example&token={}", &TOKEN[..30])),
                "incomplete or damaged",
            ),
            (
                link("portal=https%3A%2F%2Fa.example&token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde"),
                "incomplete or damaged",
            ),
            (
                link(&format!(
                    "portal=http%3A%2F%2Fa.example&token={TOKEN}&token={TOKEN}"
                )),
                "\"token\" twice",
            ),
        ];
        for (text, words) in table {
            match EnrollLink::parse(&text) {
                Err(Error::BadLink(m)) => assert!(m.contains(words), "{text}: {m}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
