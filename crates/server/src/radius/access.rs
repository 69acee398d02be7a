//! An Access-Request, answered: the client found by the packet's source
//! address, the Message-Authenticator checked with its secret (a packet
//! without one is dropped: the BlastRADIUS fix), then the password
//! (`password,123456` carries the code too), what the portal's rules ask
//! of this user (`systems::gate`), and a code or a push through an
//! Access-Challenge whose State is kept, hashed, in the database (any
//! instance answers the next request). RADIUS logins are exempt from the
//! push limit. Every outcome is an event naming the client.

use std::net::{IpAddr, SocketAddr};

use portcullis_api::hosts::UnknownUsers;
use portcullis_api::protect::PushStatus;
use rand_core::{OsRng, RngCore};

use super::clients::{covers, SECRET_CONTEXT};
use super::codec::{self, Malformed, Packet};
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::email::normalize_email;
use crate::auth::error::AuthError;
use crate::auth::throttle;
use crate::error::Internal;
use crate::login::password::check_password;
use crate::metrics::{self, RadiusDrop};
use crate::mfa::error::{CODE_USED, RECOVERY_CODE_USED, WRONG_CODE, WRONG_RECOVERY_CODE};
use crate::mfa::push::send::{self as push_send, Asker, Purpose};
use crate::mfa::push::{policy as push_policy, rules as push_rules};
use crate::mfa::MfaError;
use crate::rules::resource::Resource;
use crate::secret::Secret;
use crate::store;
use crate::store::users::User;
use crate::systems::gate::{self, Decision, Gate};

/// How long a challenge waits for its answer (a push lives 60 s).
const CHALLENGE_SECS: i64 = 120;
/// The context of a State's keyed hash.
const STATE_CONTEXT: &str = "radius-state";

const WRONG_PASSWORD: &str = "Wrong user name or password.";

/// What goes back: the code and its attributes.
struct Reply {
    code: u8,
    message: Option<String>,
    state: Option<Vec<u8>>,
}

impl Reply {
    fn accept(message: Option<String>) -> Reply {
        Reply {
            code: codec::ACCESS_ACCEPT,
            message,
            state: None,
        }
    }

    fn reject(message: impl Into<String>) -> Reply {
        Reply {
            code: codec::ACCESS_REJECT,
            message: Some(message.into()),
            state: None,
        }
    }
}

/// One registered client, with its secret open.
struct Nas {
    id: String,
    name: String,
    secret: Secret<String>,
}

/// Answers a datagram from `from`; `None` drops it (counted by reason).
pub async fn answer(state: &AppState, bytes: &[u8], from: SocketAddr) -> Option<Vec<u8>> {
    let packet = match codec::parse(bytes) {
        Ok(p) => p,
        Err(_) => {
            metrics::radius_dropped(RadiusDrop::Malformed);
            return None;
        }
    };
    let nas = match client_at(state, from.ip()).await {
        Ok(Some(nas)) => nas,
        Ok(None) => {
            metrics::radius_dropped(RadiusDrop::UnknownClient);
            return None;
        }
        Err(e) => {
            tracing::error!(error = %e, "RADIUS: the clients could not be read");
            return None;
        }
    };
    let secret = nas.secret.expose().as_bytes().to_vec();
    match codec::check_request(bytes, &packet, &secret) {
        Ok(()) => {}
        Err(Malformed::Authenticator) => {
            metrics::radius_dropped(RadiusDrop::BadAuthenticator);
            return None;
        }
        Err(_) => {
            metrics::radius_dropped(RadiusDrop::Malformed);
            return None;
        }
    }
    let reply = match decide(state, &nas, &packet, &secret, from).await {
        Ok(Some(reply)) => reply,
        Ok(None) => {
            metrics::radius_dropped(RadiusDrop::Malformed);
            return None;
        }
        Err(e) => {
            tracing::error!(error = %e, "RADIUS: a request failed");
            Reply::reject("The server could not check this login. Try again.")
        }
    };
    let mut attributes = Vec::new();
    if let Some(m) = reply.message {
        attributes.push((codec::REPLY_MESSAGE, m.into_bytes()));
    }
    if let Some(s) = reply.state {
        attributes.push((codec::STATE, s));
    }
    Some(codec::answer(reply.code, &packet, &attributes, &secret))
}

