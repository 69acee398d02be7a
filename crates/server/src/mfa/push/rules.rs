//! Protect push, the pure rules: the enrollment link, the signed message a
//! device's request carries and its check, the number to match, a push's
//! life (60 s) and how its status reads. No SQL, no axum.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use portcullis_api::protect::PushStatus;
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

/// The portal's origin as devices know it (the link's `portal`, the
/// enrollment's answer) and sign it: the public origin, normalised.
pub fn portal(settings: &crate::config::Settings) -> String {
    crate::config::origin_of(&settings.public_origin)
        .unwrap_or_else(|| settings.public_origin.clone())
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
pub use crate::secret::new_token;

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

/// The message a device signs (`portcullis_api::protect::signed_message`:
/// the scheme, the portal's origin, the device's id, method, request
/// target, time, nonce and the body's SHA-256), with the body hashed here.
pub fn signed_message(
    portal: &str,
    device_id: &str,
    method: &str,
    target: &str,
    time: &str,
    nonce: &str,
    body: &[u8],
) -> String {
    let digest = hex::encode(Sha256::digest(body));
    portcullis_api::protect::signed_message(portal, device_id, method, target, time, nonce, &digest)
}

/// How a refusal of a signed request's headers names them: the device's
/// headers and the host's differ.
pub struct HeaderWords {
    pub signer: &'static str,
    pub nonce: &'static str,
    pub time: &'static str,
    pub window: &'static str,
}

/// A Protect device's headers.
pub const DEVICE_WORDS: HeaderWords = HeaderWords {
    signer: "The request lacks a valid x-protect-device header.",
    nonce: "The request's x-protect-nonce must be 16 to 64 letters, digits, - or _.",
    time: "The request's x-protect-time must be Unix seconds (digits only).",
    window: "The request's time is more than 5 minutes from the server's clock: \
             check the device's clock.",
};

/// Why a device's signed request is refused before any key is looked at.
pub fn check_headers(s: &Signed<'_>, now: Timestamp) -> Result<(), &'static str> {
    check_signed(s, now, &DEVICE_WORDS)
}

/// Why a signed request's headers are refused before any key is looked
/// at (device or host), in `words`.
pub fn check_signed(
    s: &Signed<'_>,
    now: Timestamp,
    words: &HeaderWords,
) -> Result<(), &'static str> {
    if s.device_id.is_empty() || s.device_id.len() > 64 {
        return Err(words.signer);
    }
    let ok_nonce = (16..=64).contains(&s.nonce.len())
        && s.nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok_nonce {
        return Err(words.nonce);
    }
    // Digits only (no sign): a negative or absurdly long time is a
    // malformed header, not a clock that is off.
    let time = match s.time.parse::<u64>() {
        Ok(t) if !s.time.starts_with('+') => t,
        _ => return Err(words.time),
    };
    // `abs_diff` cannot overflow, whatever the header says.
    if time.abs_diff(now.max(0).unsigned_abs()) > SIGNATURE_WINDOW_SECS.unsigned_abs() {
        return Err(words.window);
    }
    Ok(())
}

/// Whether `signature` (base64url) is `public_key`'s (base64url) over
/// `message`, by the strict check: no small-order key or signature
/// component, no non-canonical encoding, so one signature cannot be
/// bent into another valid one.
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
    key.verify_strict(message.as_bytes(), &sig).is_ok()
}

/// An Ed25519 public key from its base64url form, if it is one.
pub fn public_key_of(b64: &str) -> Option<VerifyingKey> {
    let bytes = URL_SAFE_NO_PAD.decode(b64.trim_end_matches('=')).ok()?;
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Why a public key offered at enrollment is refused: not an Ed25519 key,
/// or a weak one (of small order: a signature by it proves nothing, as
/// many messages verify under it).
pub fn enrollment_key(b64: &str) -> Result<VerifyingKey, &'static str> {
    let key = public_key_of(b64)
        .ok_or("public_key must be the base64url form of a 32-byte Ed25519 public key.")?;
    if key.is_weak() {
        return Err(
            "public_key is a weak Ed25519 key (of small order), which proves nothing: \
             generate a new key pair on the device.",
        );
    }
    Ok(key)
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
    fn the_message_names_portal_and_device_and_hashes_the_body() {
        let m = signed_message(
            "http://localhost:8080",
            "d1",
            "get",
            "/api/device/v1/pending?wait=25",
            "1700000000",
            "n",
            b"",
        );
        assert_eq!(
            m,
            "portcullis-protect-v2\nhttp://localhost:8080\nd1\n\
             GET\n/api/device/v1/pending?wait=25\n1700000000\nn\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn weak_keys_are_refused_at_enrollment() {
        // The identity point (order 1) and a point of order 8.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let order_eight: [u8; 32] = [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
            0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
            0x92, 0xac, 0x03, 0x7a,
        ];
        for weak in [identity, order_eight] {
            let b64 = URL_SAFE_NO_PAD.encode(weak);
            assert!(public_key_of(&b64).is_some(), "it decodes");
            let refused = enrollment_key(&b64).err().unwrap_or_default();
            assert!(refused.contains("weak"), "{refused}");
        }
        let good = SigningKey::generate(&mut OsRng);
        assert!(enrollment_key(&URL_SAFE_NO_PAD.encode(good.verifying_key().to_bytes())).is_ok());
        assert!(enrollment_key("short").is_err());
    }

    #[test]
    fn a_signature_by_a_weak_key_is_not_taken() {
        // Under the identity key, the signature (R = identity, s = 0)
        // satisfies the lax equation for every message; the strict check
        // refuses it.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let public = URL_SAFE_NO_PAD.encode(identity);
        let mut sig = [0u8; 64];
        sig[0] = 1;
        let sig = URL_SAFE_NO_PAD.encode(sig);
        assert!(!verify(&public, "anything", &sig));
        assert!(!verify(&public, "anything else", &sig));
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
        for bad in ["soon", "-1000", "+1000", "99999999999999999999999", ""] {
            let time = Signed {
                time: bad,
                ..ok.clone()
            };
            let refused = check_headers(&time, 1000).err().unwrap_or_default();
            assert!(refused.contains("Unix seconds"), "{bad}: {refused}");
        }
        // The largest values neither overflow nor pass.
        for huge in ["18446744073709551615", "9223372036854775807"] {
            let time = Signed {
                time: huge,
                ..ok.clone()
            };
            let refused = check_headers(&time, 1000).err().unwrap_or_default();
            assert!(refused.contains("clock"), "{huge}: {refused}");
        }
        assert!(check_headers(&ok, i64::MIN).is_err());
        assert!(check_headers(&ok, i64::MAX).is_err());
    }

    #[test]
    fn pending_reads_as_expired_after_its_minute() {
        assert_eq!(status_now("pending", 100, 99), PushStatus::Pending);
        assert_eq!(status_now("pending", 100, 100), PushStatus::Expired);
        assert_eq!(status_now("approved", 100, 200), PushStatus::Approved);
    }
}
