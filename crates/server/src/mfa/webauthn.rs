//! Security keys and passkeys: the pure rules. The relying party this
//! portal is (from its public origin), key names, what the verifying
//! library's refusals mean in words, and when a signature counter shows a
//! copied key. No database, no I/O.

use std::time::Duration;

use portcullis_api::webauthn::KEY_NAME_MAX_CHARS;
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{Credential, Url, Uuid, Webauthn, WebauthnBuilder, WebauthnError};
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_proto::UserVerificationPolicy;

use crate::config::{self, Settings};

/// How long a ceremony (the browser's prompt and our challenge) lasts.
pub const CEREMONY_SECS: i64 = 5 * 60;

/// What the browser shows as the site's name in its prompts.
const RP_NAME: &str = "Portcullis";

/// Why the portal cannot run WebAuthn ceremonies at its address.
pub const NO_DOMAIN: &str = "Security keys and passkeys work only when the portal is opened \
     at a domain name (such as localhost), not at an IP address. Ask your administrator.";

/// The portal as a relying party: its id (the public origin's host) and
/// the origins answers are accepted from (the public one first, then the
/// extra allowed ones with the same host, like a development server).
/// `None` when the public origin has no domain name.
fn party_of(settings: &Settings) -> Option<(String, Vec<Url>)> {
    let (rp_id, origin) = config::webauthn_party(&settings.public_origin)?;
    let mut origins = vec![Url::parse(&origin).ok()?];
    origins.extend(
        settings
            .allowed_origins
            .iter()
            .filter_map(|o| config::webauthn_party(o))
            .filter(|(host, _)| *host == rp_id)
            .filter_map(|(_, o)| Url::parse(&o).ok()),
    );
    Some((rp_id, origins))
}

/// The relying party for security keys, and for proving any key as a
/// second factor.
pub fn relying_party(settings: &Settings) -> Option<Webauthn> {
    let (rp_id, origins) = party_of(settings)?;
    let (origin, extra) = origins.split_first()?;
    let mut builder = WebauthnBuilder::new(&rp_id, origin)
        .ok()?
        .rp_name(RP_NAME)
        .timeout(Duration::from_secs(CEREMONY_SECS as u64))
        // A security key is a second factor after the password: its touch
        // is enough (passkeys still require user verification). Without
        // this the library asks keys for credProtect "user verification
        // required" on a non-discoverable credential, which Chromium
        // refuses outright (NotSupportedError), and old U2F keys could
        // not be used.
        .danger_set_user_presence_only_security_keys(true);
    for o in extra {
        builder = builder.append_allowed_origin(o);
    }
    builder.build().ok()
}

/// The same relying party through the library's lower layer, for what
/// its upper layer does not offer: passkeys whose user verification is
/// preferred rather than required (registered on an authenticator without
/// a PIN or biometrics, such a passkey can still stand in for the
/// password, and a second factor follows), and sign-in by a discoverable
/// credential whose user verification decides whether MFA was passed.
pub fn core_party(settings: &Settings) -> Option<WebauthnCore> {
    let (rp_id, origins) = party_of(settings)?;
    Some(WebauthnCore::new_unsafe_experts_only(
        RP_NAME,
        &rp_id,
        origins,
        Duration::from_secs(CEREMONY_SECS as u64),
        None,
        None,
    ))
}

/// Whether the library demands user verification (PIN, biometrics) in
/// every answer of a key registered with this policy, which `verified` its
/// user then or not: one registered as requiring it, or a passkey
/// (verification preferred) that verified its user when it was made.
fn must_verify(registered: UserVerificationPolicy, verified: bool) -> bool {
    match registered {
        UserVerificationPolicy::Required => true,
        UserVerificationPolicy::Preferred => verified,
        _ => false,
    }
}

/// The user verification to ask for when proving one of these keys (the
/// login's second step, proving a key again): `preferred` when one of them
/// must verify its user, since the library refuses such a key's answer
/// without it, and a browser told `discouraged` does not ask for the PIN
/// or the fingerprint; else `discouraged`, as a touch of a security key is
/// enough after the password (and a key with a PIN is not asked for it).
pub fn assertion_policy(creds: &[Credential]) -> UserVerificationPolicy {
    if creds
        .iter()
        .any(|c| must_verify(c.registration_policy, c.user_verified))
    {
        UserVerificationPolicy::Preferred
    } else {
        UserVerificationPolicy::Discouraged_DO_NOT_USE
    }
}

/// The user handle the authenticator stores with a credential: the user's
/// id when it is a UUID (as ours are), else a stable hash of it.
pub fn user_handle(user_id: &str) -> Uuid {
    Uuid::parse_str(user_id).unwrap_or_else(|_| {
        let digest = Sha256::digest(user_id.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Uuid::from_bytes(bytes)
    })
}

/// A key name as typed: trimmed, 1 to 64 characters. `None` (or blank)
/// gives `default`.
pub fn key_name(typed: Option<&str>, default: String) -> Result<String, &'static str> {
    let Some(name) = typed.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(default);
    };
    checked_name(name)
}

/// A new name for a key: trimmed, 1 to 64 characters.
pub fn rename(typed: &str) -> Result<String, &'static str> {
    let name = typed.trim();
    if name.is_empty() {
        return Err("Give the key a name.");
    }
    checked_name(name)
}

