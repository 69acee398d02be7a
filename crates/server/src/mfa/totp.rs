//! Authenticator-app codes (RFC 6238: SHA-1, 6 digits, 30-second steps):
//! keys, `otpauth://` URIs and checking a code. Pure; the factor's rules
//! are in `mfa::totp_factor`.

use base32::Alphabet;
use rand_core::{OsRng, RngCore};
use totp_rs::{Algorithm, TOTP};

use crate::clock::Timestamp;
use crate::secret::Secret;

pub const ISSUER: &str = "Portcullis";
pub const STEP_SECS: i64 = 30;
pub const DIGITS: usize = 6;
/// Steps of clock skew accepted either side of now.
pub const SKEW_STEPS: i64 = 1;
const SECRET_BYTES: usize = 20; // 160 bits, as RFC 4226 recommends

/// A new random key, base32 without padding.
pub fn new_secret() -> Secret<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    Secret::new(base32::encode(Alphabet::Rfc4648 { padding: false }, &bytes))
}

/// The `otpauth://` URI every standard app understands.
pub fn uri(secret_b32: &str, account: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret_b32}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        issuer = encode(ISSUER),
        account = encode(account),
    )
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The time step `t` falls in.
pub fn step_of(t: Timestamp) -> i64 {
    t.div_euclid(STEP_SECS)
}

/// The code for one time step (None if the stored secret is unusable).
pub fn code_at(secret_b32: &str, step: i64) -> Option<String> {
    let key = base32::decode(Alphabet::Rfc4648 { padding: false }, secret_b32)?;
    let totp = TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP_SECS as u64, key);
    u64::try_from(step * STEP_SECS)
        .ok()
        .map(|t| totp.generate(t))
}

/// Normalises what the user typed ("123 456", "123-456") to six digits.
pub fn normalize_code(input: &str) -> Result<String, &'static str> {
    portcullis_api::input::parse_code(input)
        .map_err(|_| "Enter the 6-digit code from your authenticator app.")
}

/// The result of checking a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Valid for this step, which has not been used before.
    Accepted(i64),
    /// Valid, but for a step at or before the last one accepted: a replay.
    Reused,
    Wrong,
}

/// Checks `code` against the steps within the skew of `now`.
pub fn check(secret_b32: &str, code: &str, now: Timestamp, last_step: i64) -> Check {
    let current = step_of(now);
    let mut reused = false;
    // Newest first: if the code fits two steps, the later one is recorded.
    for step in (current - SKEW_STEPS..=current + SKEW_STEPS).rev() {
        let Some(expected) = code_at(secret_b32, step) else {
            return Check::Wrong;
        };
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            if step > last_step {
                return Check::Accepted(step);
            }
            reused = true;
        }
    }
    if reused {
        Check::Reused
    } else {
        Check::Wrong
    }
}

/// How far away a wrong code is still recognised as the phone's clock being
/// off (10 steps: 5 minutes either way). Such codes are never accepted.
pub const SKEW_HINT_STEPS: i64 = 10;

/// For a code that [`check`] refused as wrong: the offset in steps (2 to
/// 10, positive when the phone's clock is ahead) of the nearest step whose
/// code it is, if any. Steps at or before `last_step` are left out: such a
/// code is more likely an old one typed again than a wrong clock. Only
/// says how far; the code stays refused, and the caller burns a step
/// ahead (`mfa::totp_factor`), so it is not good later either.
pub fn clock_skew(secret_b32: &str, code: &str, now: Timestamp, last_step: i64) -> Option<i64> {
    let current = step_of(now);
    // Nearest first, so the message names the smallest offset that fits.
    (SKEW_STEPS + 1..=SKEW_HINT_STEPS)
        .flat_map(|d| [d, -d])
        .filter(|d| current + d > last_step)
        .find(|d| {
            code_at(secret_b32, current + d)
                .is_some_and(|expected| constant_time_eq(expected.as_bytes(), code.as_bytes()))
        })
}