async fn client_at(state: &AppState, ip: IpAddr) -> Result<Option<Nas>, Internal> {
    let ip = match ip {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None => return Ok(None),
        },
    };
    let Some(row) = store::radius::list(&state.db)
        .await?
        .into_iter()
        .find(|c| covers(&c.address, ip))
    else {
        return Ok(None);
    };
    let secret = state.secrets.open(&row.secret_sealed, SECRET_CONTEXT)?;
    Ok(Some(Nas {
        id: row.id,
        name: row.name,
        secret,
    }))
}

fn resource(nas: &Nas) -> Resource {
    Resource::Radius {
        id: nas.id.clone(),
        name: nas.name.clone(),
    }
}

async fn record(
    state: &AppState,
    nas: &Nas,
    kind: EventKind,
    user_id: Option<&str>,
    client: &Client,
    detail: &str,
) -> Result<(), Internal> {
    let resource = resource(nas);
    let event = Event {
        kind,
        actor: user_id.map_or(Actor::Anonymous, Actor::User),
        subject: user_id,
        client: Some(client),
        detail,
        resource: None,
    }
    .for_resource(&resource);
    audit::record(&state.db, state.now(), event).await?;
    Ok(())
}

/// The words of a refused code.
fn refusal_words(e: &MfaError) -> String {
    match e {
        MfaError::Invalid(m) | MfaError::NotAllowedNow(m) => (*m).to_string(),
        MfaError::WrongCode => WRONG_CODE.into(),
        MfaError::WrongCodeClockSkew(m) => m.clone(),
        MfaError::WrongRecoveryCode => WRONG_RECOVERY_CODE.into(),
        MfaError::RecoveryCodeAlreadyUsed => RECOVERY_CODE_USED.into(),
        MfaError::CodeAlreadyUsed => CODE_USED.into(),
        MfaError::Throttled(secs) => {
            format!("Too many wrong codes: try again in {secs} seconds.")
        }
        MfaError::Suspended | MfaError::RecoveryCodesSuspended => {
            "Too many wrong codes in a row: ask your administrator to unlock your account.".into()
        }
        MfaError::PushMuted(m) => m.clone(),
        _ => "The second factor was refused.".into(),
    }
}

/// The text of a text attribute, if any and readable.
fn text(packet: &Packet, kind: u8) -> Option<String> {
    packet.text(kind).map(str::to_string)
}

async fn decide(
    state: &AppState,
    nas: &Nas,
    packet: &Packet,
    secret: &[u8],
    from: SocketAddr,
) -> Result<Option<Reply>, Internal> {
    let Some(name) = text(packet, codec::USER_NAME) else {
        return Ok(None);
    };
    // An empty answer to a challenge may come with no User-Password at
    // all (radclient sends none); a first request must have one.
    let typed = match (packet.get(codec::USER_PASSWORD), packet.get(codec::STATE)) {
        (Some(hidden), _) => match codec::reveal_password(hidden, secret, &packet.authenticator) {
            Ok(clear) => clear,
            Err(_) => return Ok(None),
        },
        (None, Some(_)) => Vec::new(),
        (None, None) => return Ok(None),
    };
    let typed = String::from_utf8_lossy(&typed).into_owned();
    // The user's own address when the client says it (a VPN's users share
    // the gateway's), so one guesser's failures do not slow the others.
    let station = text(packet, codec::CALLING_STATION_ID)
        .and_then(|s| s.parse::<IpAddr>().ok())
        .unwrap_or(from.ip());
    let client = Client::new(Some(station), &format!("RADIUS client {}", nas.name));
    if let Some(s) = packet.get(codec::STATE) {
        return answer_challenge(state, nas, s, &name, &typed, &client)
            .await
            .map(Some);
    }
    first_request(state, nas, &name, typed, &client)
        .await
        .map(Some)
}

fn gate_of(nas: &Nas) -> Gate<'_> {
    Gate {
        id: &nas.id,
        name: &nas.name,
        mfa: true,
        // the password of someone Portcullis does not know never passes
        unknown_users: UnknownUsers::Deny,
    }
}

