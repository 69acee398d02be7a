//! Bulk actions of the admin users list: Require MFA or Reset MFA for the
//! selected users, or for every user a filter matches.

use serde::{Deserialize, Serialize};

use crate::{FactorKind, StatusFilter};

/// What a bulk action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Require MFA, with the period from today.
    Require,
    /// Remove every factor, end the sessions, and require MFA again.
    Reset,
}

/// Longest search text of a bulk filter, in characters.
pub const SEARCH_MAX_CHARS: usize = 254;
/// Longest user id accepted (ours are 36-character UUIDs).
pub const ID_MAX_CHARS: usize = 64;

/// A user's id: a string on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub String);

// By hand: the derive cannot put a length limit on a newtype's string.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for UserId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(ID_MAX_CHARS))
            .description(Some("A user's id."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for UserId {}

/// The users of a list filter (the same meaning as the list's query).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserFilter {
    /// Start of an email or a name, in any case.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub search: Option<String>,
    #[serde(default)]
    pub status: Option<StatusFilter>,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub factor: Option<FactorKind>,
}

/// Whom a bulk action is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkTarget {
    /// These users (ids), at most 300.
    Ids(Vec<UserId>),
    /// Every user the filter matches when the action runs.
    Filter(UserFilter),
}

/// A bulk action: the same body previews it and applies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkRequest {
    pub action: BulkAction,
    /// 1–365 days; absent means the default of 7; `null` means no period
    /// (set up at the next login).
    #[serde(
        default = "crate::default_period_days",
        deserialize_with = "crate::whole_number"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365, default = 7))]
    pub period_days: Option<u32>,
    pub target: BulkTarget,
}

/// A user the action leaves alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkSkip {
    pub email: String,
    pub reason: String,
}

/// What a bulk action will do (preview) or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    /// Users the action changes (or changed).
    pub changed: u32,
    /// Of those, users who lose an authenticator app (Reset only).
    pub lose_authenticator_app: u32,
    /// Of those, users who had no MFA requirement before.
    pub newly_required: u32,
    /// Users left alone (yourself, or someone who outranks you).
    pub skipped: Vec<BulkSkip>,
}