/// What to tell someone whose code matched `steps` steps away: how many
/// minutes their phone is fast or slow (steps of 30 s, halves rounded up,
/// so 2 steps are 1 minute and 3 steps 2), and how to fix it.
pub fn skew_message(steps: i64) -> String {
    let minutes = (steps.abs() * STEP_SECS + 59) / 60;
    let (way, unit) = (
        if steps > 0 { "fast" } else { "slow" },
        if minutes == 1 { "minute" } else { "minutes" },
    );
    format!(
        "That code is not the current one: the clock of your phone seems to be about \
         {minutes} {unit} {way}. Turn on automatic date and time in your phone's settings, \
         then enter the new code from your authenticator app."
    )
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1: the key is "12345678901234567890".
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc6238_vectors() {
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC_KEY, step_of(t)).as_deref(), Some(code), "t={t}");
        }
    }

    #[test]
    fn secrets_are_160_bits_of_base32() {
        let s = new_secret().expose().clone();
        assert_eq!(s.len(), 32);
        assert_ne!(&s, new_secret().expose());
        assert_eq!(
            base32::decode(Alphabet::Rfc4648 { padding: false }, &s).map(|b| b.len()),
            Some(20)
        );
    }

    #[test]
    fn skew_of_one_step_and_no_more() {
        let now = 1_800_000_015;
        let cur = step_of(now);
        let at = |d: i64| code_at(RFC_KEY, cur + d).unwrap_or_default();
        assert_eq!(check(RFC_KEY, &at(0), now, -1), Check::Accepted(cur));
        assert_eq!(check(RFC_KEY, &at(-1), now, -1), Check::Accepted(cur - 1));
        assert_eq!(check(RFC_KEY, &at(1), now, -1), Check::Accepted(cur + 1));
        assert_eq!(check(RFC_KEY, &at(-2), now, -1), Check::Wrong);
        assert_eq!(check(RFC_KEY, &at(2), now, -1), Check::Wrong);
        assert_eq!(
            check(RFC_KEY, "000000", now, -1),
            if at(0) == "000000" {
                Check::Accepted(cur)
            } else {
                Check::Wrong
            }
        );
    }

    #[test]
    fn clock_skew_from_two_to_ten_steps_either_way() {
        let now = 1_800_000_015;
        let cur = step_of(now);
        let at = |d: i64| code_at(RFC_KEY, cur + d).unwrap_or_default();
        for d in [2, -2, 5, -7, 10, -10] {
            assert_eq!(check(RFC_KEY, &at(d), now, -1), Check::Wrong, "{d}");
            // (unless the code of another near step happens to be the same)
            if (-1..=1).all(|near| at(near) != at(d)) {
                assert_eq!(clock_skew(RFC_KEY, &at(d), now, -1), Some(d), "{d}");
            }
        }
        for d in [-1, 0, 1, 11, -11, 30] {
            if (2..=10).all(|far| at(far) != at(d) && at(-far) != at(d)) {
                assert_eq!(clock_skew(RFC_KEY, &at(d), now, -1), None, "{d}");
            }
        }
        // A code of a step used already is an old code, not a slow clock.
        assert_eq!(clock_skew(RFC_KEY, &at(-3), now, cur - 3), None);
        assert_eq!(clock_skew(RFC_KEY, &at(-3), now, cur - 4), Some(-3));
    }

    #[test]
    fn skew_in_minutes_and_words() {
        let m = skew_message(2);
        assert!(m.contains("about 1 minute fast"), "{m}");
        assert!(m.contains("automatic date and time"), "{m}");
        assert!(skew_message(-3).contains("about 2 minutes slow"));
        assert!(skew_message(-4).contains("about 2 minutes slow"));
        assert!(skew_message(10).contains("about 5 minutes fast"));
        assert!(skew_message(-10).contains("about 5 minutes slow"));
    }

    #[test]
    fn used_steps_are_replays() {
        let now = 1_800_000_015;
        let cur = step_of(now);
        let code = code_at(RFC_KEY, cur).unwrap_or_default();
        assert_eq!(check(RFC_KEY, &code, now, cur), Check::Reused);
        // an older code after a newer one was used is also refused
        let older = code_at(RFC_KEY, cur - 1).unwrap_or_default();
        assert_eq!(check(RFC_KEY, &older, now, cur), Check::Reused);
    }

    #[test]
    fn uri_has_every_field() {
        let u = uri("ABCDEF", "alice@example.com");
        assert_eq!(
            u,
            "otpauth://totp/Portcullis:alice@example.com?secret=ABCDEF&issuer=Portcullis&algorithm=SHA1&digits=6&period=30"
        );
        assert!(uri("X", "a b:c@x.y").contains("a%20b%3Ac@x.y"));
    }

    #[test]
    fn code_input_forms() {
        assert_eq!(normalize_code(" 123 456 "), Ok("123456".to_string()));
        assert_eq!(normalize_code("123-456"), Ok("123456".to_string()));
        assert!(normalize_code("12345").is_err());
        assert!(normalize_code("1234567").is_err());
        assert!(normalize_code("12a456").is_err());
        assert!(normalize_code("١٢٣٤٥٦").is_err()); // non-ASCII digits
    }
}
