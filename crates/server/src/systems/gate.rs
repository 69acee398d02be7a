//! What a login on a system (a host's PAM stack, a RADIUS client) needs
//! once the password passed, by the portal's own rules (`login::flow`:
//! requirement, enrollment period, suspension) and the system's settings
//! (MFA on or off, who is assigned, unknown users), read afresh each
//! time; and the codes such a login may type.

use portcullis_api::hosts::UnknownUsers;
use portcullis_api::FactorKind;

use crate::app::AppState;
use crate::auth::client::Client;
use crate::auth::email::normalize_email;
use crate::login::flow::{self, Facts, Next};
use crate::mfa::push::rules as push_rules;
use crate::mfa::recovery_codes;
use crate::mfa::totp;
use crate::mfa::totp_factor;
use crate::mfa::MfaError;
use crate::rules::app_need::Need;
use crate::store;
use crate::store::users::User;

/// The system a login is for.
#[derive(Debug, Clone)]
pub struct Gate<'a> {
    /// Its app's id (assignments).
    pub id: &'a str,
    pub name: &'a str,
    /// Ask a second factor (off: the password alone).
    pub mfa: bool,
    pub unknown_users: UnknownUsers,
}

/// What the portal decided for one user on one system.
pub enum Decision {
    Allow {
        message: Option<String>,
        detail: String,
    },
    Deny {
        message: String,
        detail: String,
    },
    Ask {
        user: Box<User>,
        push: bool,
        codes: bool,
    },
}

/// The one user `name` (an email, or the part before the `@` of exactly
/// one user's) stands for, if any.
pub async fn user_named(state: &AppState, name: &str) -> Result<Option<User>, MfaError> {
    let name = normalize_email(name);
    if name.is_empty() || name.chars().any(char::is_control) {
        return Ok(None);
    }
    let mut found = store::users::find_by_login_name(&state.db, &name).await?;
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// The decision for the account `name` on `gate`.
pub async fn decide(state: &AppState, gate: &Gate<'_>, name: &str) -> Result<Decision, MfaError> {
    match user_named(state, name).await? {
        Some(user) => decide_for(state, gate, user).await,
        None => Ok(match gate.unknown_users {
            UnknownUsers::Pass => Decision::Allow {
                message: None,
                detail: format!("{name}, unknown to Portcullis: let in by the system's rule"),
            },
            UnknownUsers::Deny => Decision::Deny {
                message: format!(
                    "Portcullis does not know the account {name}, and {} lets in only people \
                     it knows. Ask your administrator.",
                    gate.name
                ),
                detail: format!("{name}, unknown to Portcullis: refused by the system's rule"),
            },
        }),
    }
}

/// The decision for a known user on `gate`.
pub async fn decide_for(
    state: &AppState,
    gate: &Gate<'_>,
    user: User,
) -> Result<Decision, MfaError> {
    let portal = push_rules::portal(&state.settings);
    if user.suspended_at.is_some() {
        return Ok(Decision::Deny {
            message: flow::SUSPENDED_MESSAGE.into(),
            detail: "the account is suspended".into(),
        });
    }
    if !store::apps::is_assigned(&state.db, gate.id, &user.id).await? {
        return Ok(Decision::Deny {
            message: format!(
                "Your account may not sign in to {}. Ask your administrator to assign it to you.",
                gate.name
            ),
            detail: "not assigned to this system".into(),
        });
    }
    if !gate.mfa {
        return Ok(Decision::Allow {
            message: None,
            detail: "password only (MFA is off here)".into(),
        });
    }
    let factors = crate::rules::factors::login_factors(&state.db, &user.id).await?;
    let next = flow::next_step(
        &Facts {
            role: user.role(),
            required: user.mfa_required,
            deadline: user.mfa_deadline,
            factors: &factors,
            key_was_first: false,
            via_link: false,
            temporary_access: false,
            suspended: false,
            need: Need::Portal,
        },
        state.now(),
    );
    Ok(match next {
        Next::SignedIn => Decision::Allow {
            message: None,
            detail: "password only (MFA not required for this user)".into(),
        },
        Next::SecondFactor(kinds) => {
            let push = kinds.contains(&FactorKind::Push);
            let codes = kinds.contains(&FactorKind::Totp)
                || recovery_codes::left(&state.db, &user.id).await? > 0;
            if push || codes {
                Decision::Ask {
                    user: Box::new(user),
                    push,
                    codes,
                }
            } else {
                Decision::Deny {
                    message: format!(
                        "Your second factor is a security key, which cannot be asked for \
                         here. Set up the authenticator app or Protect push at {portal} to \
                         sign in here."
                    ),
                    detail: "no factor this system can ask for (security keys only)".into(),
                }
            }
        }
        Next::Enroll {
            mandatory: false,
            days_left,
            ..
        } => {
            let days = days_left.unwrap_or(0);
            Decision::Allow {
                message: Some(format!(
                    "Set up multi-factor authentication at {portal} within {days} day{}: after \
                     that you cannot sign in here without it.",
                    if days == 1 { "" } else { "s" }
                )),
                detail: format!("password only: MFA setup due in {days} days"),
            }
        }
        Next::Enroll { .. } => Decision::Deny {
            message: format!(
                "You must set up multi-factor authentication before you can sign in here: \
                 sign in at {portal} to do it."
            ),
            detail: "MFA required and not set up".into(),
        },
        Next::Locked => Decision::Deny {
            message: flow::LOCKED_MESSAGE.into(),
            detail: "the enrollment period is over".into(),
        },
        Next::SetupLinkNeeded => Decision::Deny {
            message: flow::SETUP_LINK_MESSAGE.into(),
            detail: "an administrator without a second factor".into(),
        },
        Next::Suspended => Decision::Deny {
            message: flow::SUSPENDED_MESSAGE.into(),
            detail: "the account is suspended".into(),
        },
    })
}

/// A typed code: six digits are the authenticator app's (when the user
/// has one), anything else a recovery code. Counted and throttled as at
/// the portal; the event detail of what passed.
pub async fn check_code(
    state: &AppState,
    user: &User,
    raw: &str,
    client: &Client,
) -> Result<&'static str, (MfaError, &'static str)> {
    let is_app_code = totp::normalize_code(raw).is_ok();
    let factors = crate::rules::factors::login_factors(&state.db, &user.id)
        .await
        .map_err(|e| (e.into(), "code not checked"))?;
    if is_app_code && factors.contains(&FactorKind::Totp) {
        totp_factor::verify(state, user, raw, client)
            .await
            .map(|()| "password + authenticator app")
            .map_err(|e| (e, "authenticator code refused"))
    } else {
        recovery(state, user, raw, client)
            .await
            .map(|()| "password + recovery code")
            .map_err(|e| (e, "recovery code refused"))
    }
}

/// A recovery code used up for a system's login.
async fn recovery(
    state: &AppState,
    user: &User,
    raw: &str,
    client: &Client,
) -> Result<(), MfaError> {
    let offered = recovery_codes::offer(state, user, raw, client).await?;
    let mut tx = state.db.begin().await?;
    if !recovery_codes::use_in(&mut tx, state, user, &offered, client).await? {
        drop(tx);
        return Err(recovery_codes::refusal(state, user, &offered, client).await?);
    }
    tx.commit().await?;
    recovery_codes::settle(state, &offered).await?;
    Ok(())
}
