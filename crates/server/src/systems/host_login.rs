//! A login on a host, after its password passed: what this user needs
//! there (`gate`: let in, refused in words, or a second factor), then a
//! code (authenticator app or recovery code) or a push whose resource is
//! the host. Every outcome is an event naming the host and the factor.

use portcullis_api::hosts::{
    HostAllowed, HostNeed, HostPushWait, OfflineTotp, UnknownUsers, OFFLINE_DAYS,
};
use portcullis_api::protect::{PushStarted, PushStatus};
use portcullis_api::AppPolicy;

use super::gate::{self, check_code, decide, Decision, Gate};
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::mfa::push::send::{self as push_send, Asker, Purpose};
use crate::mfa::push::{policy as push_policy, rows as push_rows, rules as push_rules};
use crate::mfa::MfaError;
use crate::rules::resource::Resource;
use crate::store;
use crate::store::hosts::Host;
use crate::store::users::User;

const NO_CODE_NEEDED: &str = "This login does not ask for a second factor now.";
const NO_PUSH: &str = "Protect push is not set up for this account (or is switched off): type a \
     code from your authenticator app or a recovery code.";

fn gate_of(host: &Host) -> Gate<'_> {
    Gate {
        id: &host.id,
        name: &host.name,
        mfa: host.policy != AppPolicy::NoMfa.as_str(),
        unknown_users: UnknownUsers::parse(&host.unknown_users).unwrap_or(UnknownUsers::Deny),
    }
}

fn resource(host: &Host) -> Resource {
    Resource::Host {
        id: host.id.clone(),
        name: host.name.clone(),
    }
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
    Ok(match decide(state, &gate_of(host), name).await? {
        Decision::Allow { message, detail } => {
            let who = gate::user_named(state, name).await?.map(|u| u.id);
            let kind = EventKind::SystemLogin;
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
            let who = gate::user_named(state, name).await?.map(|u| u.id);
            let kind = EventKind::SystemRefused;
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
        Decision::Ask { user, push, codes } => HostNeed::SecondFactor {
            push,
            codes,
            offline: match host.offline_totp {
                true => offline_data(state, &user).await?,
                false => None,
            },
        },
    })
}

/// What the host keeps to check this user's codes while the portal
/// cannot be reached: their authenticator key and its last used step, if
/// they have a confirmed app. Sent at each online check, so a key reset or
/// removed here is replaced or forgotten there at the next one.
async fn offline_data(state: &AppState, user: &User) -> Result<Option<OfflineTotp>, MfaError> {
    let Some(row) = store::totp::get(&state.db, &user.id).await? else {
        return Ok(None);
    };
    if row.confirmed_at.is_none() {
        return Ok(None);
    }
    let key = state.secrets.open(&row.sealed_key, &user.id)?;
    Ok(Some(OfflineTotp {
        secret: key.expose().clone(),
        last_step: row.last_step,
        valid_until: state.now() + OFFLINE_DAYS * 86_400,
    }))
}

async fn asked(state: &AppState, host: &Host, name: &str) -> Result<(User, bool, bool), MfaError> {
    match decide(state, &gate_of(host), name).await? {
        Decision::Ask { user, push, codes } => Ok((*user, push, codes)),
        _ => Err(MfaError::NotAllowedNow(NO_CODE_NEEDED)),
    }
}

/// A code typed at the host's prompt (`gate::check_code`).
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
    let result = check_code(state, &user, raw, client).await;
    let from = from.as_deref();
    match result {
        Ok(detail) => {
            let kind = EventKind::SystemLogin;
            record(state, host, kind, Some(&user.id), client, detail, from).await?;
            Ok(HostAllowed {
                message: "Verified.".into(),
            })
        }
        Err((e, detail)) => {
            let kind = EventKind::SystemRefused;
            record(state, host, kind, Some(&user.id), client, detail, from).await?;
            Err(e)
        }
    }
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
    // A host's logins share its slot: no browser vouches for them.
    let purpose = Purpose::Login {
        known_browser: false,
    };
    push_send::send_for(state, &asker, client, &settings, purpose).await
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
            let kind = EventKind::SystemLogin;
            record(state, host, kind, Some(&row.user_id), client, detail, None).await?;
            "Approved on your phone.".to_string()
        }
        PushStatus::Expired => {
            push_rows::expire(state, &row).await?;
            let kind = EventKind::SystemRefused;
            let detail = "push expired unanswered";
            record(state, host, kind, Some(&row.user_id), client, detail, None).await?;
            words.unwrap_or_default()
        }
        PushStatus::Denied | PushStatus::Cancelled => {
            let kind = EventKind::SystemRefused;
            let detail = "push denied";
            record(state, host, kind, Some(&row.user_id), client, detail, None).await?;
            words.unwrap_or_default()
        }
    };
    Ok(HostPushWait { status, message })
}
