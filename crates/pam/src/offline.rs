//! Offline codes, for a host whose administrator switched them on: at
//! each check that reaches the portal, the module keeps (or forgets) what
//! checks this user's authenticator codes; while the portal cannot be
//! reached, a code is checked here instead. The keys are sealed at rest
//! (XChaCha20-Poly1305, under a random key of the host's own, root only,
//! bound to the user's name); a code's time step is used once, and steps
//! the portal saw used are refused too. Kept for 7 days after the last
//! online check. Whoever is root on the host can open the keys while they
//! are kept: that is the price of logins without the portal, and why it
//! is off unless switched on.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use portcullis_api::hosts::OfflineTotp;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha1::Sha1;

use crate::config::write_private;

const FILE: &str = "offline.json";
const KEY: &str = "offline.key";
const STEP_SECS: i64 = 30;
/// Steps either side of now a code may be from (a phone's clock a little
/// off), as at the portal.
const SKEW_STEPS: i64 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Entries {
    users: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// Nonce and ciphertext of the base32 key, base64.
    sealed: String,
    last_step: i64,
    valid_until: i64,
}

/// How an offline code fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Accepted,
    Wrong,
    /// Its time step was used already.
    Reused,
    /// Nothing kept for this user (never, switched off, or too old).
    Missing,
}

fn cipher(dir: &Path) -> Result<XChaCha20Poly1305, String> {
    let path = dir.join(KEY);
    let key = match fs::read(&path) {
        Ok(bytes) if bytes.len() == 32 => bytes,
        Ok(_) => return Err(format!("{} is damaged", path.display())),
        Err(_) => {
            let mut bytes = vec![0u8; 32];
            OsRng.fill_bytes(&mut bytes);
            write_private(&path, &bytes)?;
            bytes
        }
    };
    XChaCha20Poly1305::new_from_slice(&key).map_err(|e| e.to_string())
}

fn load(dir: &Path) -> Entries {
    fs::read_to_string(dir.join(FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save(dir: &Path, entries: &Entries) -> Result<(), String> {
    let json = serde_json::to_string(entries).map_err(|e| e.to_string())?;
    write_private(&dir.join(FILE), json.as_bytes())
}

/// Keeps what checks `user`'s codes; a step used here stays used.
pub fn remember(dir: &Path, user: &str, data: &OfflineTotp) -> Result<(), String> {
    let cipher = cipher(dir)?;
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: data.secret.as_bytes(),
                aad: user.as_bytes(),
            },
        )
        .map_err(|_| "sealing failed".to_string())?;
    let mut raw = nonce.to_vec();
    raw.extend(sealed);
    let mut entries = load(dir);
    let used_here = entries.users.get(user).map_or(i64::MIN, |e| e.last_step);
    entries.users.insert(
        user.to_string(),
        Entry {
            sealed: STANDARD.encode(raw),
            last_step: data.last_step.max(used_here),
            valid_until: data.valid_until,
        },
    );
    save(dir, &entries)
}

/// Forgets `user` (the portal sent nothing to keep).
pub fn forget(dir: &Path, user: &str) -> Result<(), String> {
    let mut entries = load(dir);
    if entries.users.remove(user).is_some() {
        save(dir, &entries)?;
    }
    Ok(())
}

/// Whether a code of `user` can be checked here at `now`.
pub fn has(dir: &Path, user: &str, now: i64) -> bool {
    load(dir)
        .users
        .get(user)
        .is_some_and(|e| e.valid_until > now)
}

/// The code of a base32 key at a time step (RFC 6238 with SHA-1, six
/// digits, as authenticator apps compute it).
pub fn code_at(secret_b32: &str, step: i64) -> Option<String> {
    let key = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret_b32)?;
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(&key).ok()?;
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let at = usize::from(h[19] & 0x0f);
    let n = u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]);
    Some(format!("{:06}", n % 1_000_000))
}

/// Checks `code` for `user` at `now`; an accepted step is used up.
pub fn check(dir: &Path, user: &str, code: &str, now: i64) -> Result<Check, String> {
    let mut entries = load(dir);
    let Some(entry) = entries.users.get(user).cloned() else {
        return Ok(Check::Missing);
    };
    if entry.valid_until <= now {
        return Ok(Check::Missing);
    }
    let raw = STANDARD
        .decode(&entry.sealed)
        .map_err(|_| "the offline data is damaged".to_string())?;
    if raw.len() <= 24 {
        return Err("the offline data is damaged".into());
    }
    let (nonce, sealed) = raw.split_at(24);
    let secret = cipher(dir)?
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: user.as_bytes(),
            },
        )
        .map_err(|_| "the offline data cannot be opened".to_string())?;
    let secret = String::from_utf8(secret).map_err(|_| "the offline data is damaged")?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let current = now.div_euclid(STEP_SECS);
    let mut reused = false;
    for step in (current - SKEW_STEPS..=current + SKEW_STEPS).rev() {
        if code_at(&secret, step).is_some_and(|c| c == code) {
            if step <= entry.last_step {
                reused = true;
                continue;
            }
            if let Some(e) = entries.users.get_mut(user) {
                e.last_step = step;
            }
            save(dir, &entries)?;
            return Ok(Check::Accepted);
        }
    }
    Ok(if reused { Check::Reused } else { Check::Wrong })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "JBSWY3DPEHPK3PXP";

    fn data(last_step: i64) -> OfflineTotp {
        OfflineTotp {
            secret: SECRET.into(),
            last_step,
            valid_until: 2_000_000_000,
        }
    }

    #[test]
    fn codes_are_the_apps() {
        // RFC 6238's SHA-1 test key, step 1 (59 s): 94287082, six digits.
        let key = base32::encode(
            base32::Alphabet::Rfc4648 { padding: false },
            b"12345678901234567890",
        );
        assert_eq!(code_at(&key, 1).unwrap(), "287082");
    }

    #[test]
    fn a_code_passes_once_and_the_key_is_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_700_000_000;
        remember(dir.path(), "ivan", &data(0)).unwrap();
        let text = fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(!text.contains(SECRET));
        let code = code_at(SECRET, now / 30).unwrap();
        assert_eq!(check(dir.path(), "ivan", &code, now), Ok(Check::Accepted));
        assert_eq!(check(dir.path(), "ivan", &code, now), Ok(Check::Reused));
        assert_eq!(check(dir.path(), "ivan", "000000", now), Ok(Check::Wrong));
        // Fresh data from the portal does not undo a step used here.
        remember(dir.path(), "ivan", &data(5)).unwrap();
        assert_eq!(check(dir.path(), "ivan", &code, now), Ok(Check::Reused));
        // Another user's entry does not open with this name.
        assert_eq!(check(dir.path(), "alice", &code, now), Ok(Check::Missing));
        forget(dir.path(), "ivan").unwrap();
        assert!(!has(dir.path(), "ivan", now));
        // Too old: not used.
        let mut old = data(0);
        old.valid_until = now;
        remember(dir.path(), "ivan", &old).unwrap();
        assert_eq!(check(dir.path(), "ivan", &code, now), Ok(Check::Missing));
    }
}