/// `password,123456`: the password and a code in one field.
fn split_code(typed: &str) -> (&str, Option<&str>) {
    match typed.rsplit_once(',') {
        Some((pw, code)) if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) => {
            (pw, Some(code))
        }
        _ => (typed, None),
    }
}

async fn first_request(
    state: &AppState,
    nas: &Nas,
    name: &str,
    typed: String,
    client: &Client,
) -> Result<Reply, Internal> {
    let (password, code) = split_code(&typed);
    let user = gate::user_named(state, name).await.map_err(internal)?;
    let email = user
        .as_ref()
        .map_or_else(|| normalize_email(name), |u| u.email.clone());
    let counters = throttle::password_counters(&email, &client.key).to_vec();
    let secret = Secret::new(password.to_string());
    let user =
        match check_password(state, &email, user, secret, counters, client).await {
            Ok(u) => u,
            Err(AuthError::Throttled(secs) | AuthError::Busy(secs)) => {
                return Ok(Reply::reject(format!(
                    "Too many attempts: try again in {secs} seconds."
                )))
            }
            Err(AuthError::Suspended) => return Ok(Reply::reject(
                "Too many wrong passwords in a row: ask your administrator to unlock your account.",
            )),
            Err(AuthError::Internal(e)) => return Err(e),
            Err(_) => return Ok(Reply::reject(WRONG_PASSWORD)),
        };
    let who = user.id.clone();
    let decision = gate::decide_for(state, &gate_of(nas), user)
        .await
        .map_err(internal)?;
    match decision {
        Decision::Allow { message, detail } => {
            record(
                state,
                nas,
                EventKind::SystemLogin,
                Some(&who),
                client,
                &detail,
            )
            .await?;
            Ok(Reply::accept(message))
        }
        Decision::Deny { message, detail } => {
            record(
                state,
                nas,
                EventKind::SystemRefused,
                Some(&who),
                client,
                &detail,
            )
            .await?;
            Ok(Reply::reject(message))
        }
        Decision::Ask { user, push, codes } => match code {
            Some(code) => check(state, nas, &user, code, client).await,
            None if push && !codes => send_push(state, nas, &user, client).await,
            None => {
                let words = if push {
                    "Enter the code from your authenticator app (or a recovery code), or push \
                     for a push to your phone."
                } else {
                    "Enter the code from your authenticator app (or a recovery code)."
                };
                challenge(state, nas, &user, None, words).await
            }
        },
    }
}

fn internal(e: MfaError) -> Internal {
    match e {
        MfaError::Internal(i) => i,
        other => Internal::new(format!("RADIUS: {other:?}")),
    }
}

async fn check(
    state: &AppState,
    nas: &Nas,
    user: &User,
    code: &str,
    client: &Client,
) -> Result<Reply, Internal> {
    match gate::check_code(state, user, code, client).await {
        Ok(detail) => {
            record(
                state,
                nas,
                EventKind::SystemLogin,
                Some(&user.id),
                client,
                detail,
            )
            .await?;
            Ok(Reply::accept(None))
        }
        Err((MfaError::Internal(e), _)) => Err(e),
        Err((e, detail)) => {
            record(
                state,
                nas,
                EventKind::SystemRefused,
                Some(&user.id),
                client,
                detail,
            )
            .await?;
            Ok(Reply::reject(refusal_words(&e)))
        }
    }
}

/// An Access-Challenge: a new State, kept hashed with what it waits for.
async fn challenge(
    state: &AppState,
    nas: &Nas,
    user: &User,
    push_id: Option<String>,
    words: &str,
) -> Result<Reply, Internal> {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    let hash = state.secrets.keyed_hash(STATE_CONTEXT, &hex::encode(raw));
    let row = store::radius::Challenge {
        client_id: nas.id.clone(),
        user_id: user.id.clone(),
        push_id,
        expires_at: state.now() + CHALLENGE_SECS,
    };
    store::radius::insert_challenge(&state.db, &hash, &row).await?;
    Ok(Reply {
        code: codec::ACCESS_CHALLENGE,
        message: Some(words.to_string()),
        state: Some(raw.to_vec()),
    })
}

