//! Secrets in memory and at rest.
//!
//! [`Secret`] wraps a value that must never be printed: its `Debug` and
//! `Display` say `[redacted]`, so a stray `{:?}` in a log line leaks nothing.
//!
//! [`SecretBox`] encrypts TOTP keys before they reach the database
//! (XChaCha20-Poly1305, a random nonce per value, the owner's id as
//! associated data so a sealed key cannot be moved to another user), and
//! hashes values that are only ever compared, never read back (recovery
//! codes: HMAC-SHA256 under a key derived from the same one). The key
//! comes from `PORTCULLIS_ENCRYPTION_KEY` or from a key file outside the
//! database, created on first start readable by the owner only: a copy of
//! the database alone does not reveal the keys.

use std::path::Path;

use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;

use crate::error::Internal;

/// A value that must not be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(portcullis_api::REDACTED)
    }
}

impl<T> std::fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(portcullis_api::REDACTED)
    }
}

/// Marks a sealed value and its format.
const SEALED_PREFIX: &str = "x1:";
const NONCE_LEN: usize = 24;

/// Labels the HMAC key derived from the box's key, so the two uses of one
/// key never meet (a new purpose gets a new label).
const HASH_KEY_LABEL: &[u8] = b"portcullis keyed hash v1";

/// Encrypts and decrypts secrets stored in the database.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    /// HMAC-SHA256 keyed with a key derived from the box's key.
    hasher: Hmac<Sha256>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

impl SecretBox {
    pub fn from_key(key: &[u8; 32]) -> Self {
        SecretBox {
            cipher: XChaCha20Poly1305::new(key.into()),
            hasher: hmac_with(&derive(key, HASH_KEY_LABEL)),
        }
    }

