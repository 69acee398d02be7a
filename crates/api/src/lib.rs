//! JSON types of the Portcullis API (`/api/v1`), shared by the SPA, the server
//! and `protect`, so both ends of every request agree at compile time.

use serde::{Deserialize, Serialize};

pub mod factor_kind;
pub mod hosts;
pub mod input;
pub mod radius;
pub mod signing;
pub mod user_agent;
pub mod wire;

pub use factor_kind::FactorKind;

/// Header every state-changing request must carry (CSRF defence: a cross-site
/// form or image cannot set custom headers, and a cross-site script would need
/// a CORS preflight that the server never grants).
pub const CSRF_HEADER: &str = "x-portcullis-csrf";
/// The value the SPA sends in [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "1";

/// Base path of the JSON API.
pub const API_BASE: &str = "/api/v1";

/// `POST /api/v1/login`
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The account's email address: one `@`, something before it, a
    /// dotted domain after it, no blanks inside; blanks around it are
    /// ignored. At most 254 bytes (UTF-8) without those blanks.
    // The pattern is the server's check spelled out: `input::plausible_email`
    // after `str::trim`. Rust's white space (Unicode White_Space) is listed
    // character by character, as `\s` means something else in each regex
    // dialect (ECMA-262, Python, Rust). No `format: email`: that names RFC
    // 5321's syntax, stricter than the server's check (which takes
    // `a..b@example.com`), so the document would call valid input invalid.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 5,
            max_length = 254,
            pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@]+@[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@.][^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@]*\.[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@.][\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
        )
    )]
    pub email: String,
    /// Not empty; at most 1024 bytes (UTF-8).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "password", min_length = 1, max_length = 1024)
    )]
    pub password: String,
    /// The app sign-in request (`/sso/{id}`) that sent the browser to the
    /// login: the login is then for that app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub sso: Option<String>,
}

// Hand-written so that a password never reaches a log line through `{:?}`.
impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &REDACTED)
            .field("sso", &self.sso)
            .finish()
    }
}

/// What `Debug` prints instead of a secret.
pub const REDACTED: &str = "[redacted]";

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
    /// MFA is required but not set up: enroll at `/enroll`.
    Enroll {
        /// `false` while an enrollment period has days left.
        mandatory: bool,
        /// Whole days left in the enrollment period, if there is one.
        days_left: Option<u32>,
    },
    /// The enrollment period is over: no session was created.
    Locked { message: String },
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

    /// The role's rank: no one acts on (or grants) a role above their own.
    pub fn rank(self) -> u8 {
        match self {
            Role::User => 0,
            Role::Admin => 1,
            Role::BillingAdmin => 2,
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

/// A user's MFA status: the admin list shows it, the login state
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
    EnrollmentPeriod { days_left: u32 },
    /// Required, not set up, period over: locked out until an admin acts.
    EnrollmentExpired,
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
    /// Enrollment started; waiting for the first code.
    Pending,
    /// In use since this time (Unix seconds).
    Active {
        since: i64,
        /// The key lives on the user's Protect device (given to it at a
        /// unified enrollment), not in an app of the user's choice.
        /// Absent from older servers: not on the device.
        #[serde(default)]
        on_device: bool,
    },
}

/// `GET /api/v1/mfa`: the signed-in (or half-signed-in) user's MFA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MfaOverview {
    pub status: MfaStatus,
    /// End of the enrollment period (Unix seconds), if there is one.
    pub deadline: Option<i64>,
    pub totp: TotpState,
    /// The kinds of factor set up, each once (during login: what
    /// `/login/mfa` can offer). Absent from older servers: none known.
    #[serde(default)]
    pub factors: Vec<FactorKind>,
    /// Of `factors`, the kind used last: `/login/mfa` starts with it.
    #[serde(default)]
    pub last_used: Option<FactorKind>,
    /// Unused recovery codes (during login: whether `/login/mfa` can offer
    /// "Use a recovery code"). They are not a factor of their own, so
    /// `factors` never names them. Absent from older servers: none.
    #[serde(default)]
    pub recovery_codes_left: u32,
    /// The days "Don't ask again on this browser" trusts a browser for
    /// this user (during a login: what the MFA prompt offers); absent:
    /// not offered (the organisation has it off, or an administrator,
    /// who is always asked).
    #[serde(default)]
    pub trust_days: Option<u32>,
    /// Show the banner about the organisation's merge of Protect and the
    /// authenticator app: it merged since this user last dismissed it
    /// (`POST /api/v1/protect/merge-notice`), and the user has a factor
    /// the merge concerns. Only for a signed-in session.
    #[serde(default)]
    pub protect_merged_notice: bool,
    /// Pushes to the user's Protect device are paused until then (Unix
    /// seconds) after one was reported as not theirs: `/login/mfa` starts
    /// with another factor. Absent: not paused.
    #[serde(default)]
    pub push_muted_until: Option<i64>,
    /// This login was let in by a helpdesk's temporary access code: it may
    /// only set up a new factor (a new authenticator app replaces the lost
    /// one).
    #[serde(default)]
    pub temporary_access: bool,
    /// The account's email. During a login, the MFA prompt names the
    /// account being verified with it (and offers "Not you?"). Absent
    /// from older servers.
    #[serde(default)]
    pub email: Option<String>,
    /// The kinds of factor the organisation lets users set up, in
    /// [`FactorKind::ALL`]'s order: the enrollment's chooser offers these.
    /// Absent from older servers: every kind (the server refuses one that
    /// is not allowed anyway).
    #[serde(default)]
    pub allowed: Vec<FactorKind>,
}

