//! The MFA requirement of a user and the one function that turns it into a
//! status: MFA active, in its enrollment period, expired, set up but not
//! required, required with no period, or none.

use portcullis_api::{MfaStatus, Role};

use crate::clock::Timestamp;

pub const DAY: i64 = 86_400;
pub const MIN_PERIOD_DAYS: u32 = 1;
pub const MAX_PERIOD_DAYS: u32 = 365;
pub const DEFAULT_PERIOD_DAYS: u32 = 7;

/// What the database says about a user's MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub required: bool,
    /// End of the enrollment period; `None` while required: no period.
    pub deadline: Option<Timestamp>,
    /// A confirmed second factor exists.
    pub has_factor: bool,
}

impl Requirement {
    /// The requirement that applies to a user. Administrators always need
    /// MFA, with no enrollment period: whatever the row says, they set it
    /// up at their next login, because their session can change everyone
    /// else's MFA.
    pub fn for_user(
        role: Role,
        required: bool,
        deadline: Option<Timestamp>,
        has_factor: bool,
    ) -> Self {
        if role.is_admin() {
            Requirement {
                required: true,
                deadline: None,
                has_factor,
            }
        } else {
            Requirement {
                required,
                deadline: deadline.filter(|_| required),
                has_factor,
            }
        }
    }
}

/// The status at `now`. Days left are whole days, rounded up: a period that
/// ends in 1 hour still has "1 day left"; at the deadline it has expired.
pub fn status(r: Requirement, now: Timestamp) -> MfaStatus {
    match (r.has_factor, r.required, r.deadline) {
        (true, true, _) => MfaStatus::Active,
        (true, false, _) => MfaStatus::SetUpNotRequired,
        (false, false, _) => MfaStatus::None,
        (false, true, None) => MfaStatus::RequiredNoPeriod,
        (false, true, Some(deadline)) if now < deadline => MfaStatus::EnrollmentPeriod {
            days_left: days_left(deadline, now),
        },
        (false, true, Some(_)) => MfaStatus::EnrollmentExpired,
    }
}

fn days_left(deadline: Timestamp, now: Timestamp) -> u32 {
    let secs = (deadline - now).max(0);
    let days = (secs + DAY - 1) / DAY;
    u32::try_from(days).unwrap_or(u32::MAX)
}

/// The deadline of a period of `days` days starting `now`.
pub fn deadline(now: Timestamp, days: u32) -> Timestamp {
    now + i64::from(days) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = 1_800_000_000;

    fn req(required: bool, deadline: Option<Timestamp>, has_factor: bool) -> Requirement {
        Requirement {
            required,
            deadline,
            has_factor,
        }
    }

    #[test]
    fn every_status() {
        assert_eq!(status(req(true, None, true), T), MfaStatus::Active);
        assert_eq!(status(req(true, Some(T - 1), true), T), MfaStatus::Active);
        assert_eq!(
            status(req(false, None, true), T),
            MfaStatus::SetUpNotRequired
        );
        assert_eq!(status(req(false, None, false), T), MfaStatus::None);
        assert_eq!(
            status(req(true, None, false), T),
            MfaStatus::RequiredNoPeriod
        );
        assert_eq!(
            status(req(true, Some(T + DAY), false), T),
            MfaStatus::EnrollmentPeriod { days_left: 1 }
        );
        assert_eq!(
            status(req(true, Some(T), false), T),
            MfaStatus::EnrollmentExpired
        );
    }

    #[test]
    fn a_seven_day_period_across_the_clock() {
        let start = T;
        let d = deadline(start, 7);
        let at = |t| status(req(true, Some(d), false), t);
        assert_eq!(at(start), MfaStatus::EnrollmentPeriod { days_left: 7 });
        assert_eq!(at(start + 1), MfaStatus::EnrollmentPeriod { days_left: 7 });
        assert_eq!(
            at(start + DAY),
            MfaStatus::EnrollmentPeriod { days_left: 6 }
        );
        // day N-1: the last day
        assert_eq!(
            at(start + 6 * DAY),
            MfaStatus::EnrollmentPeriod { days_left: 1 }
        );
        assert_eq!(at(d - 1), MfaStatus::EnrollmentPeriod { days_left: 1 });
        // day N: over
        assert_eq!(at(d), MfaStatus::EnrollmentExpired);
        // day N+1: still over
        assert_eq!(at(d + DAY), MfaStatus::EnrollmentExpired);
    }

    #[test]
    fn administrators_always_need_mfa_with_no_period() {
        for role in [Role::Admin, Role::BillingAdmin] {
            let r = Requirement::for_user(role, false, None, false);
            assert_eq!(status(r, T), MfaStatus::RequiredNoPeriod);
            let r = Requirement::for_user(role, true, Some(T + DAY), false);
            assert_eq!(
                status(r, T),
                MfaStatus::RequiredNoPeriod,
                "no period for admins"
            );
            let r = Requirement::for_user(role, false, None, true);
            assert_eq!(status(r, T), MfaStatus::Active);
        }
        let user = Requirement::for_user(Role::User, false, None, false);
        assert_eq!(status(user, T), MfaStatus::None);
    }
}
