//! JSON types of the Portcullis API (`/api/v1`), shared by the SPA, the server
//! and `protect`, so both ends of every request agree at compile time.

use serde::{Deserialize, Serialize};

/// Header every state-changing request must carry (CSRF defence: a cross-site
/// form or image cannot set custom headers, and a cross-site script would need
/// a CORS preflight that the server never grants).
pub const CSRF_HEADER: &str = "x-portcullis-csrf";
/// The value the SPA sends in [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "1";

/// Base path of the JSON API.
pub const API_BASE: &str = "/api/v1";

/// `POST /api/v1/login`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// What the login state machine asks for after the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum LoginResponse {
    /// Fully signed in.
    Done { user: Me },
    /// A second factor is set up: prove it at `/login/mfa`.
    Mfa { factors: Vec<FactorKind> },
    /// MFA is required but not set up: enrol at `/enroll`.
    Enroll {
        /// `false` while an enrolment period has days left.
        mandatory: bool,
        /// Whole days left in the enrolment period, if there is one.
        days_left: Option<u32>,
    },
    /// The enrolment period is over: no session was created.
    Locked { message: String },
}

/// Kinds of second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    Totp,
    Push,
    Webauthn,
    RecoveryCode,
}

/// Roles, from least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Admin,
    BillingAdmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
            Role::BillingAdmin => "billing_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "user" => Some(Role::User),
            "admin" => Some(Role::Admin),
            "billing_admin" => Some(Role::BillingAdmin),
            _ => None,
        }
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::BillingAdmin)
    }
}

/// `GET /api/v1/me`: the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

/// Every error answer of the API has this body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable, machine-readable code, e.g. `invalid_credentials`.
    pub code: String,
    /// A sentence a person can read.
    pub message: String,
    /// Seconds to wait before trying again (throttled answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// Stable error codes, so clients can react without parsing messages.
pub mod codes {
    pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
    pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    pub const FORBIDDEN: &str = "forbidden";
    pub const CSRF: &str = "csrf_rejected";
    pub const BAD_REQUEST: &str = "bad_request";
    pub const VALIDATION: &str = "validation_failed";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const NOT_FOUND: &str = "not_found";
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const INTERNAL: &str = "internal_error";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_response_is_tagged_by_next_step() {
        let enroll = LoginResponse::Enroll {
            mandatory: false,
            days_left: Some(3),
        };
        let json = serde_json::to_string(&enroll).unwrap_or_default();
        assert_eq!(json, r#"{"next":"enroll","mandatory":false,"days_left":3}"#);
        let back: LoginResponse = serde_json::from_str(&json).unwrap_or(LoginResponse::Locked {
            message: String::new(),
        });
        assert_eq!(back, enroll);
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::User, Role::Admin, Role::BillingAdmin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
