//! Every address of the portal. Views build links through [`Page`], never
//! from strings of their own, so a moved screen is one edit here (and the
//! route tree in `app.rs`, whose `path!` literals a test compares with these).

/// The screens a URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Email and password (the only screen in the first download).
    Login,
    /// The second login step: a code from the authenticator app.
    LoginMfa,
    /// Setting up the authenticator app, during login or from the portal.
    Enroll,
    /// The portal's home: MFA status and what to do next.
    Home,
    /// The user's factors.
    Security,
    /// Administration: the people of the organisation.
    AdminUsers,
}

/// Who may open a screen; the route tree puts each behind its guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not (the login steps).
    Anyone,
    /// A signed-in user.
    SignedIn,
    /// A signed-in administrator.
    Admin,
}

impl Page {
    pub const ALL: [Page; 6] = [
        Page::Login,
        Page::LoginMfa,
        Page::Enroll,
        Page::Home,
        Page::Security,
        Page::AdminUsers,
    ];

    /// The path, as the browser shows it.
    pub const fn path(self) -> &'static str {
        match self {
            Page::Login => "/login",
            Page::LoginMfa => "/login/mfa",
            Page::Enroll => "/enroll",
            Page::Home => "/",
            Page::Security => "/security",
            Page::AdminUsers => "/admin/users",
        }
    }

    /// What `<title>` says (before " · Portcullis") and screen readers announce.
    pub const fn title(self) -> &'static str {
        match self {
            Page::Login => "Log in",
            Page::LoginMfa => "Verify it’s you",
            Page::Enroll => "Set up multi-factor authentication",
            Page::Home => "Home",
            Page::Security => "Security",
            Page::AdminUsers => "Users",
        }
    }

    pub const fn audience(self) -> Audience {
        match self {
            Page::Login | Page::LoginMfa | Page::Enroll => Audience::Anyone,
            Page::Home | Page::Security => Audience::SignedIn,
            Page::AdminUsers => Audience::Admin,
        }
    }

    /// The screen at `path` (without query or fragment), if there is one.
    pub fn from_path(path: &str) -> Option<Page> {
        let path = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        Page::ALL.into_iter().find(|p| p.path() == path)
    }

    /// This screen's path, carrying on the `?next=` target (unless that is
    /// the home page, where every login ends anyway).
    pub fn with_next(self, next: &str) -> String {
        match safe_next(Some(next)).as_str() {
            "/" => self.path().to_string(),
            next => format!("{}?next={}", self.path(), encode_component(next)),
        }
    }
}

/// The first segment of every administration path: the admin area is one
/// lazily loaded route below it.
pub const ADMIN_PREFIX: &str = "/admin";

/// The path a `?next=` parameter may send the user to: only paths of this
/// site (an open redirect to another site would help phishing), never back
/// to the login steps themselves.
pub fn safe_next(next: Option<&str>) -> String {
    let login = Page::Login.path();
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control())
                && p != login
                && !p.starts_with("/login?")
                && !p.starts_with("/login/") =>
        {
            p.to_string()
        }
        _ => Page::Home.path().to_string(),
    }
}

/// `/login`, remembering where the user was going.
pub fn login_url(next: &str) -> String {
    Page::Login.with_next(next)
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

/// The full `<title>` of a screen.
pub fn document_title(title: &str) -> String {
    format!("{title} · Portcullis")
}