/// `POST /api/v1/password`: change one's own password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    /// The password the account has now: not empty, at most 1024
    /// characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "password", min_length = 1, max_length = 1024)
    )]
    pub current_password: String,
    /// The new one: 8 to 1024 characters, not the current one.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "password", min_length = 8, max_length = 1024)
    )]
    pub new_password: String,
}

/// A one-time code typed by the user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeRequest {
    /// Six ASCII digits; blanks, no-break spaces and dashes may stand
    /// around and between them ("123 456", "123-456"); at most 16
    /// characters in all.
    // What `input::parse_code` accepts; 16 is `input::CODE_MAX_CHARS` (the
    // server's tests compare the two).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 6,
            max_length = 16,
            pattern = r"^[ \u00a0-]*(?:[0-9][ \u00a0-]*){6}$"
        )
    )]
    pub code: String,
}

impl std::fmt::Debug for CodeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeRequest")
            .field("code", &REDACTED)
            .finish()
    }
}

/// `POST /api/v1/totp/enroll`: what the authenticator app needs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrollment {
    /// Base32 key, no padding (also inside `uri`).
    pub secret: String,
    /// `otpauth://totp/…` for the QR code.
    pub uri: String,
    pub issuer: String,
    pub account: String,
}

impl std::fmt::Debug for TotpEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrollment")
            .field("secret", &REDACTED)
            .field("uri", &REDACTED)
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .finish()
    }
}

/// Admin: require MFA (or reset it) with an enrollment period.
// The form a client writes (it always states the period, `None` as `null`);
// the server reads the same JSON as `EnrollmentPeriodInput`, which also
// tells an absent `period_days` from `null`. Two types, because the
// portal's code builds this one with an `Option`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollmentPeriodRequest {
    /// 1–365 days; `null` means no period (the user must set up MFA at the
    /// next login); absent means the organisation's default period
    /// (`MfaSettings::default_period_days`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub period_days: Option<u32>,
}

/// An enrollment period as a request states it. Three cases, because an
/// absent field and `null` mean different things on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeriodChoice {
    /// `period_days` absent: the organisation's default period.
    #[default]
    OrgDefault,
    /// `null`: no period; MFA is set up at the next login.
    NoPeriod,
    /// This many days (the server checks the range).
    Days(u32),
}

impl From<Option<u32>> for PeriodChoice {
    /// What a client's `period_days` (always written, `None` as `null`) means.
    fn from(days: Option<u32>) -> Self {
        days.map_or(PeriodChoice::NoPeriod, PeriodChoice::Days)
    }
}

