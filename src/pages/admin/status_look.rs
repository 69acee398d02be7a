//! How a user's standing looks wherever the admin screens show it (the
//! list's rows, the tiles above it, a user's page): an icon beside the
//! words, and the class that colours it.

use portcullis_api::{AccountFilter, MfaStatus, StatusFilter};

use crate::components::IconKind;

/// An MFA status's icon and tone class (`ok`, `warn`, `bad`, `muted`).
pub fn status_icon(s: MfaStatus) -> (IconKind, &'static str) {
    match s {
        MfaStatus::Active => (IconKind::Ok, "ok"),
        MfaStatus::SetUpNotRequired => (IconKind::Ok, "muted"),
        MfaStatus::EnrollmentPeriod { .. } => (IconKind::Waiting, "warn"),
        MfaStatus::RequiredNoPeriod => (IconKind::Warning, "warn"),
        MfaStatus::EnrollmentExpired => (IconKind::Locked, "bad"),
        MfaStatus::None => (IconKind::Off, "muted"),
    }
}

/// The same for a status filter (the status with its days left aside).
pub fn filter_icon(s: StatusFilter) -> (IconKind, &'static str) {
    status_icon(match s {
        StatusFilter::Active => MfaStatus::Active,
        StatusFilter::EnrollmentPeriod => MfaStatus::EnrollmentPeriod { days_left: 1 },
        StatusFilter::EnrollmentExpired => MfaStatus::EnrollmentExpired,
        StatusFilter::SetUpNotRequired => MfaStatus::SetUpNotRequired,
        StatusFilter::RequiredNoPeriod => MfaStatus::RequiredNoPeriod,
        StatusFilter::None => MfaStatus::None,
    })
}

/// An account state's icon and tone: a suspended account is refused every
/// sign-in; an invited one waits for its person.
pub fn account_icon(a: AccountFilter) -> (IconKind, &'static str) {
    match a {
        AccountFilter::Invited => (IconKind::Waiting, "muted"),
        AccountFilter::Suspended => (IconKind::Locked, "bad"),
    }
}
