//! A login on a host, after its password passed: what this user needs
//! there (let in, refused in words, or a second factor), then a code
//! (authenticator app or recovery code) or a push whose resource is the
//! host. The portal's own rules decide (`login::flow`: requirement,
//! enrollment period, suspension), read afresh at each request, and every
//! outcome is an event naming the host and the factor.

use portcullis_api::hosts::{HostAllowed, HostNeed, HostPushWait, UnknownUsers};
use portcullis_api::protect::{PushStarted, PushStatus};
use portcullis_api::{AppPolicy, FactorKind};

use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::email::normalize_email;
use crate::login::flow::{self, Facts, Next};
use crate::mfa::push::send::{self as push_send, Asker, Purpose};
use crate::mfa::push::{policy as push_policy, rows as push_rows, rules as push_rules};
use crate::mfa::recovery_codes;
use crate::mfa::totp;
use crate::mfa::totp_factor;
use crate::mfa::MfaError;
use crate::rules::app_need::Need;
use crate::rules::resource::Resource;
use crate::store;
use crate::store::hosts::Host;
use crate::store::users::User;

/// What the portal decided for one user on one host.
enum Decision {
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

const NO_CODE_NEEDED: &str = "This login does not ask for a second factor now.";
const NO_PUSH: &str = "Protect push is not set up for this account (or is switched off): type a \
     code from your authenticator app or a recovery code.";

fn resource(host: &Host) -> Resource {
    Resource::Host {
        id: host.id.clone(),
        name: host.name.clone(),
    }
}

/// The one user `name` stands for on a host, if exactly one.
async fn user_named(state: &AppState, name: &str) -> Result<Option<User>, MfaError> {
    let name = normalize_email(name);
    if name.is_empty() || name.chars().any(char::is_control) {
        return Ok(None);
    }
    let mut found = store::users::find_by_login_name(&state.db, &name).await?;
    Ok(if found.len() == 1 { found.pop() } else { None })
}

async fn decide(state: &AppState, host: &Host, name: &str) -> Result<Decision, MfaError> {
    let portal = push_rules::portal(&state.settings);
    let Some(user) = user_named(state, name).await? else {
        return Ok(
            match UnknownUsers::parse(&host.unknown_users).unwrap_or(UnknownUsers::Deny) {
                UnknownUsers::Pass => Decision::Allow {
                    message: None,
                    detail: format!("{name}, unknown to Portcullis: let in by the host's rule"),
                },
                UnknownUsers::Deny => Decision::Deny {
                    message: format!(
                        "Portcullis does not know the account {name}, and {} lets in only people \
                         it knows. Ask your administrator.",
                        host.name
                    ),
                    detail: format!("{name}, unknown to Portcullis: refused by the host's rule"),
                },
            },
        );
    };
    if user.suspended_at.is_some() {
        return Ok(Decision::Deny {
            message: flow::SUSPENDED_MESSAGE.into(),
            detail: "the account is suspended".into(),
        });
    }
    if !store::apps::is_assigned(&state.db, &host.id, &user.id).await? {
        return Ok(Decision::Deny {
            message: format!(
                "Your account may not sign in to {}. Ask your administrator to assign it to you.",
                host.name
            ),
            detail: "not assigned to this host".into(),
        });
    }
    if host.policy == AppPolicy::NoMfa.as_str() {
        return Ok(Decision::Allow {
            message: None,
            detail: "password only (MFA is off on this host)".into(),
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
                        "Your second factor is a security key, which a terminal cannot ask \
                         for. Set up the authenticator app or Protect push at {portal} to \
                         sign in here."
                    ),
                    detail: "no factor a host can ask for (security keys only)".into(),
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

/// Records an outcome of a login on `host`.
async fn record(
    state: &AppState,
    host: &Host,
    kind: EventKind,
    user_id: Option<&str>,
    client: &Client,
    detail: &str,
    from: Option<&str>,
) -> Result<(), MfaError> {
    let words = match from {
        Some(from) => format!("{detail}; from {from}"),
        None => detail.to_string(),
    };
    let resource = resource(host);
    let event = Event {
        kind,
        actor: user_id.map_or(Actor::Anonymous, Actor::User),
        subject: user_id,
        client: Some(client),
        detail: &words,
        resource: None,
    }
    .for_resource(&resource);
    audit::record(&state.db, state.now(), event).await?;
    Ok(())
}

/// Where a login comes from, as recorded: one line, not too long.
fn from_of(from: Option<&str>) -> Option<String> {
    from.map(|f| {
        f.chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect::<String>()
    })
    .filter(|f| !f.trim().is_empty())
}

/// What `name` needs to sign in to `host` now. An outcome that needs no
/// factor (let in, refused) is recorded here.
pub async fn need(
    state: &AppState,
    host: &Host,
    name: &str,
    from: Option<&str>,
    client: &Client,
) -> Result<HostNeed, MfaError> {
    let from = from_of(from);
    Ok(match decide(state, host, name).await? {
        Decision::Allow { message, detail } => {
            let who = user_named(state, name).await?.map(|u| u.id);
            let kind = EventKind::HostLogin;
            record(
                state,
                host,
                kind,
                who.as_deref(),
                client,
                &detail,
                from.as_deref(),
            )
            .await?;
            HostNeed::Allow { message }
        }
        Decision::Deny { message, detail } => {
            let who = user_named(state, name).await?.map(|u| u.id);
            let kind = EventKind::HostRefused;
            record(
                state,
                host,
                kind,
                who.as_deref(),
                client,
                &detail,
                from.as_deref(),
            )
            .await?;
            HostNeed::Deny { message }
        }
        Decision::Ask { push, codes, .. } => HostNeed::SecondFactor { push, codes },
    })
}

async fn asked(state: &AppState, host: &Host, name: &str) -> Result<(User, bool, bool), MfaError> {
    match decide(state, host, name).await? {
        Decision::Ask { user, push, codes } => Ok((*user, push, codes)),
        _ => Err(MfaError::NotAllowedNow(NO_CODE_NEEDED)),
    }
}

/// A code typed at the host's prompt: six digits are the authenticator
/// app's, anything else a recovery code. Either is counted and throttled
/// as at the portal.
pub async fn code(
    state: &AppState,
    host: &Host,
    name: &str,
    raw: &str,
    from: Option<&str>,
    client: &Client,
) -> Result<HostAllowed, MfaError> {
    let from = from_of(from);
    let (user, _, _) = asked(state, host, name).await?;
    let is_app_code = totp::normalize_code(raw).is_ok();
    let factors = crate::rules::factors::login_factors(&state.db, &user.id).await?;
    let result = if is_app_code && factors.contains(&FactorKind::Totp) {
        totp_factor::verify(state, &user, raw, client)
            .await
            .map(|()| "password + authenticator app")
    } else {
        recovery(state, &user, raw, client)
            .await
            .map(|()| "password + recovery code")
    };
    let from = from.as_deref();
    match result {
        Ok(detail) => {
            let kind = EventKind::HostLogin;
            record(state, host, kind, Some(&user.id), client, detail, from).await?;
            Ok(HostAllowed {
                message: "Verified.".into(),
            })
        }
        Err(e) => {
            let detail = if is_app_code {
                "authenticator code refused"
            } else {
                "recovery code refused"
            };
            let kind = EventKind::HostRefused;
            record(state, host, kind, Some(&user.id), client, detail, from).await?;
            Err(e)
        }
    }
}

/// A recovery code used up for a host login.
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

/// The slot a host's pushes and waits count in: only this host may wait
/// for them.
fn slot(host: &Host) -> String {
    format!("host:{}", host.id)
}

/// Sends a push for a login on `host`: the phone shows "Sign in to" the
/// host's name and where the login comes from.
pub async fn push(
    state: &AppState,
    host: &Host,
    name: &str,
    from: Option<&str>,
    client: &Client,
) -> Result<PushStarted, MfaError> {
    let from = from_of(from);
    let settings = push_send::settings_if_on(state).await?;
    let (user, push, _) = asked(state, host, name).await?;
    if !push {
        return Err(MfaError::NotAllowedNow(NO_PUSH));
    }
    let slot = slot(host);
    let resource = resource(host);
    let asker = Asker {
        user: &user,
        slot: &slot,
        resource: &resource,
        browser: match &from {
            Some(from) => format!("a terminal at {from}"),
            None => "a terminal".into(),
        },
    };
    push_send::send_for(state, &asker, client, &settings, Purpose::Login).await
}

/// The host's wait for the phone's answer, up to `wait` seconds (and no
/// longer than the push lives). An approval lets the login in, once.
pub async fn push_wait(
    state: &AppState,
    host: &Host,
    id: &str,
    wait: u64,
    client: &Client,
) -> Result<HostPushWait, MfaError> {
    let slot = slot(host);
    let row = store::push_requests::find(&state.db, id)
        .await?
        .filter(|r| r.session_hash == slot)
        .ok_or(MfaError::PushNotFound)?;
    let waiting = crate::mfa::push::limits::wait_slot(state, &slot, wait).await?;
    let answer = push_rows::await_answer(state, &row, wait).await;
    waiting.release().await?;
    let row = answer?;
    let now = state.now();
    let status = push_rules::status_now(&row.status, row.expires_at, now);
    let words = push_policy::wait_words(&state.db, &row, status).await?;
    let message = match status {
        PushStatus::Pending => "Still waiting for your answer on the phone.".to_string(),
        PushStatus::Approved => {
            if !store::push_requests::use_approval(&state.db, &row.id, now).await? {
                return Err(MfaError::PushAnswered(
                    "This approval has let a login in already; send another push.",
                ));
            }
            store::protect::used(&state.db, &row.user_id, now).await?;
            let detail = "password + Protect push";
            let kind = EventKind::HostLogin;
            record(state, host, kind, Some(&row.user_id), client, detail, None).await?;
            "Approved on your phone.".to_string()
        }
        PushStatus::Expired => {
            push_rows::expire(state, &row).await?;
            let kind = EventKind::HostRefused;
            let detail = "push expired unanswered";
            record(state, host, kind, Some(&row.user_id), client, detail, None).await?;
            words.unwrap_or_default()
        }
        PushStatus::Denied | PushStatus::Cancelled => {
            let kind = EventKind::HostRefused;
            let detail = "push denied";
            record(state, host, kind, Some(&row.user_id), client, detail, None).await?;
            words.unwrap_or_default()
        }
    };
    Ok(HostPushWait { status, message })
}
