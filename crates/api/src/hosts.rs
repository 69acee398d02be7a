//! Hosts: Linux servers and desktops whose PAM stack asks Portcullis for
//! a second factor after the password (`pam_portcullis.so`). Administrators
//! register them (`/api/v1/admin/hosts`); a host enrolls once with a
//! one-time token and from then on signs every request
//! (`/api/host/v1/…`) with its own key, by the scheme in
//! [`crate::signing`].

use serde::{Deserialize, Serialize};

use crate::apps::{AppMember, Id};
use crate::protect::PushStatus;

/// The scheme line of a host's signed request.
pub const HOST_SIGNATURE_SCHEME: &str = "portcullis-host-v1";
pub const HOST_HEADER: &str = "x-portcullis-host";
pub const HOST_TIME_HEADER: &str = "x-portcullis-time";
pub const HOST_NONCE_HEADER: &str = "x-portcullis-nonce";
pub const HOST_SIGNATURE_HEADER: &str = "x-portcullis-signature";
/// Base path of the host API.
pub const HOST_API: &str = "/api/host/v1";

/// How long an enrollment token works.
pub const HOST_TOKEN_HOURS: i64 = 24;
/// The longest user name a host may ask about (Linux allows 32; a
/// directory's may be an email address).
pub const HOST_USER_MAX_CHARS: usize = 256;
/// The longest code typed at the prompt (a recovery code with dashes).
pub const HOST_CODE_MAX_CHARS: usize = 64;

/// What a host does with a user name Portcullis does not know (a local
/// account such as a service user).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnknownUsers {
    /// Refused: only people Portcullis knows sign in.
    Deny,
    /// Let in with the password alone.
    Pass,
}

impl UnknownUsers {
    pub fn as_str(self) -> &'static str {
        match self {
            UnknownUsers::Deny => "deny",
            UnknownUsers::Pass => "pass",
        }
    }

    pub fn parse(s: &str) -> Option<UnknownUsers> {
        [UnknownUsers::Deny, UnknownUsers::Pass]
            .into_iter()
            .find(|u| u.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            UnknownUsers::Deny => "Refuse them",
            UnknownUsers::Pass => "Let them in with their password",
        }
    }
}

/// `POST /api/v1/admin/hosts` and `PUT /api/v1/admin/hosts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostInput {
    /// What people see on their phone ("Sign in to web-1"), once across
    /// hosts and apps.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: String,
    /// Ask a second factor after the password (off: the password alone,
    /// still only for the people assigned).
    pub mfa: bool,
    pub unknown_users: UnknownUsers,
    /// Keep what checks the authenticator codes of the people who may
    /// sign in on the host, so that they can still sign in while the
    /// portal cannot be reached (off: such logins are refused).
    #[serde(default)]
    pub offline_totp: bool,
    /// Who may sign in: everyone, or the listed groups and users.
    #[serde(default)]
    pub everyone: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub groups: Vec<Id>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub users: Vec<Id>,
}

/// A host, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Host {
    pub id: String,
    pub name: String,
    pub mfa: bool,
    pub unknown_users: UnknownUsers,
    pub offline_totp: bool,
    pub everyone: bool,
    pub groups: Vec<AppMember>,
    pub users: Vec<AppMember>,
    /// When the host enrolled its key (none yet: it cannot ask anything).
    pub enrolled_at: Option<i64>,
    /// Its last signed request.
    pub last_seen_at: Option<i64>,
    /// Until when its outstanding enrollment token works.
    pub token_expires_at: Option<i64>,
    pub created_at: i64,
}

/// A host with a new enrollment token, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostEnrollment {
    pub host: Host,
    /// Single use, until `host.token_expires_at`; kept only as a hash.
    pub token: String,
    /// What to run on the host, as root.
    pub command: String,
}

/// `POST /api/host/v1/enroll` (not signed: the token is the proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostEnrollRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub token: String,
    /// The host's Ed25519 public key, base64url (43 characters, a `=`
    /// after them is taken).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 43, max_length = 44, pattern = r"^[A-Za-z0-9_-]{43}=?$")
    )]
    pub public_key: String,
}

/// The answer to an enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostEnrolled {
    pub host_id: String,
    pub name: String,
    /// The portal's origin: what the host's signatures name.
    pub portal: String,
    pub offline_totp: bool,
}

/// `POST /api/host/v1/login`: what a user needs on this host, asked
/// after the password passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostLoginRequest {
    /// The account name on the host: a user's email, or the part of it
    /// before the `@` when exactly one user's email starts so.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub user: String,
    /// Where the login comes from (the SSH client's address), for the
    /// events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub from: Option<String>,
}

/// What the host does next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HostNeed {
    /// Let in; the message (if any) is shown first, e.g. the days left to
    /// set up MFA.
    Allow {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Refused, in words the user can act on.
    Deny { message: String },
    /// Ask for a second factor: a code typed (authenticator app or
    /// recovery code), or Enter for a push when `push` is true.
    SecondFactor {
        push: bool,
        codes: bool,
        /// For a host that checks codes itself while the portal cannot be
        /// reached: what it needs to, for this user (none: forget any).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offline: Option<OfflineTotp>,
    },
}

/// What a host keeps to check one user's authenticator codes while the
/// portal cannot be reached: the key (the host seals it at rest), the
/// last time step used (codes of that step or earlier are refused) and
/// until when it may be used.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfflineTotp {
    /// Base32, as in the authenticator app.
    pub secret: String,
    pub last_step: i64,
    /// Unix seconds.
    pub valid_until: i64,
}

// Hand-written so that a key never reaches a log line through `{:?}`.
impl std::fmt::Debug for OfflineTotp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfflineTotp")
            .field("secret", &crate::REDACTED)
            .field("last_step", &self.last_step)
            .field("valid_until", &self.valid_until)
            .finish()
    }
}

/// How long a host may check a user's codes without the portal, after
/// the last check that reached it.
pub const OFFLINE_DAYS: i64 = 7;

/// `POST /api/host/v1/login/code`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostCodeRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub user: String,
    /// Six digits from the authenticator app, or a recovery code.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub from: Option<String>,
}

// Hand-written so that a code never reaches a log line through `{:?}`.
impl std::fmt::Debug for HostCodeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostCodeRequest")
            .field("user", &self.user)
            .field("code", &crate::REDACTED)
            .field("from", &self.from)
            .finish()
    }
}

/// A code accepted: what to show before the shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostAllowed {
    pub message: String,
}

/// `POST /api/host/v1/push/{id}/wait?wait=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostPushWait {
    pub status: PushStatus,
    /// What happened, in words.
    pub message: String,
}
