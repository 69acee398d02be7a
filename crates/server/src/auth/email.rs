//! Email addresses as accounts are named by them: compared without case or
//! surrounding blanks, checked for length and shape.

/// Emails compare case-insensitively and without surrounding blanks.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email's length and syntax.
pub fn check_email(email: &str) -> Result<(), String> {
    let e = email.trim();
    if e.is_empty() {
        return Err("Enter an email address.".into());
    }
    if e.chars().count() > 254 {
        return Err("The email address is too long (at most 254 characters).".into());
    }
    if portcullis_api::input::plausible_email(e) {
        Ok(())
    } else {
        Err("Enter an email address like name@example.com.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(normalize_email("  Alice@Example.COM "), "alice@example.com");
        assert!(check_email("alice@example.com").is_ok());
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@example",
            "a b@example.com",
            "a@.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_email(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
