//! JSON types of the Portcullis API (`/api/v1`), shared by the SPA, the server
//! and `protect`, so both ends of every request agree at compile time.

use serde::{Deserialize, Serialize};

pub mod input;
mod wire;

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
#[serde(
    tag = "next",
    rename_all = "snake_case",
    try_from = "wire::LoginResponseWire"
)]
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

/// A user's MFA status (SPEC §4): the admin list shows it, the login state
/// machine follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "status",
    rename_all = "snake_case",
    try_from = "wire::MfaStatusWire"
)]
pub enum MfaStatus {
    /// Set up and required.
    Active,
    /// Required, not set up, this many whole days left to do it.
    EnrolmentPeriod { days_left: u32 },
    /// Required, not set up, period over: locked out until an admin acts.
    EnrolmentExpired,
    /// Set up although not required.
    SetUpNotRequired,
    /// Required with no period: must set up at the next login.
    RequiredNoPeriod,
    /// Neither required nor set up.
    None,
}

/// The authenticator-app factor of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "state",
    rename_all = "snake_case",
    try_from = "wire::TotpStateWire"
)]
pub enum TotpState {
    NotSetUp,
    /// Enrolment started; waiting for the first code.
    Pending,
    /// In use since this time (Unix seconds).
    Active {
        since: i64,
    },
}

/// `GET /api/v1/mfa`: the signed-in (or half-signed-in) user's MFA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MfaOverview {
    pub status: MfaStatus,
    /// End of the enrolment period (Unix seconds), if there is one.
    pub deadline: Option<i64>,
    pub totp: TotpState,
}

/// A one-time code typed by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeRequest {
    pub code: String,
}

/// `POST /api/v1/totp/enrol`: what the authenticator app needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrolment {
    /// Base32 key, no padding (also inside `uri`).
    pub secret: String,
    /// `otpauth://totp/…` for the QR code.
    pub uri: String,
    pub issuer: String,
    pub account: String,
}

/// Admin: require MFA (or reset it) with an enrolment period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentPeriodRequest {
    /// 1–365 days; absent means the default of 7; `null` means no period
    /// (the user must set up MFA at the next login).
    #[serde(default = "default_period_days")]
    pub period_days: Option<u32>,
}

fn default_period_days() -> Option<u32> {
    Some(7)
}

/// Admin view of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub mfa: MfaStatus,
    pub mfa_required: bool,
    pub deadline: Option<i64>,
    pub totp: TotpState,
}

/// A page of users, ordered by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserPage {
    pub users: Vec<AdminUser>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
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
    pub const WRONG_CODE: &str = "wrong_code";
    pub const CODE_ALREADY_USED: &str = "code_already_used";
    pub const ALREADY_SET_UP: &str = "already_set_up";
    pub const NO_PENDING_ENROLMENT: &str = "no_pending_enrolment";
    pub const NOT_ALLOWED_NOW: &str = "not_allowed_now";
    pub const LOCKED: &str = "mfa_enrolment_expired";
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
    fn period_default_absent_and_null() {
        let absent: EnrolmentPeriodRequest =
            serde_json::from_str("{}").unwrap_or(EnrolmentPeriodRequest {
                period_days: Some(0),
            });
        assert_eq!(absent.period_days, Some(7));
        let none: EnrolmentPeriodRequest = serde_json::from_str(r#"{"period_days":null}"#)
            .unwrap_or(EnrolmentPeriodRequest {
                period_days: Some(0),
            });
        assert_eq!(none.period_days, None);
        let status =
            serde_json::to_string(&MfaStatus::EnrolmentPeriod { days_left: 3 }).unwrap_or_default();
        assert_eq!(status, r#"{"status":"enrolment_period","days_left":3}"#);
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::User, Role::Admin, Role::BillingAdmin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(v: T) {
        let json = serde_json::to_string(&v).unwrap_or_default();
        let back: Result<T, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(v), "{json}");
    }

    #[test]
    fn every_variant_reads_back_what_it_writes() {
        let me = Me {
            id: "u1".into(),
            email: "a@example.com".into(),
            display_name: "A".into(),
            role: Role::Admin,
        };
        round_trip(LoginResponse::Done { user: me });
        round_trip(LoginResponse::Mfa {
            factors: vec![FactorKind::Totp],
        });
        round_trip(LoginResponse::Enroll {
            mandatory: true,
            days_left: None,
        });
        round_trip(LoginResponse::Locked {
            message: "m".into(),
        });
        for s in [
            MfaStatus::Active,
            MfaStatus::EnrolmentPeriod { days_left: 4 },
            MfaStatus::EnrolmentExpired,
            MfaStatus::SetUpNotRequired,
            MfaStatus::RequiredNoPeriod,
            MfaStatus::None,
        ] {
            round_trip(s);
        }
        for t in [
            TotpState::NotSetUp,
            TotpState::Pending,
            TotpState::Active { since: 7 },
        ] {
            round_trip(t);
        }
    }

    #[test]
    fn unknown_or_incomplete_variants_are_errors() {
        assert!(serde_json::from_str::<LoginResponse>(r#"{"next":"teleport"}"#).is_err());
        assert!(serde_json::from_str::<LoginResponse>(r#"{"next":"done"}"#).is_err());
        assert!(serde_json::from_str::<MfaStatus>(r#"{"status":"enrolment_period"}"#).is_err());
    }
}
