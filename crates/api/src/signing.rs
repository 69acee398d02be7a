//! The one signing scheme of requests that carry no cookie: a Protect
//! device's (`protect`) and an enrolled host's (`portcullis-pam`). Each
//! signs, with its Ed25519 key, a message built here, so the portal and
//! every client build it the same way.

/// What one signed request is made of.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    /// The portal's origin, as the enrollment named it.
    pub portal: &'a str,
    /// The device's or host's id.
    pub signer: &'a str,
    pub method: &'a str,
    /// The path and query, exactly as sent.
    pub target: &'a str,
    /// Unix seconds, in the portal's time.
    pub time: &'a str,
    pub nonce: &'a str,
    /// The lower-case hex SHA-256 of the body (this crate hashes nothing).
    pub body_sha256_hex: &'a str,
}

/// The text signed: the scheme (which also says who signs: a device's
/// signature is no host's), the portal's origin, the signer's id, the
/// method (upper case), the request target, the time, the nonce and the
/// body's digest, one per line without a trailing newline. Naming the
/// portal and the signer means a signature made for one portal, device or
/// host is worth nothing at another.
pub fn message(scheme: &str, p: &Parts<'_>) -> String {
    format!(
        "{scheme}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        p.portal,
        p.signer,
        p.method.to_ascii_uppercase(),
        p.target,
        p.time,
        p.nonce,
        p.body_sha256_hex
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_opens_the_message() {
        let parts = Parts {
            portal: "https://mfa.example.org",
            signer: "h1",
            method: "get",
            target: "/x",
            time: "1",
            nonce: "n",
            body_sha256_hex: "00",
        };
        assert_eq!(
            message("portcullis-host-v1", &parts),
            "portcullis-host-v1\nhttps://mfa.example.org\nh1\nGET\n/x\n1\nn\n00"
        );
    }
}
