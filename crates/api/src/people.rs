//! Bringing people in: an administrator adds a user (who is invited by
//! email), setup links for an account with no factor, and the welcome
//! screen a link opens.

use serde::{Deserialize, Serialize};

use crate::Role;

/// `POST /api/v1/admin/users`: add a user, who gets an invitation email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    /// Unique whatever its case; trimmed and lower-cased when stored.
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: String,
    /// Not blank; no control characters (tabs, line breaks).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub display_name: String,
    pub role: Role,
}

/// A one-time link an administrator hands over out of band (a setup link
/// for an account with no factor). Shown once: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupLink {
    /// The whole link, token included.
    pub url: String,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// A new account: choose a password, then set up MFA where required.
    Invitation,
    /// An account with no factor: confirm the password, then set up the
    /// first factor.
    Setup,
    /// A forgotten password: a new one, after the account's second factor
    /// when it has one.
    Reset,
}

/// `POST /api/v1/welcome/peek`: the token of a link, read from the page's
/// address (after `#`, so it never reaches a server log).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WelcomeToken {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub token: String,
}

/// What a valid link opens, without using it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WelcomeInfo {
    pub email: String,
    pub display_name: String,
    pub purpose: LinkPurpose,
    /// The shortest password the account may choose now.
    pub min_password_chars: u32,
    /// A reset asks for a code of the account's second factor (a code
    /// from the authenticator app, or a recovery code) with the new
    /// password.
    #[serde(default)]
    pub needs_code: bool,
}

/// `POST /api/v1/welcome`: use the link. For an invitation, `password` is
/// the new password; for a setup link, the account's password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WelcomeRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub token: String,
    #[cfg_attr(
        feature = "openapi",
        schema(format = "password", min_length = 1, max_length = 1024)
    )]
    pub password: String,
}

impl std::fmt::Debug for WelcomeToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WelcomeToken").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WelcomeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WelcomeRequest").finish_non_exhaustive()
    }
}

/// `POST /api/v1/password/check`: what a new password of the signed-in
/// user would be refused for, before they submit it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordCheck {
    #[cfg_attr(feature = "openapi", schema(format = "password", max_length = 1024))]
    pub password: String,
}

impl std::fmt::Debug for PasswordCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCheck").finish_non_exhaustive()
    }
}

/// The server's verdict on a new password: the rules that apply to the
/// account, and every one it breaks, in words (none: it would be taken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordVerdict {
    /// The shortest password the account may choose now (15 without a
    /// second factor, 8 with one).
    pub min_chars: u32,
    pub problems: Vec<String>,
}

/// `POST /api/v1/password/forgot`: send a reset link to this address, if
/// it is an account's (the answer is the same either way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForgotPassword {
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: String,
}

/// `POST /api/v1/password/reset`: a reset link's new password, with a
/// code of the account's second factor when it has one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordReset {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub token: String,
    #[cfg_attr(
        feature = "openapi",
        schema(format = "password", min_length = 1, max_length = 1024)
    )]
    pub password: String,
    /// A code from the authenticator app, or a recovery code.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub code: Option<String>,
}

impl std::fmt::Debug for PasswordReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordReset").finish_non_exhaustive()
    }
}

/// `PATCH /api/v1/admin/users/{id}`: what changes (absent: stays).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserChange {
    /// Not blank; no control characters (tabs, line breaks).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub display_name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub email: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
}

/// `DELETE /api/v1/admin/users/{id}`: the user's email, typed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserDeletion {
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub confirm_email: String,
}

/// A group of users an administrator defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub id: String,
    pub name: String,
    /// How many users are in it.
    pub members: u64,
}

/// `POST /api/v1/admin/groups`, `PATCH /api/v1/admin/groups/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupName {
    /// Unique whatever its case; not blank; no control characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
        )
    )]
    pub name: String,
}
