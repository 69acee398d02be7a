//! What a new password must be, after NIST SP 800-63B: long enough (15
//! characters while the account has no second factor, 8 with one; up to
//! 1024 accepted), not one of the common and breached passwords shipped
//! with the server, and not made of the account's own email or name. No
//! composition rules (they make passwords harder to remember, not to
//! guess). Every refusal says why, in words.

use sha2::{Digest, Sha256};

use super::password::MAX_LEN;

/// The shortest password of an account with a second factor.
pub const MIN_WITH_FACTOR: usize = 8;
/// The shortest password of an account without one: the password is all
/// there is.
pub const MIN_WITHOUT_FACTOR: usize = 15;

/// The common and breached passwords (see `scripts/blocklist` for the
/// source): the first bytes of each one's SHA-256, lower-cased, sorted.
static BLOCKLIST: &[u8] = include_bytes!("../../data/common-passwords.bin");
const PREFIX: usize = 5;

/// The account a new password is for.
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub has_factor: bool,
}

impl Account<'_> {
    pub fn min_chars(&self) -> usize {
        if self.has_factor {
            MIN_WITH_FACTOR
        } else {
            MIN_WITHOUT_FACTOR
        }
    }
}

/// Whether `password` is among the common and breached passwords,
/// whatever its case.
pub fn is_common(password: &str) -> bool {
    let digest = Sha256::digest(password.to_lowercase().as_bytes());
    let key = &digest[..PREFIX];
    let n = BLOCKLIST.len() / PREFIX;
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let entry = &BLOCKLIST[mid * PREFIX..(mid + 1) * PREFIX];
        match entry.cmp(key) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Every reason `password` may not be the new password of `account`, in
/// words (empty: it may).
pub fn problems(password: &str, account: &Account<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let n = password.chars().count();
    let min = account.min_chars();
    if n < min {
        out.push(if account.has_factor {
            format!("Use at least {min} characters ({n} now).")
        } else {
            format!(
                "Use at least {min} characters ({n} now): without a second factor, the \
                 password is all that protects the account."
            )
        });
    }
    if n > MAX_LEN {
        out.push(format!("Use at most {MAX_LEN} characters."));
    }
    if n <= MAX_LEN && is_common(password) {
        out.push(
            "This password is among the most common ones, which attackers try first. \
             Choose another."
                .into(),
        );
    }
    let lower = password.to_lowercase();
    let local = account
        .email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if local.chars().count() >= 3 && lower.contains(&local) {
        out.push("Leave your email address out of the password.".into());
    }
    let name_in = account
        .name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|part| part.chars().count() >= 3 && lower.contains(part));
    if name_in {
        out.push("Leave your name out of the password.".into());
    }
    out
}

/// [`problems`] as one sentence, or `Ok` when there are none.
pub fn check(password: &str, account: &Account<'_>) -> Result<(), String> {
    let p = problems(password, account);
    if p.is_empty() {
        Ok(())
    } else {
        Err(p.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZOE: Account<'static> = Account {
        email: "zoe.zed@example.com",
        name: "Zoë Zed",
        has_factor: false,
    };

    #[test]
    fn the_blocklist_is_sorted_complete_and_matches_whatever_the_case() {
        assert_eq!(BLOCKLIST.len() % PREFIX, 0);
        let entries: Vec<&[u8]> = BLOCKLIST.chunks(PREFIX).collect();
        assert!(entries.len() > 95_000, "{}", entries.len());
        assert!(
            entries.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        for common in [
            "password",
            "123456789",
            "qwertyuiop",
            "Password1",
            "ILOVEYOU",
        ] {
            assert!(is_common(common), "{common}");
        }
        for rare in ["correct horse battery staple 7", "zq8-vexed-otter-lamp"] {
            assert!(!is_common(rare), "{rare}");
        }
    }

    #[test]
    fn length_depends_on_a_second_factor() {
        let short = "vexed otter 7";
        assert!(problems(short, &ZOE)[0].contains("at least 15 characters (13 now)"));
        let with = Account {
            has_factor: true,
            ..ZOE
        };
        assert_eq!(problems(short, &with), Vec::<String>::new());
        assert!(check(&"x y".repeat(MAX_LEN), &with)
            .unwrap_err()
            .contains("at most 1024"));
        // no composition rules: lower-case words are fine
        assert!(check("vexed otter lamp post", &ZOE).is_ok());
    }

    #[test]
    fn common_passwords_and_the_accounts_own_words_are_refused_in_words() {
        let with = Account {
            has_factor: true,
            ..ZOE
        };
        assert!(check("iloveyou1", &with)
            .unwrap_err()
            .contains("most common"));
        assert!(check("my zoe.zed passphrase", &ZOE)
            .unwrap_err()
            .contains("email address"));
        assert!(check("zoë likes long walks", &ZOE)
            .unwrap_err()
            .contains("your name"));
        assert!(check("ZED is my best word", &ZOE)
            .unwrap_err()
            .contains("your name"));
    }
}
