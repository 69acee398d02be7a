//! RADIUS clients: VPN gateways and network gear that ask Portcullis
//! (`--radius-listen`) whether a user may connect, with the password and
//! then a code or a push. Administrators register each one with the
//! address it sends from and the secret it shares.

use serde::{Deserialize, Serialize};

use crate::apps::{AppMember, Id};
use crate::patterns::{octet, ws};

/// The address a client sends from: an IPv4 address, or a block of them
/// (`10.0.0.0/24`).
pub const RADIUS_ADDRESS_PATTERN: &str = concat!(
    "^",
    ws!(),
    octet!(),
    r"(?:\.",
    octet!(),
    r"){3}(?:/(?:3[0-2]|[12]?[0-9]))?",
    ws!(),
    "$"
);

/// Longest address accepted, white space around it included.
pub const RADIUS_ADDRESS_MAX_CHARS: usize = 64;

/// The shortest shared secret taken: RADIUS hides passwords with it, so a
/// short one is guessable from one captured packet.
pub const RADIUS_SECRET_MIN_CHARS: usize = 16;
pub const RADIUS_SECRET_MAX_CHARS: usize = 128;

/// `POST /api/v1/admin/radius-clients` and `PUT …/{id}`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RadiusClientInput {
    /// What people see on their phone ("Sign in to Office VPN"), once
    /// across apps, hosts and clients.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: String,
    /// Where its packets come from (see the pattern).
    #[cfg_attr(feature = "openapi", schema(value_type = RadiusAddress, inline))]
    pub address: String,
    /// The shared secret, 16 to 128 printable ASCII characters. Left out
    /// when registering, the server makes one (in the answer, once); left
    /// out on a change, the old one stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 16, max_length = 128, pattern = r"^[!-~]{16,128}$")
    )]
    pub secret: Option<String>,
    #[serde(default)]
    pub everyone: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub groups: Vec<Id>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200, inline))]
    pub users: Vec<Id>,
}

// Hand-written so that a secret never reaches a log line through `{:?}`.
impl std::fmt::Debug for RadiusClientInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RadiusClientInput")
            .field("name", &self.name)
            .field("address", &self.address)
            .field("secret", &self.secret.as_ref().map(|_| crate::REDACTED))
            .finish_non_exhaustive()
    }
}

/// The address's schema.
#[cfg(feature = "openapi")]
pub struct RadiusAddress;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RadiusAddress {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::apps::string_schema(
            RADIUS_ADDRESS_MAX_CHARS,
            "An IPv4 address, or a block of them in CIDR form.",
            Some(RADIUS_ADDRESS_PATTERN),
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RadiusAddress {}

/// A RADIUS client, as administrators see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RadiusClient {
    pub id: String,
    pub name: String,
    pub address: String,
    pub everyone: bool,
    pub groups: Vec<AppMember>,
    pub users: Vec<AppMember>,
    pub created_at: i64,
    /// Only in the answer to a registration that left the secret to the
    /// server: the one it made, shown this once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}
