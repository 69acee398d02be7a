//! The authenticator codes of the key a unified enrollment gave this
//! device (RFC 6238, as the portal checks them), at the portal's time.

use base32::Alphabet;
use portcullis_api::protect::DeviceTotp;
use totp_rs::{Algorithm, TOTP};

use crate::Error;

/// A code and how long it still lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub code: String,
    /// Seconds until the next code (1 to the period).
    pub secs_left: i64,
}

fn damaged(what: &str) -> Error {
    Error::State(format!(
        "The authenticator key in the state file is unusable ({what}); enroll this device again."
    ))
}

/// The code of `key` at `now` (Unix seconds, the portal's time).
pub fn code_at(key: &DeviceTotp, now: i64) -> Result<Code, Error> {
    let algorithm = match key.algorithm.to_ascii_uppercase().as_str() {
        "SHA1" => Algorithm::SHA1,
        "SHA256" => Algorithm::SHA256,
        "SHA512" => Algorithm::SHA512,
        _ => return Err(damaged("an unknown algorithm")),
    };
    // A key is written without padding; one with it reads the same.
    let secret = key.secret.trim_end_matches('=').to_ascii_uppercase();
    let bytes = base32::decode(Alphabet::Rfc4648 { padding: false }, &secret)
        .filter(|b| !b.is_empty())
        .ok_or_else(|| damaged("not base32"))?;
    if !(6..=10).contains(&key.digits) || key.period == 0 {
        return Err(damaged("its digits or period"));
    }
    let period = i64::from(key.period);
    let at = u64::try_from(now).map_err(|_| damaged("a time before 1970"))?;
    let totp = TOTP::new_unchecked(
        algorithm,
        key.digits as usize,
        0,
        u64::from(key.period),
        bytes,
    );
    Ok(Code {
        code: totp.generate(at),
        secs_left: period - now.rem_euclid(period),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_key(algorithm: &str, secret: &str, digits: u32) -> DeviceTotp {
        DeviceTotp {
            secret: secret.into(),
            digits,
            period: 30,
            algorithm: algorithm.into(),
            issuer: "Portcullis".into(),
            account: "a@example.com".into(),
        }
    }

    // RFC 6238 appendix B: the SHA-1 key is "12345678901234567890".
    const SHA1_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc6238_vectors() {
        let key = rfc_key("SHA1", SHA1_KEY, 8);
        for (t, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(code_at(&key, t).unwrap().code, code, "t={t}");
        }
        let six = rfc_key("SHA1", SHA1_KEY, 6);
        assert_eq!(code_at(&six, 59).unwrap().code, "287082");
    }

    #[test]
    fn seconds_left_count_down_to_the_next_step() {
        let key = rfc_key("SHA1", SHA1_KEY, 6);
        assert_eq!(code_at(&key, 60).unwrap().secs_left, 30);
        assert_eq!(code_at(&key, 61).unwrap().secs_left, 29);
        assert_eq!(code_at(&key, 89).unwrap().secs_left, 1);
    }

    #[test]
    fn a_damaged_key_is_told_in_words() {
        for key in [
            rfc_key("MD5", SHA1_KEY, 6),
            rfc_key("SHA1", "not base32!", 6),
            rfc_key("SHA1", "", 6),
            rfc_key("SHA1", SHA1_KEY, 3),
        ] {
            let e = code_at(&key, 59).unwrap_err().to_string();
            assert!(e.contains("enroll this device again"), "{e}");
        }
    }
}
