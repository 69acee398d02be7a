//! Single sign-on: the organisation's apps (OpenID Connect relying
//! parties), as administrators register them and as users see them, and
//! the steps of a sign-in to an app that the SPA walks through.

use serde::{Deserialize, Serialize};

use crate::patterns::{host_name, octet, port, ws};

/// What an app asks of the login that reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppPolicy {
    /// What the organisation asks of a portal login.
    OrgDefault,
    /// Always a second factor, whatever the user's requirement.
    SecondFactor,
    /// Only a security key or passkey as the second factor.
    PhishingResistant,
    /// The password alone.
    NoMfa,
}

impl AppPolicy {
    pub const ALL: [AppPolicy; 4] = [
        AppPolicy::OrgDefault,
        AppPolicy::SecondFactor,
        AppPolicy::PhishingResistant,
        AppPolicy::NoMfa,
    ];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            AppPolicy::OrgDefault => "org_default",
            AppPolicy::SecondFactor => "second_factor",
            AppPolicy::PhishingResistant => "phishing_resistant",
            AppPolicy::NoMfa => "no_mfa",
        }
    }

    pub fn parse(s: &str) -> Option<AppPolicy> {
        AppPolicy::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// In words, for the admin screens.
    pub fn label(self) -> &'static str {
        match self {
            AppPolicy::OrgDefault => "As for the portal (the organisation's setting)",
            AppPolicy::SecondFactor => "Always a second factor",
            AppPolicy::PhishingResistant => "Security keys and passkeys only",
            AppPolicy::NoMfa => "Password only (no MFA)",
        }
    }
}

/// How an app's ID tokens are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SigningAlg {
    /// RSA with SHA-256: every relying party supports it.
    RS256,
    /// ECDSA P-256 with SHA-256.
    ES256,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 2] = [SigningAlg::RS256, SigningAlg::ES256];

    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::RS256 => "RS256",
            SigningAlg::ES256 => "ES256",
        }
    }

    pub fn parse(s: &str) -> Option<SigningAlg> {
        SigningAlg::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// `POST /api/v1/admin/apps` and `PUT /api/v1/admin/apps/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppInput {
    /// Shown on the users' home page and on the phone ("Sign in to …").
    /// Not blank; no control characters (tabs, line breaks).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: String,
    /// Where the tile on the home page leads (https, or http on loopback).
    #[cfg_attr(feature = "openapi", schema(value_type = Uri, inline))]
    pub launch_url: String,
    /// Where codes may be sent, matched exactly (one at least, at most 10;
    /// one listed twice is kept once).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 10, inline))]
    pub redirect_uris: Vec<Uri>,
    /// Where the app may send users after they sign out (at most 10).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10, inline))]
    pub logout_uris: Vec<Uri>,
    /// A confidential client (a server that keeps a secret) or a public
    /// one (a browser or mobile app: PKCE instead). Fixed when registered.
    #[serde(default = "yes")]
    pub confidential: bool,
    pub policy: AppPolicy,
    /// The organisation's own app: no consent screen.
    #[serde(default)]
    pub first_party: bool,
    #[serde(default = "rs256")]
    pub signing_alg: SigningAlg,
    /// Who may sign in to it: everyone, or the listed groups and users.
    #[serde(default)]
    pub everyone: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub groups: Vec<Id>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub users: Vec<Id>,
}

fn yes() -> bool {
    true
}

fn rs256() -> SigningAlg {
    SigningAlg::RS256
}

/// A URI as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uri(pub String);

/// A group's or a user's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(pub String);

/// Longest URI accepted.
pub const URI_MAX_CHARS: usize = 2000;

/// The addresses an app may register, as one pattern that the server
/// checks and the API document publishes, so the two cannot disagree:
/// https to a host name or IPv4 address, http only to the machine itself,
/// an optional port, path and query of URL characters (percent-escapes
/// allowed), no fragment and no user name. Host names are ASCII (an
/// internationalised name in its `xn--` form). White space around the
/// address is allowed and trimmed.
pub const URI_PATTERN: &str = concat!(
    "^",
    ws!(),
    r"(?:https://(?:",
    host_name!(),
    "|",
    octet!(),
    r"(?:\.",
    octet!(),
    "){3}",
    r")|http://(?:localhost|\[::1\]|127(?:\.",
    octet!(),
    "){3}))",
    port!(),
    "?",
    r"(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*",
    r"(?:\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?",
    ws!(),
    "$",
);

// By hand: the derive cannot put a length limit on a newtype's string.
#[cfg(feature = "openapi")]
pub(crate) fn string_schema(
    max: usize,
    words: &str,
    pattern: Option<&str>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(pattern)
        .description(Some(words))
        .into()
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Uri {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(
            URI_MAX_CHARS,
            "An absolute https URI (http only on loopback), no fragment.",
            Some(URI_PATTERN),
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Uri {}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(
            crate::admin_bulk::ID_MAX_CHARS,
            "A group's or a user's id.",
            None,
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Id {}

/// A registered app, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct App {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub launch_url: String,
    pub redirect_uris: Vec<String>,
    pub logout_uris: Vec<String>,
    pub confidential: bool,
    pub policy: AppPolicy,
    pub first_party: bool,
    pub signing_alg: SigningAlg,
    pub everyone: bool,
    pub groups: Vec<AppMember>,
    pub users: Vec<AppMember>,
    pub created_at: i64,
    /// The client secret: only in the answer that made or rotated it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// A group or user an app is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppMember {
    pub id: String,
    /// The group's name, or the user's name and email.
    pub label: String,
}

/// One of the signed-in user's apps: a tile on the home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyApp {
    pub id: String,
    pub name: String,
    pub launch_url: String,
}

/// An app the user has signed in to and that may still act for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedInApp {
    pub app_id: String,
    pub name: String,
    /// When the app last signed the user in or refreshed its tokens.
    pub last_used_at: i64,
    /// What the user agreed to share, in words.
    pub shares: Vec<String>,
}

/// What a sign-in to an app needs next (`POST /api/v1/sso/{request}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum SsoStep {
    /// Go back to the app: with a code, or with an error it understands.
    Redirect { url: String },
    /// Sign in first (for this app).
    Login {
        app: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        login_hint: Option<String>,
    },
    /// Signed in, but the app needs a second factor this session has not
    /// passed: prove one of these.
    StepUp {
        app: String,
        factors: Vec<crate::FactorKind>,
    },
    /// The user agrees to share these (in words) with the app, or not.
    Consent { app: String, shares: Vec<String> },
    /// The sign-in cannot go on, in words (and no way back to the app).
    Refused { message: String },
}

/// `POST /api/v1/sso/{request}/consent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentAnswer {
    pub allow: bool,
}

/// `POST /api/v1/sso/logout`: an app's sign-out request, as the browser
/// brought it to `/oauth2/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoutRequest {
    /// The query string of the app's request (without the `?`).
    #[cfg_attr(feature = "openapi", schema(max_length = 8000))]
    pub query: String,
    /// The user said yes to "Sign out?" (asked when the request does not
    /// name the signed-in user's own ID token).
    #[serde(default)]
    pub confirmed: bool,
}

/// What an app's sign-out request leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum LogoutStep {
    /// Signed out; go to the app's registered address, if it gave one.
    Done {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        redirect: Option<String>,
    },
    /// Ask the user first (the request may not come from their app).
    Confirm {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        app: Option<String>,
    },
}
