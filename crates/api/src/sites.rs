//! Sites behind the organisation's reverse proxy (forward-auth): a rule
//! per domain saying who may open it and what their sign-in must have
//! proved. The proxy asks `/api/authz/forward-auth` before every request.

use serde::{Deserialize, Serialize};

use crate::apps::{AppMember, AppPolicy, Id};
use crate::patterns::{host_name, octet, port, ws};

/// What a site asks of the session that opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SiteRule {
    /// Nobody: the proxy answers 403.
    Deny,
    /// Any signed-in session (the portal's own login).
    PasswordOnly,
    /// A session that passed a second factor.
    SecondFactor,
    /// A session that passed a security key or passkey.
    PhishingResistant,
}

impl SiteRule {
    pub const ALL: [SiteRule; 4] = [
        SiteRule::Deny,
        SiteRule::PasswordOnly,
        SiteRule::SecondFactor,
        SiteRule::PhishingResistant,
    ];

    /// As stored (beside the apps' policies) and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteRule::Deny => "deny",
            SiteRule::PasswordOnly => "no_mfa",
            SiteRule::SecondFactor => "second_factor",
            SiteRule::PhishingResistant => "phishing_resistant",
        }
    }

    pub fn parse(s: &str) -> Option<SiteRule> {
        SiteRule::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The sign-in an allowed site needs, as an app's policy; `None` for
    /// a site nobody may open.
    pub fn policy(self) -> Option<AppPolicy> {
        match self {
            SiteRule::Deny => None,
            SiteRule::PasswordOnly => Some(AppPolicy::NoMfa),
            SiteRule::SecondFactor => Some(AppPolicy::SecondFactor),
            SiteRule::PhishingResistant => Some(AppPolicy::PhishingResistant),
        }
    }

    /// In words, for the admin screens.
    pub fn label(self) -> &'static str {
        match self {
            SiteRule::Deny => "Nobody (deny)",
            SiteRule::PasswordOnly => "Signed in (password only)",
            SiteRule::SecondFactor => "Always a second factor",
            SiteRule::PhishingResistant => "Security keys and passkeys only",
        }
    }
}

/// A domain a rule covers: a host name (`wiki.example.com`), every host
/// under one (`*.example.com`, not the name itself) or an IPv4 address,
/// each optionally with a port (then only that port). ASCII only (an
/// internationalised name in its `xn--` form); white space around it is
/// trimmed and letters are kept in lower case.
pub const DOMAIN_PATTERN: &str = concat!(
    "^",
    ws!(),
    r"(?:(?:\*\.)?",
    host_name!(),
    "|",
    octet!(),
    r"(?:\.",
    octet!(),
    "){3})",
    port!(),
    "?",
    ws!(),
    "$",
);

/// Longest domain accepted.
pub const DOMAIN_MAX_CHARS: usize = 260;

/// `POST /api/v1/admin/sites` and `PUT /api/v1/admin/sites/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteInput {
    /// The host the proxy serves (see the pattern), once across all sites.
    #[cfg_attr(feature = "openapi", schema(value_type = Domain, inline))]
    pub domain: String,
    pub rule: SiteRule,
    /// Who may open it: everyone, or the listed groups and users (a rule
    /// of `deny` lets nobody in whatever is listed).
    #[serde(default)]
    pub everyone: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub groups: Vec<Id>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub users: Vec<Id>,
}

/// The domain's schema: a newtype's string cannot carry a pattern through
/// the derive.
#[cfg(feature = "openapi")]
pub struct Domain;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Domain {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::apps::string_schema(
            DOMAIN_MAX_CHARS,
            "A host name, *. and a parent domain, or an IPv4 address; optionally :port.",
            Some(DOMAIN_PATTERN),
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Domain {}

/// A site, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: String,
    pub domain: String,
    pub rule: SiteRule,
    pub everyone: bool,
    pub groups: Vec<AppMember>,
    pub users: Vec<AppMember>,
    pub created_at: i64,
}