async fn send_push(
    state: &AppState,
    nas: &Nas,
    user: &User,
    client: &Client,
) -> Result<Reply, Internal> {
    let settings = match push_send::settings_if_on(state).await {
        Ok(s) => s,
        Err(MfaError::Internal(e)) => return Err(e),
        Err(e) => return Ok(Reply::reject(refusal_words(&e))),
    };
    let slot = format!("radius:{}", nas.id);
    let resource = resource(nas);
    let asker = Asker {
        user,
        slot: &slot,
        resource: &resource,
        browser: format!("a VPN login at {}", client.ip),
    };
    match push_send::send_for(state, &asker, client, &settings, Purpose::Radius).await {
        Ok(started) => {
            let words = format!(
                "A push to sign in to {} went to your phone: enter {} in Protect to approve it, \
                 then continue here.",
                nas.name, started.number
            );
            challenge(state, nas, user, Some(started.id), &words).await
        }
        Err(MfaError::Internal(e)) => Err(e),
        Err(e) => Ok(Reply::reject(refusal_words(&e))),
    }
}

async fn answer_challenge(
    state: &AppState,
    nas: &Nas,
    raw_state: &[u8],
    name: &str,
    typed: &str,
    client: &Client,
) -> Result<Reply, Internal> {
    let hash = state
        .secrets
        .keyed_hash(STATE_CONTEXT, &hex::encode(raw_state));
    let now = state.now();
    let Some(c) = store::radius::take_challenge(&state.db, &hash, now).await? else {
        return Ok(Reply::reject(
            "This sign-in took too long or was answered already: start again.",
        ));
    };
    let user = match store::users::find_by_id(&state.db, &c.user_id).await? {
        Some(u) if c.client_id == nas.id => u,
        _ => {
            return Ok(Reply::reject(
                "This sign-in is not valid here: start again.",
            ))
        }
    };
    // The account named must be the one the challenge was for.
    let named = gate::user_named(state, name).await.map_err(internal)?;
    if named.as_ref().map(|u| u.id.as_str()) != Some(user.id.as_str()) {
        return Ok(Reply::reject(
            "This sign-in is not valid here: start again.",
        ));
    }
    let typed = typed.trim();
    match (&c.push_id, typed) {
        (None, "push" | "") => send_push(state, nas, &user, client).await,
        (Some(id), "" | "push") => push_answer(state, nas, &user, id, client).await,
        _ => check(state, nas, &user, typed, client).await,
    }
}

async fn push_answer(
    state: &AppState,
    nas: &Nas,
    user: &User,
    id: &str,
    client: &Client,
) -> Result<Reply, Internal> {
    let Some(row) = store::push_requests::find(&state.db, id).await? else {
        return Ok(Reply::reject("The push is gone: start again."));
    };
    let now = state.now();
    let status = push_rules::status_now(&row.status, row.expires_at, now);
    match status {
        PushStatus::Pending => {
            challenge(
                state,
                nas,
                user,
                Some(id.to_string()),
                "Not approved yet: approve the push on your phone, then continue here.",
            )
            .await
        }
        PushStatus::Approved => {
            if !store::push_requests::use_approval(&state.db, id, now).await? {
                return Ok(Reply::reject(
                    "This approval was used already: start again.",
                ));
            }
            store::protect::used(&state.db, &user.id, now).await?;
            let detail = "password + Protect push";
            record(
                state,
                nas,
                EventKind::SystemLogin,
                Some(&user.id),
                client,
                detail,
            )
            .await?;
            Ok(Reply::accept(None))
        }
        other => {
            let words = push_policy::wait_words(&state.db, &row, other)
                .await?
                .unwrap_or_else(|| "The push was not approved.".into());
            let detail = "push not approved";
            record(
                state,
                nas,
                EventKind::SystemRefused,
                Some(&user.id),
                client,
                detail,
            )
            .await?;
            Ok(Reply::reject(words))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_after_a_comma_is_split_off() {
        assert_eq!(split_code("hunter2,123456"), ("hunter2", Some("123456")));
        assert_eq!(split_code("a,b,654321"), ("a,b", Some("654321")));
        assert_eq!(split_code("pass,word"), ("pass,word", None));
        assert_eq!(split_code("pw,12345"), ("pw,12345", None));
        assert_eq!(split_code("plain"), ("plain", None));
    }
}
