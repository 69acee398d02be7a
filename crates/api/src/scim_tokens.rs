//! The bearer tokens an identity provider uses for directory sync (SCIM).

use serde::{Deserialize, Serialize};

/// `POST /api/v1/admin/scim-tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewScimToken {
    /// Which directory holds it (e.g. "Okta"); not blank.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: String,
    /// Invite the people this directory adds by email at once (the
    /// default); otherwise they wait, listed as invited, until an
    /// administrator sends the invitation.
    #[serde(default = "yes")]
    pub invite: bool,
}

fn yes() -> bool {
    true
}

/// A token; `token` (the secret itself) only in the answer that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScimToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// Whether the people its directory adds are invited at once.
    pub invite: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}