// Only `null` and numbers reach this: an absent field is the `Default`
// (`#[serde(default)]` on the fields that hold one).
impl<'de> Deserialize<'de> for PeriodChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        whole_number(d).map(PeriodChoice::from)
    }
}

/// [`EnrollmentPeriodRequest`] as the server reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct EnrollmentPeriodInput {
    #[serde(default)]
    pub period_days: PeriodChoice,
}

/// A count read the way JSON Schema reads an `integer`, which the API's
/// document promises: `7` and `7.0` are the same number there, so both are
/// accepted; `7.5` and negative numbers are not. `null` is `None`.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<u32>, D::Error> {
    let Some(n) = Option::<f64>::deserialize(d)? else {
        return Ok(None);
    };
    if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
        // in range and whole: the conversion is exact
        Ok(Some(n as u32))
    } else {
        Err(serde::de::Error::custom(format!(
            "expected a whole number from 0 to {}, got {n}",
            u32::MAX
        )))
    }
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
    /// Every kind of confirmed second factor the user has.
    #[serde(default)]
    pub factors: Vec<FactorKind>,
    /// The last time one of their second factors was used (Unix seconds;
    /// see `AdminFactor::last_used_at`); absent: never.
    #[serde(default)]
    pub last_mfa_at: Option<i64>,
    /// The label of their Protect push device; absent: none enrolled.
    #[serde(default)]
    pub protect_device: Option<String>,
    /// Invited and not signed in yet: no password chosen.
    #[serde(default)]
    pub invited: bool,
    /// Suspended by an administrator: no login until reactivated.
    #[serde(default)]
    pub suspended: bool,
}

/// A page of users, in the order asked for.
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
    pub code: ErrorCode,
    /// A sentence a person can read.
    pub message: String,
    /// Seconds to wait before trying again (throttled or busy answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

pub use error_code::ErrorCode;
mod error_code;

