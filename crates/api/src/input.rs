//! Checks of what people type, and date arithmetic, shared so that the SPA
//! and the server agree on them. Each side words its own messages.

/// A light email syntax check: one `@`, something before it, a dotted
/// domain after it, no blanks. (Full RFC 5322 validation rejects real
/// addresses more often than it helps.) Expects trimmed input.
pub fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Why a typed one-time code is not a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    Empty,
    NotSixDigits,
}

/// The longest code input accepted, in characters: six digits with room
/// for the blanks and dashes people type or paste between them. The API's
/// OpenAPI document states the same limit (`CodeRequest.code`), so the
/// server refuses what the document calls invalid instead of quietly
/// accepting any amount of padding.
pub const CODE_MAX_CHARS: usize = 16;

/// A one-time code as typed or pasted ("123 456", "123-456") → six ASCII
/// digits. Blanks, no-break spaces and dashes may stand anywhere; the input
/// is at most [`CODE_MAX_CHARS`] characters long.
pub fn parse_code(input: &str) -> Result<String, CodeProblem> {
    if input.chars().count() > CODE_MAX_CHARS {
        return Err(CodeProblem::NotSixDigits);
    }
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .collect();
    if code.is_empty() {
        Err(CodeProblem::Empty)
    } else if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        Err(CodeProblem::NotSixDigits)
    } else {
        Ok(code)
    }
}

/// Recovery codes are this many characters of [`RECOVERY_ALPHABET`] (5 bits
/// each: 60 bits), shown in groups of four: `ABCD-EFGH-JKMN`.
pub const RECOVERY_CODE_LEN: usize = 12;

/// Crockford's base32 digits: no I, L, O or U, so a code read off paper is
/// not mistaken for another; typed look-alikes are read as the digit they
/// resemble (see [`parse_recovery_code`]).
pub const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The longest recovery-code input accepted, in characters: the code with
/// room for the blanks and dashes people type or paste around its groups.
/// `RecoveryCodeRequest.code` in the API's document states the same limit.
pub const RECOVERY_CODE_MAX_CHARS: usize = 32;

/// Why typed text is not a recovery code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryCodeProblem {
    Empty,
    /// Not 12 letters and digits of the recovery alphabet.
    Malformed,
}

/// A recovery code as typed or pasted (`abcd-efgh-jkmn`, `ABCD EFGH JKMN`)
/// → its 12 characters in [`RECOVERY_ALPHABET`]: any case; blanks,
/// no-break spaces and dashes anywhere; `O` read as `0`, `I` and `L` as
/// `1`. At most [`RECOVERY_CODE_MAX_CHARS`] characters in all.
pub fn parse_recovery_code(input: &str) -> Result<String, RecoveryCodeProblem> {
    if input.chars().count() > RECOVERY_CODE_MAX_CHARS {
        return Err(RecoveryCodeProblem::Malformed);
    }
    let mut code = String::with_capacity(RECOVERY_CODE_LEN);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{a0}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && RECOVERY_ALPHABET.contains(&(c as u8)) => c,
            _ => return Err(RecoveryCodeProblem::Malformed),
        };
        code.push(c);
    }
    match code.len() {
        0 => Err(RecoveryCodeProblem::Empty),
        RECOVERY_CODE_LEN => Ok(code),
        _ => Err(RecoveryCodeProblem::Malformed),
    }
}

/// A recovery code's 12 characters as shown: `ABCD-EFGH-JKMN`.
pub fn format_recovery_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// (year, month, day) of a Unix time in UTC, without a date library
/// (the well-known days-to-civil conversion over 400-year eras).
pub fn utc_date(t: i64) -> (i64, u32, u32) {
    let z = t.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(plausible_email("alice@example.com"));
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@example",
            "a b@example.com",
            "a@.com",
            "a@b@c.com",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn codes() {
        assert_eq!(parse_code(" 123-456 "), Ok("123456".to_string()));
        assert_eq!(parse_code(" "), Err(CodeProblem::Empty));
        assert_eq!(parse_code("12345"), Err(CodeProblem::NotSixDigits));
        assert_eq!(parse_code("١٢٣٤٥٦"), Err(CodeProblem::NotSixDigits));
        // Padding counts towards the limit, in characters (a no-break
        // space is two bytes but one character).
        let padded = format!("123456{}", " ".repeat(CODE_MAX_CHARS - 6));
        assert_eq!(parse_code(&padded), Ok("123456".to_string()));
        assert_eq!(
            parse_code(&format!("{padded} ")),
            Err(CodeProblem::NotSixDigits)
        );
        let nbsp = format!("123456{}", "\u{a0}".repeat(CODE_MAX_CHARS - 6));
        assert_eq!(parse_code(&nbsp), Ok("123456".to_string()));
    }

    #[test]
    fn recovery_codes() {
        let code = Ok("ABCDEFGHJKMN".to_string());
        assert_eq!(parse_recovery_code("ABCD-EFGH-JKMN"), code);
        assert_eq!(parse_recovery_code(" abcd efgh\u{a0}jkmn "), code);
        assert_eq!(parse_recovery_code("abcdefghjkmn"), code);
        // look-alikes read as the digits they resemble
        assert_eq!(
            parse_recovery_code("OIL0-1234-5678"),
            Ok("011012345678".to_string())
        );
        assert_eq!(parse_recovery_code(" - "), Err(RecoveryCodeProblem::Empty));
        for bad in [
            "ABCD-EFGH-JKM",
            "ABCD-EFGH-JKMNP",
            "ABCD-EFGH-JKMU", // U is not in the alphabet
            "ABCD_EFGH_JKMN",
            "ÀBCD-EFGH-JKMN",
            "ABCD-EFGH-JKM١",
        ] {
            assert_eq!(
                parse_recovery_code(bad),
                Err(RecoveryCodeProblem::Malformed),
                "{bad}"
            );
        }
        let padded = format!("ABCDEFGHJKMN{}", " ".repeat(RECOVERY_CODE_MAX_CHARS - 12));
        assert_eq!(parse_recovery_code(&padded), code);
        assert_eq!(
            parse_recovery_code(&format!("{padded}-")),
            Err(RecoveryCodeProblem::Malformed)
        );
        assert_eq!(format_recovery_code("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), (1970, 1, 1));
        assert_eq!(utc_date(951_782_400), (2000, 2, 29));
        assert_eq!(utc_date(1_795_305_600), (2026, 11, 22));
        assert_eq!(utc_date(-1), (1969, 12, 31));
    }
}
