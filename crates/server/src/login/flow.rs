//! The login as a state machine: after the password, one pure function
//! decides what comes next from the user's role, MFA requirement and
//! confirmed factors. The handlers of every later step ask it again, at
//! that moment, instead of keeping their own stage checks.

use portcullis_api::{FactorKind, MfaStatus, Role};

use crate::clock::Timestamp;
use crate::rules::app_need::Need;
use crate::rules::requirement::{self as status, Requirement};

/// Shown when the enrollment period is over.
pub const LOCKED_MESSAGE: &str =
    "Your time to set up multi-factor authentication has run out, so you cannot log in. \
     Contact your administrator to unlock your account.";

/// Shown when an administrator without a factor signs in with the password.
pub const SETUP_LINK_MESSAGE: &str =
    "Your administrator account has no second factor yet, and a password alone cannot set one up. \
     Open the setup link you were sent, or ask another administrator for a new one.";

/// Shown when a suspended account passes the password (or a key).
pub const SUSPENDED_MESSAGE: &str = "This account is suspended, so it cannot sign in. \
     Contact your administrator if you think this is a mistake.";

/// The next step of a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// No second factor needed: signed in.
    SignedIn,
    /// Prove one of these factors.
    SecondFactor(Vec<FactorKind>),
    /// Set up a factor now; `mandatory` when it cannot be postponed.
    Enroll {
        mandatory: bool,
        days_left: Option<u32>,
        /// The end of the period that allows postponing (sessions allowed
        /// only by it end there).
        deadline: Option<Timestamp>,
    },
    /// The enrollment period is over: no session.
    Locked,
    /// An administrator with no factor, without a setup link: a password
    /// alone never binds their first factor. No session.
    SetupLinkNeeded,
    /// An administrator suspended the account. No session.
    Suspended,
}

/// The facts the decision is made of.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub role: Role,
    pub required: bool,
    pub deadline: Option<Timestamp>,
    pub factors: &'a [FactorKind],
    /// A security key stood in for the password (a passkey that did not
    /// verify its user): the second factor must be of another kind, or
    /// one touch of one device would pass both steps.
    pub key_was_first: bool,
    /// A one-time link (invitation or setup link) opened this login.
    pub via_link: bool,
    /// A helpdesk's temporary access code stood in for the second factor.
    pub temporary_access: bool,
    /// An administrator suspended the account.
    pub suspended: bool,
    /// What the resource asks beyond the portal's requirement (an app's
    /// policy).
    pub need: Need,
}

/// What follows the password for a user with these facts at `now`.
pub fn next_step(f: &Facts<'_>, now: Timestamp) -> Next {
    if f.suspended {
        return Next::Suspended;
    }
    if f.temporary_access {
        // The code stands in for a lost factor only to set up a new one:
        // nothing else until then (an app set up replaces the lost one).
        return Next::Enroll {
            mandatory: true,
            days_left: None,
            deadline: None,
        };
    }
    if f.role.is_admin() && f.factors.is_empty() && !f.via_link {
        // Whoever learnt an administrator's password must not become
        // their second factor too.
        return Next::SetupLinkNeeded;
    }
    let provable: Vec<FactorKind> = f
        .factors
        .iter()
        .copied()
        .filter(|k| !(f.key_was_first && *k == FactorKind::Webauthn))
        .filter(|k| f.need != Need::PhishingResistant || *k == FactorKind::Webauthn)
        .collect();
    let requirement = Requirement::for_user(f.role, f.required, f.deadline, !f.factors.is_empty());
    let status = status::status(requirement, now);
    let locked_out = status == MfaStatus::EnrollmentExpired && !f.via_link;
    if f.need != Need::Portal && !locked_out {
        // The resource asks for a factor whatever the user's requirement:
        // one of those it accepts, or setting one up now.
        return if provable.is_empty() {
            Next::Enroll {
                mandatory: true,
                days_left: None,
                deadline: None,
            }
        } else {
            Next::SecondFactor(provable)
        };
    }
    match status {
        MfaStatus::Active | MfaStatus::SetUpNotRequired => Next::SecondFactor(provable),
        MfaStatus::None => Next::SignedIn,
        MfaStatus::EnrollmentPeriod { days_left } => Next::Enroll {
            mandatory: false,
            days_left: Some(days_left),
            deadline: requirement.deadline,
        },
        MfaStatus::RequiredNoPeriod => Next::Enroll {
            mandatory: true,
            days_left: None,
            deadline: None,
        },
        // The link is an administrator's say-so: set up a factor now.
        MfaStatus::EnrollmentExpired if f.via_link => Next::Enroll {
            mandatory: true,
            days_left: None,
            deadline: None,
        },
        MfaStatus::EnrollmentExpired => Next::Locked,
    }
}

