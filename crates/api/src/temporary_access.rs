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
    /// How long the code works: 1 to 8 hours (a whole number, `4.0` too).
    #[serde(deserialize_with = "hours")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 8))]
    pub hours: u32,
    /// Works once (then it is gone); otherwise as often as needed until it
    /// expires.
    pub one_time: bool,
}

fn hours<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    crate::whole_number(d)?.ok_or_else(|| serde::de::Error::custom("hours must be a number"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_whole_numbers_as_json_schema_reads_them() {
        let r: TemporaryAccessRequest = serde_json::from_str(
            r#"{"hours": 5.0, "one_time": false}"#,
        )
        .unwrap_or(TemporaryAccessRequest {
            hours: 0,
            one_time: true,
        });
        assert_eq!(r.hours, 5);
        assert!(serde_json::from_str::<TemporaryAccessRequest>(
            r#"{"hours": 5.5, "one_time": false}"#
        )
        .is_err());
        assert!(serde_json::from_str::<TemporaryAccessRequest>(
            r#"{"hours": null, "one_time": false}"#
        )
        .is_err());
    }
}
