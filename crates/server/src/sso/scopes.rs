//! The scopes an app may ask for, and what each shares, in words for the
//! consent screen.

/// Scopes this provider knows. Others are left out of what is granted
/// (OAuth lets a provider grant less than asked).
pub const KNOWN: [&str; 5] = ["openid", "profile", "email", "groups", "offline_access"];

/// The known scopes of a request, in a fixed order; `None` without
/// `openid` (this is an OpenID Connect provider only).
pub fn parse(scope: &str) -> Option<Vec<&'static str>> {
    let asked: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if !asked.contains(&"openid") {
        return None;
    }
    Some(KNOWN.into_iter().filter(|k| asked.contains(k)).collect())
}

/// Whether `granted` (a space-separated list) covers every scope of `asked`.
pub fn covers(granted: &str, asked: &str) -> bool {
    let granted: Vec<&str> = granted.split(' ').collect();
    asked
        .split(' ')
        .filter(|s| !s.is_empty())
        .all(|s| granted.contains(&s))
}

/// The union of two space-separated lists, in the known order.
pub fn union(a: &str, b: &str) -> String {
    KNOWN
        .into_iter()
        .filter(|k| covers(a, k) || covers(b, k))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the scopes share, in words (the consent screen, the Security page).
pub fn shares(scope: &str) -> Vec<String> {
    let mut out = vec!["Who you are (an id that stays the same)".to_string()];
    for s in scope.split(' ') {
        let words = match s {
            "profile" => "Your name",
            "email" => "Your email address",
            "groups" => "The groups you are in",
            "offline_access" => "Access while you are away (until you revoke it)",
            _ => continue,
        };
        out.push(words.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openid_is_required_and_unknown_scopes_are_dropped() {
        assert_eq!(parse("profile email"), None);
        assert_eq!(
            parse("email  openid x-custom"),
            Some(vec!["openid", "email"])
        );
        assert!(covers("openid profile email", "openid email"));
        assert!(!covers("openid email", "openid groups"));
        assert_eq!(
            union("openid email", "openid groups"),
            "openid email groups"
        );
        assert_eq!(shares("openid email").len(), 2);
    }
}