    /// A box with a fresh random key (tests, and nothing that must survive
    /// a restart).
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Self::from_key(&key)
    }

    /// The key from `env_key` (base64 of 32 bytes) if given, otherwise from
    /// `file`, which is created with a new random key on first start.
    pub fn load_or_create(env_key: Option<&str>, file: &Path) -> anyhow::Result<Self> {
        if let Some(text) = env_key {
            return Self::parse_key(text).context("PORTCULLIS_ENCRYPTION_KEY");
        }
        if !file.exists() {
            let mut key = [0u8; 32];
            OsRng.fill_bytes(&mut key);
            let text = format!("{}\n", STANDARD.encode(key));
            match crate::files::create_private(file, text.as_bytes()) {
                Ok(()) => {
                    tracing::info!(file = %file.display(), "created a new encryption key for secrets at rest; back it up with the database");
                }
                // Another instance created it a moment ago: read theirs.
                Err(_) if file.exists() => {}
                Err(e) => return Err(e),
            }
        }
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the encryption key file {}", file.display()))?;
        Self::parse_key(&text).with_context(|| format!("encryption key file {}", file.display()))
    }

    fn parse_key(text: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("the key must be 32 bytes in base64"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("the key must be 32 bytes in base64"))?;
        Ok(Self::from_key(&key))
    }

    /// Encrypts `plaintext` for the owner `context` (e.g. a user id).
    pub fn seal(&self, plaintext: &str, context: &str) -> Result<String, Internal> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Internal::new("sealing a secret failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(out)))
    }

    /// Decrypts a value sealed for `context`. Fails for another owner's
    /// value, a wrong key, or tampering.
    pub fn open(&self, stored: &str, context: &str) -> Result<Secret<String>, Internal> {
        let fail = || {
            Internal::new("a stored secret cannot be opened (wrong encryption key, or tampered)")
        };
        let raw = stored
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(fail)?;
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| fail())
    }

    /// Whether a stored value is sealed (older rows held plain keys).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED_PREFIX)
    }

    /// A keyed hash (hex) of `value` for the owner `context`: the database
    /// can look a value up by it, and without the key outside the database
    /// nobody can test guesses against a copy. Fast on purpose: only for
    /// random values with enough entropy that guessing is hopeless anyway.
    pub fn keyed_hash(&self, context: &str, value: &str) -> String {
        let mut mac = self.hasher.clone();
        // Lengths first, so ("ab", "c") and ("a", "bc") differ.
        for part in [context, value] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// HMAC-SHA256 keyed with `key`. HMAC pads a key shorter than its block
/// with zeros, so padding it here gives the same MAC, through the
/// constructor that cannot fail.
fn hmac_with(key: &[u8; 32]) -> Hmac<Sha256> {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    <Hmac<Sha256> as KeyInit>::new(&block.into())
}

/// A subkey of `key` for one purpose: HMAC-SHA256(key, label).
fn derive(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = hmac_with(key);
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// A new random token: 256 bits from the OS, URL-safe base64 without
/// padding (43 characters), for links, cookies and device enrollment.
pub fn new_token() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_bound_to_the_owner() {
        let b = SecretBox::random();
        let sealed = b.seal("JBSWY3DPEHPK3PXP", "user-1").unwrap_or_default();
        assert!(SecretBox::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            b.seal("JBSWY3DPEHPK3PXP", "user-1").unwrap_or_default()
        );
        let opened = b.open(&sealed, "user-1").map(|s| s.expose().clone());
        assert_eq!(opened.ok().as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert!(b.open(&sealed, "user-2").is_err(), "another user's key");
        assert!(
            SecretBox::random().open(&sealed, "user-1").is_err(),
            "another key"
        );
        assert!(b.open("JBSWY3DPEHPK3PXP", "user-1").is_err(), "not sealed");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(b.open(&tampered, "user-1").is_err(), "tampered");
    }

    #[test]
    fn padded_hmac_keys_are_hmac_keys() {
        let key = [7u8; 32];
        let Ok(mut plain) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else {
            panic!("HMAC takes keys of any length")
        };
        plain.update(b"x");
        let mut padded = hmac_with(&key);
        padded.update(b"x");
        assert_eq!(
            plain.finalize().into_bytes(),
            padded.finalize().into_bytes()
        );
    }

    #[test]
    fn keyed_hashes_depend_on_the_key_the_owner_and_the_value() {
        let b = SecretBox::from_key(&[1u8; 32]);
        let h = b.keyed_hash("user-1", "ABCDEFGHJKMN");
        assert_eq!(h.len(), 64);
        assert!(!h.to_uppercase().contains("ABCDEFGHJKMN"));
        assert_eq!(
            h,
            SecretBox::from_key(&[1u8; 32]).keyed_hash("user-1", "ABCDEFGHJKMN")
        );
        assert_ne!(h, b.keyed_hash("user-2", "ABCDEFGHJKMN"));
        assert_ne!(h, b.keyed_hash("user-1", "ABCDEFGHJKMP"));
        assert_ne!(
            h,
            SecretBox::from_key(&[2u8; 32]).keyed_hash("user-1", "ABCDEFGHJKMN")
        );
        assert_ne!(b.keyed_hash("ab", "c"), b.keyed_hash("a", "bc"));
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2".to_string());
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
    }

    #[test]
    fn key_file_is_created_once_owner_only_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let file = dir.path().join("keys/encryption.key");
        let Ok(first) = SecretBox::load_or_create(None, &file) else {
            panic!("create")
        };
        let mode = std::fs::metadata(&file).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
        let sealed = first.seal("k", "u").unwrap_or_default();
        let Ok(again) = SecretBox::load_or_create(None, &file) else {
            panic!("reload")
        };
        assert!(again.open(&sealed, "u").is_ok(), "same key after a restart");
        assert!(SecretBox::load_or_create(Some("too short"), &file).is_err());
        let env = STANDARD.encode([7u8; 32]);
        assert!(SecretBox::load_or_create(Some(&env), &file).is_ok());
    }
}
