//! Helpdesk temporary access: a code an administrator issues to a user who
//! lost their second factor. It stands in for that factor at the login,
//! and the login it opens can only set up a new factor, then goes on.

use serde::{Deserialize, Serialize};

/// The longest a code may be valid, in hours.
pub const TEMPORARY_ACCESS_MAX_HOURS: u32 = 8;

/// `POST /api/v1/admin/users/{id}/temporary-access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemporaryAccessRequest {
    /// How long the code works: 1 to 8 hours.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 8))]
    pub hours: u32,
    /// Works once (then it is gone); otherwise as often as needed until it
    /// expires.
    pub one_time: bool,
}

/// A new code, shown to the administrator once (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemporaryAccess {
    /// `ABCD-EFGH-JKMN`: 12 letters and digits.
    pub code: String,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
    pub one_time: bool,
}

/// `POST /api/v1/login/temporary-access`: the code, at the second step.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemporaryAccessCode {
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub code: String,
}

impl std::fmt::Debug for TemporaryAccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TemporaryAccessCode { code: <hidden> }")
    }
}
