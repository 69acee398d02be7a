//! The addresses an app registers: absolute, https (http only on the
//! machine itself, for development and native apps), no fragment, no
//! credentials. Redirects later match a registered one exactly, character
//! for character: no prefix, no wildcard, no normalisation.

use url::{Host, Url};

use portcullis_api::apps::URI_MAX_CHARS;

/// Why an address is refused, in words.
pub fn check(what: &str, text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("Enter the {what}."));
    }
    if text.chars().count() > URI_MAX_CHARS {
        return Err(format!(
            "The {what} is longer than {URI_MAX_CHARS} characters."
        ));
    }
    let url = Url::parse(text).map_err(|_| {
        format!("The {what} “{text}” is not a full address (it must start with https://).")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(format!(
                "The {what} “{text}” must use https (http only on 127.0.0.1, [::1] or localhost)."
            ))
        }
        _ => return Err(format!("The {what} “{text}” must start with https://.")),
    }
    if url.fragment().is_some() {
        return Err(format!(
            "The {what} “{text}” must not have a fragment (#…)."
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "The {what} “{text}” must not hold a user name or password."
        ));
    }
    Ok(text.to_string())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a list: at least `min`, at most 10, no duplicates.
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
        if out.contains(&uri) {
            return Err(format!("The {what} “{uri}” is listed twice."));
        }
        out.push(uri);
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
        ] {
            assert_eq!(check("redirect URI", ok).as_deref(), Ok(ok), "{ok}");
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
        ] {
            assert!(check("redirect URI", bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URI_MAX_CHARS));
        assert!(check("redirect URI", &long).is_err());
    }

    #[test]
    fn lists_are_bounded_and_without_duplicates() {
        let one = vec!["https://a.example/cb".to_string()];
        assert!(check_list("redirect URI", &[], 1).is_err());
        assert!(check_list("redirect URI", &one, 1).is_ok());
        assert!(check_list("redirect URI", &[one[0].clone(), one[0].clone()], 1).is_err());
        let many: Vec<String> = (0..11).map(|i| format!("https://a.example/{i}")).collect();
        assert!(check_list("redirect URI", &many, 1).is_err());
    }
}
