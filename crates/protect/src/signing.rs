//! The device's signature over each request, exactly as the contract with
//! the server spells it: five lines joined by "\n" (no trailing newline) —
//! METHOD, PATH?QUERY, TIME, NONCE, lower-case hex SHA-256 of the body —
//! signed with Ed25519 and sent base64url without padding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

pub const DEVICE_HEADER: &str = "x-protect-device";
pub const TIME_HEADER: &str = "x-protect-time";
pub const NONCE_HEADER: &str = "x-protect-nonce";
pub const SIGNATURE_HEADER: &str = "x-protect-signature";

/// The text that is signed. `target` is the path and query exactly as sent.
pub fn message(method: &str, target: &str, time: i64, nonce: &str, body: &[u8]) -> String {
    let body_hash = hex::encode(Sha256::digest(body));
    format!(
        "{}\n{target}\n{time}\n{nonce}\n{body_hash}",
        method.to_ascii_uppercase()
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
pub fn headers(
    key: &SigningKey,
    device_id: &str,
    method: &str,
    target: &str,
    time: i64,
    nonce: &str,
    body: &[u8],
) -> [(&'static str, String); 4] {
    let signature = key.sign(message(method, target, time, nonce, body).as_bytes());
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

    /// method, target, time, nonce, body, the signed text.
    type Case<'a> = (&'a str, &'a str, i64, &'a str, &'a [u8], String);

    #[test]
    fn the_message_is_five_lines_without_a_trailing_newline() {
        let body = br#"{"number":42,"user_verified":true}"#;
        let table: [Case<'_>; 3] = [
            (
                "GET",
                "/api/device/v1/pending?wait=25",
                1_700_000_000,
                "AAAAAAAAAAAAAAAAAAAAAA",
                b"",
                format!(
                    "GET\n/api/device/v1/pending?wait=25\n1700000000\nAAAAAAAAAAAAAAAAAAAAAA\n{EMPTY}"
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
                    "POST\n/api/device/v1/requests/r-1/approve\n5\nnonce-nonce-nonce-1\n{}",
                    hex::encode(Sha256::digest(body))
                ),
            ),
            (
                "GET",
                "/api/device/v1/status",
                0,
                "n",
                b"",
                format!("GET\n/api/device/v1/status\n0\nn\n{EMPTY}"),
            ),
        ];
        for (method, target, time, nonce, body, want) in table {
            assert_eq!(message(method, target, time, nonce, body), want);
        }
        // The hash is lower-case hex of the raw bytes.
        let hash = message("GET", "/", 0, "n", b"abc");
        assert!(hash.ends_with("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    #[test]
    fn the_headers_verify_with_the_enrolled_public_key() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let body = br#"{"number":42,"user_verified":false}"#;
        let target = "/api/device/v1/requests/abc/approve";
        let [device, time, nonce_h, sig] = headers(
            &key,
            "dev-1",
            "POST",
            target,
            1_800_000_000,
            "abcdefghijklmnop",
            body,
        );
        assert_eq!(device, (DEVICE_HEADER, "dev-1".to_string()));
        assert_eq!(time, (TIME_HEADER, "1800000000".to_string()));
        assert_eq!(nonce_h, (NONCE_HEADER, "abcdefghijklmnop".to_string()));
        assert_eq!(sig.0, SIGNATURE_HEADER);
        // base64url without padding: 64 bytes are 86 characters.
        assert_eq!(sig.1.len(), 86);
        assert!(!sig.1.contains(['=', '+', '/']));

        let public = URL_SAFE_NO_PAD
            .decode(public_key_text(&key))
            .unwrap_or_default();
        let public: [u8; 32] = public.try_into().unwrap_or([0; 32]);
        let public =
            ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap_or_else(|e| panic!("{e}"));
        let sig_bytes: [u8; 64] = URL_SAFE_NO_PAD
            .decode(&sig.1)
            .unwrap_or_default()
            .try_into()
            .unwrap_or([0; 64]);
        let signed = message("POST", target, 1_800_000_000, "abcdefghijklmnop", body);
        assert!(public
            .verify(signed.as_bytes(), &Signature::from_bytes(&sig_bytes))
            .is_ok());
        // Any other body, target or time fails.
        let other = message("POST", target, 1_800_000_001, "abcdefghijklmnop", body);
        assert!(public
            .verify(other.as_bytes(), &Signature::from_bytes(&sig_bytes))
            .is_err());
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
