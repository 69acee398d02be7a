//! The device's signature over each request, exactly as the contract with
//! the server spells it (`portcullis_api::protect::signed_message`, shared
//! with the portal): eight lines joined by "\n" (no trailing newline) —
//! the scheme, the portal's origin, the device's id, METHOD, PATH?QUERY,
//! TIME, NONCE, lower-case hex SHA-256 of the body — signed with Ed25519
//! and sent base64url without padding. Naming the portal and the device
//! keeps a signature from being replayed at another portal or for another
//! device.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub const DEVICE_HEADER: &str = "x-protect-device";
pub const TIME_HEADER: &str = "x-protect-time";
pub const NONCE_HEADER: &str = "x-protect-nonce";
pub const SIGNATURE_HEADER: &str = "x-protect-signature";

/// The text that is signed. `portal` is the portal's origin (as the
/// enrollment link named it), `target` the path and query exactly as sent.
pub fn message(
    portal: &str,
    device_id: &str,
    method: &str,
    target: &str,
    time: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    let body_hash = hex::encode(Sha256::digest(body));
    portcullis_api::protect::signed_message(
        portal,
        device_id,
        method,
        target,
        &time.to_string(),
        nonce,
        &body_hash,
    )
}

/// A fresh nonce: 16 random bytes, 22 base64url characters (the server
/// takes 16 to 64 of `[A-Za-z0-9_-]`).
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The four headers of a signed request, as (name, value).
#[allow(clippy::too_many_arguments)] // the parts of one signed request
pub fn headers(
    key: &SigningKey,
    portal: &str,
    device_id: &str,
    method: &str,
    target: &str,
    time: i64,
    nonce: &str,
    body: &[u8],
) -> [(&'static str, String); 4] {
    let signed = message(portal, device_id, method, target, time, nonce, body);
    let signature = key.sign(signed.as_bytes());
    [
        (DEVICE_HEADER, device_id.to_string()),
        (TIME_HEADER, time.to_string()),
        (NONCE_HEADER, nonce.to_string()),
        (
            SIGNATURE_HEADER,
            URL_SAFE_NO_PAD.encode(signature.to_bytes()),
        ),
    ]
}

/// The public key as the enrollment request carries it.
pub fn public_key_text(key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier};

    // SHA-256 of the empty string.
    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const PORTAL: &str = "https://mfa.example.org";

    /// method, target, time, nonce, body, the signed text.
    type Case<'a> = (&'a str, &'a str, i64, &'a str, &'a [u8], String);

    #[test]
    fn the_message_names_portal_and_device_then_the_request() {
        let body = br#"{"number":42,"user_verified":true}"#;
        let head = "portcullis-protect-v2\nhttps://mfa.example.org\ndev-1";
        let table: [Case<'_>; 3] = [
            (
                "GET",
                "/api/device/v1/pending?wait=25",
                1_700_000_000,
                "AAAAAAAAAAAAAAAAAAAAAA",
                b"",
                format!(
                    "{head}\nGET\n/api/device/v1/pending?wait=25\n1700000000\nAAAAAAAAAAAAAAAAAAAAAA\n{EMPTY}"
                ),
            ),
            (
                // The method is upper case whatever the caller wrote.
                "post",
                "/api/device/v1/requests/r-1/approve",
                5,
                "nonce-nonce-nonce-1",
                body,
                format!(
                    "{head}\nPOST\n/api/device/v1/requests/r-1/approve\n5\nnonce-nonce-nonce-1\n{}",
                    hex::encode(Sha256::digest(body))
                ),
            ),
            (
                "GET",
                "/api/device/v1/status",
                0,
                "n",
                b"",
                format!("{head}\nGET\n/api/device/v1/status\n0\nn\n{EMPTY}"),
            ),
        ];
        for (method, target, time, nonce, body, want) in table {
            assert_eq!(
                message(PORTAL, "dev-1", method, target, time, nonce, body),
                want
            );
        }
        // The hash is lower-case hex of the raw bytes.
        let hash = message(PORTAL, "dev-1", "GET", "/", 0, "n", b"abc");
        assert!(hash.ends_with("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    fn verifies(key: &SigningKey, signed: &str, sig: &str) -> bool {
        let public = key.verifying_key();
        let sig_bytes: [u8; 64] = URL_SAFE_NO_PAD
            .decode(sig)
            .unwrap_or_default()
            .try_into()
            .unwrap_or([0; 64]);
        public
            .verify(signed.as_bytes(), &Signature::from_bytes(&sig_bytes))
            .is_ok()
    }

    #[test]
    fn the_headers_verify_only_for_their_portal_device_and_request() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let body = br#"{"number":42,"user_verified":false}"#;
        let target = "/api/device/v1/requests/abc/approve";
        let nonce = "abcdefghijklmnop";
        let [device, time, nonce_h, sig] = headers(
            &key,
            PORTAL,
            "dev-1",
            "POST",
            target,
            1_800_000_000,
            nonce,
            body,
        );
        assert_eq!(device, (DEVICE_HEADER, "dev-1".to_string()));
        assert_eq!(time, (TIME_HEADER, "1800000000".to_string()));
        assert_eq!(nonce_h, (NONCE_HEADER, nonce.to_string()));
        assert_eq!(sig.0, SIGNATURE_HEADER);
        // base64url without padding: 64 bytes are 86 characters.
        assert_eq!(sig.1.len(), 86);
        assert!(!sig.1.contains(['=', '+', '/']));
        assert_eq!(public_key_text(&key).len(), 43);

        let signed = message(PORTAL, "dev-1", "POST", target, 1_800_000_000, nonce, body);
        assert!(verifies(&key, &signed, &sig.1));
        // Any other portal, device, body, target or time fails.
        let others = [
            message(
                "https://evil.example",
                "dev-1",
                "POST",
                target,
                1_800_000_000,
                nonce,
                body,
            ),
            message(PORTAL, "dev-2", "POST", target, 1_800_000_000, nonce, body),
            message(PORTAL, "dev-1", "POST", target, 1_800_000_001, nonce, body),
            message(
                PORTAL,
                "dev-1",
                "POST",
                "/api/device/v1/requests/abd/approve",
                1_800_000_000,
                nonce,
                body,
            ),
            message(PORTAL, "dev-1", "POST", target, 1_800_000_000, nonce, b"{}"),
        ];
        for other in others {
            assert!(!verifies(&key, &other, &sig.1), "{other}");
        }
    }

    #[test]
    fn nonces_are_fresh_and_in_the_allowed_alphabet() {
        let (a, b) = (nonce(), nonce());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
