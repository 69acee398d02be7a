//! Where to go after login, and how to say it in a URL.

/// The path a `?next=` parameter may send the user to: only paths of this
/// site (an open redirect to another site would help phishing), never back
/// to the login page itself.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control())
                && p != "/login"
                && !p.starts_with("/login?")
                && !p.starts_with("/login/") =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

/// `/login`, remembering where the user was going.
pub fn login_url(next: &str) -> String {
    match safe_next(Some(next)).as_str() {
        "/" => "/login".to_string(),
        next => format!("/login?next={}", encode_component(next)),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `path`, carrying on the `?next=` target (if it is not the home page).
pub fn with_next(path: &str, next: &str) -> String {
    match safe_next(Some(next)).as_str() {
        "/" => path.to_string(),
        next => format!("{path}?next={}", encode_component(next)),
    }
}
