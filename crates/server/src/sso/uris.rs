//! The addresses an app registers: absolute, https (http only on the
//! machine itself, for development and native apps), no fragment, no
//! credentials. Redirects later match a registered one exactly, character
//! for character: no prefix, no wildcard, no normalisation.

use std::sync::LazyLock;

use regex::Regex;
use url::{Host, Url};

use portcullis_api::apps::{URI_MAX_CHARS, URI_PATTERN};

// The published pattern decides; `Url` only finds the words for a refusal.
static ALLOWED: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(URI_PATTERN).ok());

/// Why an address is refused, in words.
pub fn check(what: &str, text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(format!("Enter the {what}."));
    }
    if text.chars().count() > URI_MAX_CHARS {
        return Err(format!(
            "The {what} is longer than {URI_MAX_CHARS} characters."
        ));
    }
    let allowed = ALLOWED.as_ref().is_some_and(|re| re.is_match(text));
    if allowed {
        Ok(trimmed.to_string())
    } else {
        Err(explain(what, trimmed))
    }
}

/// The most useful reason an address does not fit the pattern.
fn explain(what: &str, text: &str) -> String {
    let Ok(url) = Url::parse(text) else {
        return format!("The {what} “{text}” is not a full address (it must start with https://).");
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return format!(
                "The {what} “{text}” must use https (http only on 127.0.0.1, [::1] or localhost)."
            )
        }
        _ => return format!("The {what} “{text}” must start with https://."),
    }
    if url.fragment().is_some() {
        return format!("The {what} “{text}” must not have a fragment (#…).");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return format!("The {what} “{text}” must not hold a user name or password.");
    }
    format!(
        "The {what} “{text}” has characters an address may not hold: use a host name in \
         ASCII (an international name in its xn-- form), a port up to 65535, and escape \
         other characters with %."
    )
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a list: at least `min`, at most 10; duplicates kept once.
pub fn check_list(what: &str, list: &[String], min: usize) -> Result<Vec<String>, String> {
    if list.len() < min {
        return Err(format!("Enter at least one {what}."));
    }
    if list.len() > 10 {
        return Err(format!("At most 10 of the {what}s."));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for text in list {
        let uri = check(what, text)?;
        // Listed twice is harmless: kept once.
        if !out.contains(&uri) {
            out.push(uri);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_full_safe_addresses() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com/cb?tenant=1",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "http://[::1]:9000/",
            "https://xn--exmple-cua.com/a%20b?x=1&y=/z",
            "https://10.0.0.1:8443",
            "  https://app.example.com/cb\n",
        ] {
            assert_eq!(check("redirect URI", ok).as_deref(), Ok(ok.trim()), "{ok}");
        }
        for bad in [
            "",
            "/callback",
            "app.example.com/cb",
            "http://app.example.com/cb",
            "javascript:alert(1)",
            "https://app.example.com/cb#x",
            "https://user:pw@app.example.com/cb",
            "ftp://example.com/",
            "https://exa mple.com/",
            "https://example.com:99999/",
            "https://exämple.com/",
            "https://example.com/a b",
            "https://example.com/%zz",
            "https://1.2.3.999/",
            "https://[2001:db8::1]/",
            "http://127.0.0.1.example.com/",
        ] {
            assert!(check("redirect URI", bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URI_MAX_CHARS));
        assert!(check("redirect URI", &long).is_err());
    }

    #[test]
    fn lists_are_bounded_and_keep_a_duplicate_once() {
        let one = vec!["https://a.example/cb".to_string()];
        assert!(check_list("redirect URI", &[], 1).is_err());
        assert!(check_list("redirect URI", &one, 1).is_ok());
        assert_eq!(
            check_list("redirect URI", &[one[0].clone(), one[0].clone()], 1),
            Ok(one.clone())
        );
        let many: Vec<String> = (0..11).map(|i| format!("https://a.example/{i}")).collect();
        assert!(check_list("redirect URI", &many, 1).is_err());
    }
}
