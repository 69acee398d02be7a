//! Protect push, the pure rules: the enrollment link, the signed message a
//! device's request carries and its check, the number to match, a push's
//! life (60 s) and how its status reads. No SQL, no axum.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use portcullis_api::protect::PushStatus;
use portcullis_api::Role;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::clock::Timestamp;

/// How long a push waits for the device's answer.
pub const PUSH_SECS: i64 = 60;
/// How long an enrollment link (QR code) works.
pub const ENROLL_SECS: i64 = 600;
/// How far a signed request's time may be from the server's clock.
pub const SIGNATURE_WINDOW_SECS: i64 = 300;
/// How long a nonce is remembered: longer than any time the window still
/// accepts for the request that carried it, so it cannot be replayed.
pub const NONCE_KEEP_SECS: i64 = 2 * SIGNATURE_WINDOW_SECS;
/// The longest long-poll (device's pending list, browser's wait).
pub const MAX_WAIT_SECS: u64 = 30;
/// The scheme and host of the enrollment link.
pub const ENROLL_URI_PREFIX: &str = "portcullis-protect://enroll";
/// The context of the enrollment token's keyed hash.
pub const TOKEN_CONTEXT: &str = "protect-enrollment";

use portcullis_api::protect::DEVICE_FIELD_MAX_CHARS as FIELD_MAX_CHARS;

pub const LINK_INVALID: &str = "This enrollment link has expired or was used already. Show a new \
     QR code on the Security page.";
pub const NOT_ENROLLED: &str =
    "This device is not enrolled any more (it was removed or replaced). \
     Enroll it again from the portal's Security page.";

/// The resource a login reaches, as the device shows it.
pub fn resource_for(role: Role) -> &'static str {
    if role.is_admin() {
        "Admin Portal"
    } else {
        "User Portal"
    }
}

/// A number to match, 10..=99, uniformly.
pub fn new_number() -> i64 {
    // Draws past the last whole multiple of 90 are drawn again, so every
    // number is as likely as the others.
    let zone = u32::MAX - u32::MAX % 90;
    loop {
        let n = OsRng.next_u32();
        if n < zone {
            return 10 + i64::from(n % 90);
        }
    }
}

/// A fresh enrollment token: 256 random bits, base64url (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The link the QR code carries.
pub fn enrollment_uri(portal: &str, token: &str) -> String {
    format!(
        "{ENROLL_URI_PREFIX}?portal={}&token={}",
        percent_encode(portal),
        percent_encode(token)
    )
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a device's request says about itself in its headers.
#[derive(Debug, Clone)]
pub struct Signed<'a> {
    pub device_id: &'a str,
    pub time: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
}

/// The message a device signs: method, request target, time, nonce and the
/// body's SHA-256 (hex), one per line.
pub fn signed_message(method: &str, target: &str, time: &str, nonce: &str, body: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(body));
    format!(
        "{}\n{target}\n{time}\n{nonce}\n{digest}",
        method.to_ascii_uppercase()
    )
}

