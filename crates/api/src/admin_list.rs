//! The query vocabulary of the admin users list: which users, in what order.

use serde::{Deserialize, Serialize};

/// One MFA status to list users by (the `status` filter). The names are
/// those of `MfaStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    Active,
    EnrollmentPeriod,
    EnrollmentExpired,
    SetUpNotRequired,
    RequiredNoPeriod,
    None,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 6] = [
        StatusFilter::EnrollmentExpired,
        StatusFilter::RequiredNoPeriod,
        StatusFilter::EnrollmentPeriod,
        StatusFilter::None,
        StatusFilter::SetUpNotRequired,
        StatusFilter::Active,
    ];

    /// The status a user in this group has (days left aside).
    pub fn matches(self, status: &crate::MfaStatus) -> bool {
        use crate::MfaStatus as M;
        matches!(
            (self, status),
            (StatusFilter::Active, M::Active)
                | (StatusFilter::EnrollmentPeriod, M::EnrollmentPeriod { .. })
                | (StatusFilter::EnrollmentExpired, M::EnrollmentExpired)
                | (StatusFilter::SetUpNotRequired, M::SetUpNotRequired)
                | (StatusFilter::RequiredNoPeriod, M::RequiredNoPeriod)
                | (StatusFilter::None, M::None)
        )
    }
}

/// Where an account stands, apart from MFA: invited (no password yet) or
/// suspended. Accounts in neither state match no value of this filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountFilter {
    /// Added or invited, and has not set a password yet.
    Invited,
    /// Suspended by an administrator or by directory sync.
    Suspended,
}

impl AccountFilter {
    pub const ALL: [AccountFilter; 2] = [AccountFilter::Invited, AccountFilter::Suspended];

    /// The wire name (that of the serde derive), for URLs.
    pub const fn wire(self) -> &'static str {
        match self {
            AccountFilter::Invited => "invited",
            AccountFilter::Suspended => "suspended",
        }
    }
}

/// The order of the users list. Every order ends with a unique key, so
/// pages never repeat or skip a user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    /// By email (the default).
    #[default]
    Email,
    /// By display name, case-insensitive.
    Name,
    /// Most urgent first: expired, required with no period, in a period,
    /// no MFA, set up but not required, active; then by email.
    Status,
    /// Earliest enrollment deadline first; users without one last.
    Deadline,
}

/// How many users are in each MFA status, and how many accounts are
/// invited or suspended: the tiles above the users list. The six statuses
/// share the users out (each user is in exactly one); invited and suspended
/// accounts are counted again there, by their MFA status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// Every user.
    pub total: u32,
    pub active: u32,
    pub enrollment_period: u32,
    pub enrollment_expired: u32,
    pub required_no_period: u32,
    pub set_up_not_required: u32,
    /// No MFA, and none required.
    pub none: u32,
    /// Added or invited, with no password yet.
    pub invited: u32,
    pub suspended: u32,
}

impl UserSummary {
    /// The users in one status.
    pub fn of_status(&self, s: StatusFilter) -> u32 {
        match s {
            StatusFilter::Active => self.active,
            StatusFilter::EnrollmentPeriod => self.enrollment_period,
            StatusFilter::EnrollmentExpired => self.enrollment_expired,
            StatusFilter::SetUpNotRequired => self.set_up_not_required,
            StatusFilter::RequiredNoPeriod => self.required_no_period,
            StatusFilter::None => self.none,
        }
    }

    /// The number in one status, to be set.
    pub fn of_status_mut(&mut self, s: StatusFilter) -> &mut u32 {
        match s {
            StatusFilter::Active => &mut self.active,
            StatusFilter::EnrollmentPeriod => &mut self.enrollment_period,
            StatusFilter::EnrollmentExpired => &mut self.enrollment_expired,
            StatusFilter::SetUpNotRequired => &mut self.set_up_not_required,
            StatusFilter::RequiredNoPeriod => &mut self.required_no_period,
            StatusFilter::None => &mut self.none,
        }
    }

    /// The accounts in one state.
    pub fn of_account(&self, a: AccountFilter) -> u32 {
        match a {
            AccountFilter::Invited => self.invited,
            AccountFilter::Suspended => self.suspended,
        }
    }
}