pub use admin_bulk::{
    BulkAction, BulkInput, BulkOutcome, BulkRequest, BulkSkip, BulkTarget, UserFilter, UserId,
};
pub use admin_events::{AdminEvent, EventOutcome, EventPage, EVENT_KINDS};
pub use admin_list::{AccountFilter, StatusFilter, UserSort, UserSummary};
pub use admin_settings::{
    AllowedFactors, BiometricPolicy, KindUsers, MfaSettings, MfaSettingsChange, NewUserPeriod,
    ProtectMode, PUSH_MAX_CONCURRENT_MAX,
};
pub use admin_user::{AdminFactor, AdminSession, UserDetail};
pub use apps::{
    App, AppInput, AppMember, AppPolicy, ConsentAnswer, LogoutRequest, LogoutStep, MyApp,
    SignedInApp, SigningAlg, SsoStep,
};
pub use people::{
    ForgotPassword, Group, GroupName, LinkPurpose, NewUser, PasswordCheck, PasswordReset,
    PasswordVerdict, SetupLink, UserChange, UserDeletion, WelcomeInfo, WelcomeRequest,
    WelcomeToken,
};
pub use recovery_codes::{NewRecoveryCodes, RecoveryCodeRequest, RecoveryCodesStatus};
pub use scim_tokens::{NewScimToken, ScimToken};
pub use sessions::{EndedSessions, SessionInfo};
pub use sites::{Site, SiteInput, SiteRule};
pub use temporary_access::{
    TemporaryAccess, TemporaryAccessCode, TemporaryAccessRequest, TEMPORARY_ACCESS_MAX_HOURS,
};
pub use trusted_browsers::{LoginCodeRequest, TrustedBrowser, TRUSTED_BROWSER_MAX_DAYS};
pub use user_import::{ImportProblem, ImportReport, UserImport, IMPORT_MAX_ROWS};
pub mod admin_bulk;
mod admin_events;
mod admin_list;
mod admin_settings;
mod admin_user;
pub mod apps;
pub mod branding;
mod patterns;
/// Protect push: the portal's routes and the device API.
pub mod people;
pub mod protect;
mod recovery_codes;
pub mod scim_tokens;
mod sessions;
pub mod sites;
pub mod temporary_access;
mod trusted_browsers;
pub mod user_import;
/// Always here: the key list and names are plain types the SPA reads; the
/// ceremony messages inside are behind the `webauthn` feature.
pub mod webauthn;

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
        let read = |json: &str| serde_json::from_str::<EnrollmentPeriodInput>(json).ok();
        let choice = |json: &str| read(json).map(|r| r.period_days);
        // absent: the organisation's default; null: no period
        assert_eq!(choice("{}"), Some(PeriodChoice::OrgDefault));
        assert_eq!(
            choice(r#"{"period_days":null}"#),
            Some(PeriodChoice::NoPeriod)
        );
        assert_eq!(
            choice(r#"{"period_days":14}"#),
            Some(PeriodChoice::Days(14))
        );
        // JSON Schema's integers: 30.0 is 30; fractions and negatives are not.
        assert_eq!(
            choice(r#"{"period_days":30.0}"#),
            Some(PeriodChoice::Days(30))
        );
        for bad in ["30.5", "-1", "1e10", "\"30\"", "true"] {
            assert_eq!(read(&format!(r#"{{"period_days":{bad}}}"#)), None, "{bad}");
        }
        // What a client writes reads back as what it meant.
        for days in [None, Some(1), Some(365)] {
            let json = serde_json::to_string(&EnrollmentPeriodRequest { period_days: days })
                .unwrap_or_default();
            assert_eq!(choice(&json), Some(PeriodChoice::from(days)), "{json}");
        }
        let status = serde_json::to_string(&MfaStatus::EnrollmentPeriod { days_left: 3 })
            .unwrap_or_default();
        assert_eq!(status, r#"{"status":"enrollment_period","days_left":3}"#);
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let login = LoginRequest {
            email: "a@example.com".into(),
            password: "hunter2-secret".into(),
            sso: None,
        };
        let code = CodeRequest {
            code: "123456".into(),
        };
        let enrollment = TotpEnrollment {
            secret: "JBSWY3DPEHPK3PXP".into(),
            uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP".into(),
            issuer: "Portcullis".into(),
            account: "a@example.com".into(),
        };
        let text = format!("{login:?} {code:?} {enrollment:?}");
        for secret in ["hunter2-secret", "123456", "JBSWY3DPEHPK3PXP"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("a@example.com"));
    }

    #[test]
    fn error_bodies_carry_typed_codes() {
        let body: Result<ErrorBody, _> =
            serde_json::from_str(r#"{"code":"wrong_code","message":"m"}"#);
        assert_eq!(body.map(|b| b.code).ok(), Some(ErrorCode::WrongCode));
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
            MfaStatus::EnrollmentPeriod { days_left: 4 },
            MfaStatus::EnrollmentExpired,
            MfaStatus::SetUpNotRequired,
            MfaStatus::RequiredNoPeriod,
            MfaStatus::None,
        ] {
            round_trip(s);
        }
        for t in [
            TotpState::NotSetUp,
            TotpState::Pending,
            TotpState::Active {
                since: 7,
                on_device: false,
            },
            TotpState::Active {
                since: 7,
                on_device: true,
            },
        ] {
            round_trip(t);
        }
    }

    #[test]
    fn an_app_from_an_older_server_is_not_on_the_device() {
        let t: TotpState = serde_json::from_str(r#"{"state":"active","since":7}"#).unwrap();
        assert_eq!(
            t,
            TotpState::Active {
                since: 7,
                on_device: false
            }
        );
    }

    #[test]
    fn unknown_or_incomplete_variants_are_errors() {
        assert!(serde_json::from_str::<LoginResponse>(r#"{"next":"teleport"}"#).is_err());
        assert!(serde_json::from_str::<LoginResponse>(r#"{"next":"done"}"#).is_err());
        assert!(serde_json::from_str::<MfaStatus>(r#"{"status":"enrollment_period"}"#).is_err());
    }
}