/// Why a signed request's headers are refused before any key is looked at.
pub fn check_headers(s: &Signed<'_>, now: Timestamp) -> Result<(), &'static str> {
    if s.device_id.is_empty() || s.device_id.len() > 64 {
        return Err("The request lacks a valid x-protect-device header.");
    }
    let ok_nonce = (16..=64).contains(&s.nonce.len())
        && s.nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok_nonce {
        return Err("The request's x-protect-nonce must be 16 to 64 letters, digits, - or _.");
    }
    let Ok(time) = s.time.parse::<i64>() else {
        return Err("The request's x-protect-time must be Unix seconds.");
    };
    if (time - now).abs() > SIGNATURE_WINDOW_SECS {
        return Err(
            "The request's time is more than 5 minutes from the server's clock: \
             check the device's clock.",
        );
    }
    Ok(())
}

/// Whether `signature` (base64url) is `public_key`'s (base64url) over `message`.
pub fn verify(public_key: &str, message: &str, signature: &str) -> bool {
    let Some(key) = public_key_of(public_key) else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(signature.trim_end_matches('=')) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify(message.as_bytes(), &sig).is_ok()
}

/// An Ed25519 public key from its base64url form, if it is one.
pub fn public_key_of(b64: &str) -> Option<VerifyingKey> {
    let bytes = URL_SAFE_NO_PAD.decode(b64.trim_end_matches('=')).ok()?;
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// A device field as stored: trimmed, present, not too long, one line.
pub fn field(value: &str, what: &'static str) -> Result<String, &'static str> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > FIELD_MAX_CHARS || v.chars().any(char::is_control) {
        return Err(what);
    }
    Ok(v.to_string())
}

/// A push's status as it reads now: a pending one past its expiry is
/// expired, whether or not anyone marked it yet.
pub fn status_now(stored: &str, expires_at: Timestamp, now: Timestamp) -> PushStatus {
    match stored {
        "approved" => PushStatus::Approved,
        "denied" => PushStatus::Denied,
        "cancelled" => PushStatus::Cancelled,
        "expired" => PushStatus::Expired,
        _ if now >= expires_at => PushStatus::Expired,
        _ => PushStatus::Pending,
    }
}

/// What the browser's wait says beside a status.
pub fn words(status: PushStatus) -> Option<&'static str> {
    match status {
        PushStatus::Pending | PushStatus::Approved => None,
        PushStatus::Denied => Some(
            "The push was denied on your Protect device. Send another push, or use another factor.",
        ),
        PushStatus::Expired => Some(
            "The push expired before it was answered. Send another push, or use another factor.",
        ),
        PushStatus::Cancelled => Some("This push was cancelled."),
    }
}

/// The message of a push refused because one is still outstanding.
pub fn busy_words(secs: i64) -> String {
    format!(
        "A push was sent to your Protect device less than a minute ago and is still waiting \
         for an answer: answer it on the device, or send another in {secs} second{}.",
        if secs == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    #[test]
    fn numbers_are_two_digits() {
        for _ in 0..2000 {
            assert!((10..=99).contains(&new_number()));
        }
    }

    #[test]
    fn the_link_carries_the_portal_and_the_token() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        let uri = enrollment_uri("http://localhost:8080", &token);
        assert_eq!(
            uri,
            format!(
                "portcullis-protect://enroll?portal=http%3A%2F%2Flocalhost%3A8080&token={token}"
            )
        );
    }

    #[test]
    fn the_message_is_five_lines() {
        let m = signed_message(
            "get",
            "/api/device/v1/pending?wait=25",
            "1700000000",
            "n",
            b"",
        );
        assert_eq!(
            m,
            "GET\n/api/device/v1/pending?wait=25\n1700000000\nn\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn signatures_check_out_only_for_their_key_and_message() {
        let key = SigningKey::generate(&mut OsRng);
        let public = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
        let sig = URL_SAFE_NO_PAD.encode(key.sign(b"hello").to_bytes());
        assert!(verify(&public, "hello", &sig));
        assert!(!verify(&public, "hello!", &sig));
        let other = SigningKey::generate(&mut OsRng);
        let other = URL_SAFE_NO_PAD.encode(other.verifying_key().to_bytes());
        assert!(!verify(&other, "hello", &sig));
        assert!(!verify(&public, "hello", "not base64!"));
        assert!(!verify("short", "hello", &sig));
    }

    #[test]
    fn headers() {
        let ok = Signed {
            device_id: "d",
            time: "1000",
            nonce: "abcdefghijklmnop",
            signature: "",
        };
        assert!(check_headers(&ok, 1000 + SIGNATURE_WINDOW_SECS).is_ok());
        assert!(check_headers(&ok, 1000 - SIGNATURE_WINDOW_SECS).is_ok());
        assert!(check_headers(&ok, 1001 + SIGNATURE_WINDOW_SECS).is_err());
        let short = Signed {
            nonce: "abc",
            ..ok.clone()
        };
        assert!(check_headers(&short, 1000).is_err());
        let odd = Signed {
            nonce: "abcdefghijklmno/",
            ..ok.clone()
        };
        assert!(check_headers(&odd, 1000).is_err());
        let time = Signed { time: "soon", ..ok };
        assert!(check_headers(&time, 1000).is_err());
    }

    #[test]
    fn pending_reads_as_expired_after_its_minute() {
        assert_eq!(status_now("pending", 100, 99), PushStatus::Pending);
        assert_eq!(status_now("pending", 100, 100), PushStatus::Expired);
        assert_eq!(status_now("approved", 100, 200), PushStatus::Approved);
    }
}
