//! Device cookies: a browser that signed in as an account (a login
//! finished, whatever proved it) carries a signed cookie saying so. Its
//! later password attempts for that account count on a counter of their
//! own (`throttle::device_counter`) instead of the account-wide one and
//! its suspension after 100 failures in a row, and its logins' pushes
//! have a slot of their own instead of sharing the account's limit per
//! resource (`mfa::push::send::Purpose::Login`). So someone who guesses
//! passwords from elsewhere can suspend the account for unknown browsers,
//! and someone who holds the password can take the push slot of unknown
//! browsers, but neither touches the owner's own browser. A browser that
//! only passed the password gets no cookie: it has not shown it is the
//! owner's.
//!
//! The cookie holds no secret of the account and needs no row: when it was
//! issued, a random id, and an HMAC (the server's key, `SecretBox::
//! keyed_hash`) over both, bound to the user's id and their current
//! password hash, so it works for that account only and a new password
//! makes every earlier cookie worthless. It is not the trusted-browser
//! cookie: it spares no factor, and it is set whatever the organisation's
//! settings.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_core::{OsRng, RngCore};

use crate::app::AppState;
use crate::clock::Timestamp;
use crate::rules::requirement::DAY;
use crate::secret::Secret;
use crate::store::users::User;

/// How long a device cookie is good for (and its cookie's Max-Age).
pub const DAYS: u32 = 180;

/// The cookie's value.
pub type DeviceToken = Secret<String>;

fn mac(state: &AppState, user: &User, issued_at: Timestamp, id: &str) -> String {
    // The password hash is bound in, so a new password ends old cookies.
    let context = format!("device-cookie {}", user.id);
    let value = format!("{issued_at}.{id}.{}", user.password_hash);
    state.secrets.keyed_hash(&context, &value)
}

/// A new device cookie of `user` for the browser that just signed in.
pub fn issue(state: &AppState, user: &User, now: Timestamp) -> DeviceToken {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let id = URL_SAFE_NO_PAD.encode(bytes);
    let tag = mac(state, user, now, &id);
    Secret::new(format!("{now}.{id}.{tag}"))
}

/// The id of `token` if it is a valid, unexpired device cookie of `user`;
/// `None` for anything else (another account's, forged, expired, from
/// before a password change, malformed).
pub fn recognise(state: &AppState, token: &str, user: &User, now: Timestamp) -> Option<String> {
    let mut parts = token.split('.');
    let (Some(issued), Some(id), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let issued_at: Timestamp = issued.parse().ok()?;
    // A little ahead is another instance's clock, not a forgery.
    if issued_at > now + 300 || now - issued_at >= i64::from(DAYS) * DAY {
        return None;
    }
    let expected = mac(state, user, issued_at, id);
    same(expected.as_bytes(), tag.as_bytes()).then(|| id.to_string())
}

/// Compares in time that does not depend on where the two differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn comparison() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