/// A step a login in progress may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Prove this factor.
    Prove(FactorKind),
    /// "Remind me later": sign in without MFA while the period lasts.
    Postpone,
    /// Set up a factor.
    Enroll,
}

/// Whether `step` is what `next` asks for.
pub fn allows(next: &Next, step: Step) -> bool {
    match (next, step) {
        (Next::SecondFactor(kinds), Step::Prove(kind)) => kinds.contains(&kind),
        (Next::Enroll { mandatory, .. }, Step::Postpone) => !mandatory,
        (Next::Enroll { .. }, Step::Enroll) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::requirement::DAY;

    const T: Timestamp = 1_800_000_000;
    const TOTP: &[FactorKind] = &[FactorKind::Totp];

    fn facts(
        role: Role,
        required: bool,
        deadline: Option<Timestamp>,
        factors: &[FactorKind],
    ) -> Next {
        with_link(role, required, deadline, factors, false)
    }

    fn with_link(
        role: Role,
        required: bool,
        deadline: Option<Timestamp>,
        factors: &[FactorKind],
        via_link: bool,
    ) -> Next {
        next_step(
            &Facts {
                role,
                required,
                deadline,
                factors,
                key_was_first: false,
                via_link,
                temporary_access: false,
                suspended: false,
                need: Need::Portal,
            },
            T,
        )
    }

    #[test]
    fn every_branch() {
        // nothing required, nothing set up
        assert_eq!(facts(Role::User, false, None, &[]), Next::SignedIn);
        // a factor set up: prove it, required or not
        assert_eq!(
            facts(Role::User, true, None, TOTP),
            Next::SecondFactor(TOTP.to_vec())
        );
        assert_eq!(
            facts(Role::User, false, None, TOTP),
            Next::SecondFactor(TOTP.to_vec())
        );
        // required, in the period: enroll or postpone
        assert_eq!(
            facts(Role::User, true, Some(T + 3 * DAY), &[]),
            Next::Enroll {
                mandatory: false,
                days_left: Some(3),
                deadline: Some(T + 3 * DAY)
            }
        );
        // required with no period: enroll now
        assert_eq!(
            facts(Role::User, true, None, &[]),
            Next::Enroll {
                mandatory: true,
                days_left: None,
                deadline: None
            }
        );
        // period over: locked
        assert_eq!(facts(Role::User, true, Some(T), &[]), Next::Locked);
        assert_eq!(facts(Role::User, true, Some(T - DAY), &[]), Next::Locked);
    }

    #[test]
    fn administrators_enroll_at_once_through_a_link_and_are_never_locked() {
        for role in [Role::Admin, Role::BillingAdmin] {
            let mandatory = Next::Enroll {
                mandatory: true,
                days_left: None,
                deadline: None,
            };
            assert_eq!(with_link(role, false, None, &[], true), mandatory);
            assert_eq!(with_link(role, true, Some(T + DAY), &[], true), mandatory);
            assert_eq!(with_link(role, true, Some(T - DAY), &[], true), mandatory);
            // the password alone never binds an administrator's first factor
            assert_eq!(facts(role, false, None, &[]), Next::SetupLinkNeeded);
            assert_eq!(facts(role, true, Some(T - DAY), &[]), Next::SetupLinkNeeded);
            assert_eq!(
                facts(role, false, None, TOTP),
                Next::SecondFactor(TOTP.to_vec())
            );
        }
        // a user's link changes nothing, but for a period that is over:
        // the link lets them set up a factor now instead of locking them out
        assert_eq!(
            with_link(Role::User, false, None, &[], true),
            Next::SignedIn
        );
        assert_eq!(
            with_link(Role::User, true, Some(T - DAY), &[], true),
            Next::Enroll {
                mandatory: true,
                days_left: None,
                deadline: None
            }
        );
    }

    #[test]
    fn a_suspended_account_goes_no_further_whatever_else_holds() {
        for (role, factors, via_link) in [
            (Role::User, &[][..], false),
            (Role::User, TOTP, false),
            (Role::Admin, &[][..], true),
        ] {
            let next = next_step(
                &Facts {
                    role,
                    required: true,
                    deadline: None,
                    factors,
                    key_was_first: false,
                    via_link,
                    temporary_access: via_link,
                    suspended: true,
                    need: Need::Portal,
                },
                T,
            );
            assert_eq!(next, Next::Suspended);
        }
    }

    #[test]
    fn a_temporary_access_code_opens_only_the_setup_of_a_new_factor() {
        for (role, factors, required, deadline) in [
            (Role::User, TOTP, false, None),
            (Role::User, TOTP, true, Some(T - 1)),
            (Role::Admin, &[][..], true, None),
        ] {
            let next = next_step(
                &Facts {
                    role,
                    required,
                    deadline,
                    factors,
                    key_was_first: false,
                    via_link: false,
                    temporary_access: true,
                    suspended: false,
                    need: Need::Portal,
                },
                T,
            );
            let setup = Next::Enroll {
                mandatory: true,
                days_left: None,
                deadline: None,
            };
            assert_eq!(next, setup);
            assert!(allows(&next, Step::Enroll));
            assert!(!allows(&next, Step::Postpone));
            assert!(!allows(&next, Step::Prove(FactorKind::Totp)));
        }
    }

    #[test]
    fn steps_allowed_by_each_next() {
        let prove = Next::SecondFactor(TOTP.to_vec());
        assert!(allows(&prove, Step::Prove(FactorKind::Totp)));
        assert!(!allows(&prove, Step::Prove(FactorKind::Webauthn)));
        assert!(!allows(&prove, Step::Postpone));
        assert!(!allows(&prove, Step::Enroll));
        let period = facts(Role::User, true, Some(T + DAY), &[]);
        assert!(allows(&period, Step::Postpone));
        assert!(allows(&period, Step::Enroll));
        assert!(!allows(&period, Step::Prove(FactorKind::Totp)));
        let now = facts(Role::User, true, None, &[]);
        assert!(!allows(&now, Step::Postpone));
        assert!(allows(&now, Step::Enroll));
        for next in [
            Next::SignedIn,
            Next::Locked,
            Next::SetupLinkNeeded,
            Next::Suspended,
        ] {
            for step in [Step::Postpone, Step::Enroll, Step::Prove(FactorKind::Totp)] {
                assert!(!allows(&next, step), "{next:?} {step:?}");
            }
        }
    }

    #[test]
    fn a_key_in_place_of_the_password_is_not_also_the_second_factor() {
        let after_key = |factors: &[FactorKind], required: bool| {
            next_step(
                &Facts {
                    role: Role::User,
                    required,
                    deadline: None,
                    factors,
                    key_was_first: true,
                    via_link: false,
                    temporary_access: false,
                    suspended: false,
                    need: Need::Portal,
                },
                T,
            )
        };
        let both = [FactorKind::Totp, FactorKind::Webauthn];
        assert_eq!(after_key(&both, true), Next::SecondFactor(TOTP.to_vec()));
        // Only keys: no second factor is left, required or not (never
        // signed in by the touch alone).
        let keys = [FactorKind::Webauthn];
        assert_eq!(after_key(&keys, true), Next::SecondFactor(vec![]));
        assert_eq!(after_key(&keys, false), Next::SecondFactor(vec![]));
        assert!(!allows(
            &after_key(&keys, false),
            Step::Prove(FactorKind::Webauthn)
        ));
    }

    #[test]
    fn an_app_that_asks_for_more_than_the_portal_gets_it() {
        let with_need = |factors: &[FactorKind], required: bool, deadline, need| {
            next_step(
                &Facts {
                    role: Role::User,
                    required,
                    deadline,
                    factors,
                    key_was_first: false,
                    via_link: false,
                    temporary_access: false,
                    suspended: false,
                    need,
                },
                T,
            )
        };
        let set_up_now = Next::Enroll {
            mandatory: true,
            days_left: None,
            deadline: None,
        };
        // nothing required, nothing set up: the app's login sets one up now
        assert_eq!(with_need(&[], false, None, Need::SecondFactor), set_up_now);
        // in an enrollment period: no postponing for this app
        assert_eq!(
            with_need(&[], true, Some(T + DAY), Need::SecondFactor),
            set_up_now
        );
        // a period that is over still locks the account out
        assert_eq!(
            with_need(&[], true, Some(T - DAY), Need::SecondFactor),
            Next::Locked
        );
        let both = [FactorKind::Totp, FactorKind::Webauthn];
        assert_eq!(
            with_need(&both, false, None, Need::SecondFactor),
            Next::SecondFactor(both.to_vec())
        );
        // only keys count for a phishing-resistant app; without one, set one up
        assert_eq!(
            with_need(&both, false, None, Need::PhishingResistant),
            Next::SecondFactor(vec![FactorKind::Webauthn])
        );
        assert_eq!(
            with_need(TOTP, false, None, Need::PhishingResistant),
            set_up_now
        );
        // the portal's own need is unchanged
        assert_eq!(with_need(&[], false, None, Need::Portal), Next::SignedIn);
    }
}