fn checked_name(name: &str) -> Result<String, &'static str> {
    if name.chars().count() > KEY_NAME_MAX_CHARS {
        return Err("A key's name can be at most 64 characters long.");
    }
    Ok(name.to_string())
}

/// "Security key 2" for the user's second key: the first number above
/// the count that no key of theirs is called yet.
pub fn default_name(existing: &[String]) -> String {
    (existing.len() + 1..)
        .map(|n| format!("Security key {n}"))
        .find(|candidate| !existing.iter().any(|e| e == candidate))
        .unwrap_or_else(|| "Security key".to_string())
}

/// Whether an assertion's signature counter shows a copy of the key: a
/// key that counts (either value non-zero) must count up.
pub fn counter_went_back(stored: u32, presented: u32) -> bool {
    (stored > 0 || presented > 0) && presented <= stored
}

/// What a refused answer means, in words a person can act on. The
/// library's own error stays in the server's log.
pub fn refusal(e: &WebauthnError) -> &'static str {
    match e {
        WebauthnError::InvalidRPOrigin => {
            "The security key answered for another web address than this portal's. \
             Open the portal at its usual address and try again."
        }
        WebauthnError::InvalidRPIDHash => {
            "The security key answered for another site than this portal. Try again from \
             the portal's own address."
        }
        WebauthnError::MismatchedChallenge => {
            "The security key answered another request. Start again."
        }
        WebauthnError::CredentialPossibleCompromise => COPIED,
        WebauthnError::UserNotPresent => {
            "The security key did not confirm that you were there. Touch the key when it \
             blinks, then try again."
        }
        WebauthnError::UserNotVerified => {
            "The passkey did not verify you (PIN, fingerprint or face). Try again."
        }
        WebauthnError::CredentialNotFound | WebauthnError::CredentialRetrievalError => {
            "This security key is not one of yours. Use a key you added to this account."
        }
        WebauthnError::CredentialAlteredAlgFromRequest => {
            "This security key could not be added. Try again, or use another key."
        }
        _ => "The security key's answer could not be verified. Try again, or use another factor.",
    }
}

/// The refusal of an answer that is not a credential at all.
pub const UNREADABLE: &str = "The browser's answer from the security key could not be read. \
     Start again.";

/// The refusal of a key whose signature counter went backwards.
pub const COPIED: &str = "This security key's answer looks like it came from a copy of the \
     key, so it was refused and your administrator can see it. Use another factor, and \
     tell your administrator.";

/// The line of an email that names a key.
pub fn key_line(name: &str) -> String {
    format!("\nKey: “{name}”\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            key_name(None, "Security key 1".into()),
            Ok("Security key 1".into())
        );
        assert_eq!(key_name(Some("  "), "D".into()), Ok("D".into()));
        assert_eq!(
            key_name(Some(" YubiKey "), "D".into()),
            Ok("YubiKey".into())
        );
        let long = "é".repeat(64);
        assert_eq!(rename(&long), Ok(long.clone()));
        assert!(rename(&format!("{long}x")).is_err());
        assert!(rename(" \t").is_err());
        assert_eq!(default_name(&[]), "Security key 1");
        assert_eq!(default_name(&["Security key 1".into()]), "Security key 2");
        assert_eq!(
            default_name(&["Security key 2".into(), "x".into()]),
            "Security key 3"
        );
    }

    #[test]
    fn counters() {
        assert!(!counter_went_back(0, 0)); // a key that does not count
        assert!(!counter_went_back(5, 6));
        assert!(counter_went_back(5, 5));
        assert!(counter_went_back(5, 3));
        assert!(counter_went_back(5, 0));
        assert!(!counter_went_back(0, 1));
    }

    #[test]
    fn handles_are_stable() {
        let id = "0b5e1f5e-7c2a-4d1e-9a53-2f4c8e1d6b70";
        assert_eq!(user_handle(id).to_string(), id);
        assert_eq!(user_handle("demo-7"), user_handle("demo-7"));
        assert_ne!(user_handle("demo-7"), user_handle("demo-8"));
    }

    #[test]
    fn verification_is_asked_for_when_a_key_must_verify() {
        use UserVerificationPolicy::{Discouraged_DO_NOT_USE as Discouraged, Preferred, Required};
        assert!(must_verify(Required, false));
        assert!(must_verify(Required, true));
        assert!(must_verify(Preferred, true));
        // A passkey made on a key without a PIN: a touch stays enough.
        assert!(!must_verify(Preferred, false));
        // A security key: a touch is enough, whatever it did at setup.
        assert!(!must_verify(Discouraged, true));
        assert!(!must_verify(Discouraged, false));
        assert_eq!(assertion_policy(&[]), Discouraged);
    }

    #[test]
    fn parties() {
        let mut s = Settings {
            public_origin: "http://localhost:8080".into(),
            ..Settings::default()
        };
        assert!(relying_party(&s).is_some());
        assert!(core_party(&s).is_some());
        s.public_origin = "http://127.0.0.1:8080".into();
        assert!(relying_party(&s).is_none());
        assert!(core_party(&s).is_none());
    }
}
