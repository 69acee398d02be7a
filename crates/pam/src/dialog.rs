//! A login's conversation once the password passed: ask Portcullis what
//! this user needs here, then a code or a push, in words at the prompt.
//! Codes never leave this function but to the portal: nothing here logs.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use portcullis_api::hosts::HostNeed;
use portcullis_api::protect::PushStatus;

use crate::client::{Failure, Portal};
use crate::offline::{self, Check};

/// How the module talks to whoever is logging in (the PAM conversation).
pub trait Conversation {
    /// Asks with the answer hidden; `None` when nobody can answer (no
    /// terminal, the conversation failed).
    fn ask(&mut self, prompt: &str) -> Option<String>;
    fn info(&mut self, text: &str);
    fn error(&mut self, text: &str);
}

/// How the login ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allow,
    Deny,
    /// Portcullis gave no answer in time: refused (fail closed).
    Unavailable,
}

/// Wrong codes taken in one login before it is refused.
pub const TRIES: usize = 3;

pub const UNREACHABLE: &str = "Portcullis cannot be reached, so the second factor cannot be \
     checked and this login is refused. Try again later, or ask your administrator.";

/// The prompt for what the user may give.
pub fn prompt(push: bool, codes: bool) -> &'static str {
    match (push, codes) {
        (true, true) => "Verification code, or press Enter for a push to your phone: ",
        (true, false) => "Press Enter to send a push to your phone: ",
        _ => "Verification code: ",
    }
}

fn unavailable(conv: &mut impl Conversation) -> Outcome {
    conv.error(UNREACHABLE);
    Outcome::Unavailable
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// Keeps or forgets what checks `user`'s codes offline, as the portal's
/// answer says. A failure to write leaves the login as it is: offline
/// codes are a fallback, not a step.
fn sync_offline(dir: &Path, user: &str, need: &HostNeed) {
    let _ = match need {
        HostNeed::SecondFactor {
            offline: Some(data),
            ..
        } => offline::remember(dir, user, data),
        _ => offline::forget(dir, user),
    };
}

/// The portal cannot be reached: codes checked here, if this host keeps
/// them for `user`; otherwise refused.
fn offline_login(conv: &mut impl Conversation, dir: &Path, user: &str) -> Outcome {
    if !offline::has(dir, user, now()) {
        return unavailable(conv);
    }
    conv.info(
        "Portcullis cannot be reached: the code from your authenticator app is checked on this \
         host.",
    );
    for _ in 0..TRIES {
        let Some(answer) = conv.ask("Verification code: ") else {
            return Outcome::Deny;
        };
        match offline::check(dir, user, answer.trim(), now()) {
            Ok(Check::Accepted) => return Outcome::Allow,
            Ok(Check::Wrong) => conv.error("That code is not correct."),
            Ok(Check::Reused) => {
                conv.error("This code has already been used. Wait for the next code from your app.")
            }
            Ok(Check::Missing) | Err(_) => return unavailable(conv),
        }
    }
    conv.error("Too many wrong codes for this login.");
    Outcome::Deny
}

/// The whole conversation for `user` (coming from `from`, if known);
/// `dir` holds what offline codes need.
pub fn login(
    portal: &Portal,
    conv: &mut impl Conversation,
    dir: &Path,
    user: &str,
    from: Option<&str>,
) -> Outcome {
    let need = match portal.need(user, from) {
        Ok(need) => need,
        Err(Failure::Unreachable(_)) => return offline_login(conv, dir, user),
        Err(Failure::Refused { message, .. }) => {
            conv.error(&message);
            return Outcome::Deny;
        }
    };
    sync_offline(dir, user, &need);
    let (push, codes) = match need {
        HostNeed::Allow { message } => {
            if let Some(m) = message {
                conv.info(&m);
            }
            return Outcome::Allow;
        }
        HostNeed::Deny { message } => {
            conv.error(&message);
            return Outcome::Deny;
        }
        HostNeed::SecondFactor { push, codes, .. } => (push, codes),
    };
    for _ in 0..TRIES {
        let Some(answer) = conv.ask(prompt(push, codes)) else {
            return Outcome::Deny;
        };
        let answer = answer.trim();
        if answer.is_empty() {
            if push {
                return push_login(portal, conv, user, from);
            }
            conv.error("Type the code from your authenticator app, or a recovery code.");
            continue;
        }
        match portal.code(user, answer, from) {
            Ok(_) => return Outcome::Allow,
            // a wrong code: say so and ask again
            Err(Failure::Refused {
                status: 401 | 422,
                message,
            }) => conv.error(&message),
            Err(Failure::Refused { message, .. }) => {
                conv.error(&message);
                return Outcome::Deny;
            }
            Err(Failure::Unreachable(_)) => return unavailable(conv),
        }
    }
    conv.error("Too many wrong codes for this login.");
    Outcome::Deny
}

/// A push: the number to match at the prompt, then its answer in words.
fn push_login(
    portal: &Portal,
    conv: &mut impl Conversation,
    user: &str,
    from: Option<&str>,
) -> Outcome {
    let started = match portal.push(user, from) {
        Ok(s) => s,
        Err(Failure::Refused { message, .. }) => {
            conv.error(&message);
            return Outcome::Deny;
        }
        Err(Failure::Unreachable(_)) => return unavailable(conv),
    };
    conv.info(&format!(
        "A push to sign in to {} went to your phone. Enter the number {} in Protect to approve it.",
        portal.name(),
        started.number
    ));
    loop {
        let left = portal.left();
        if left < Duration::from_secs(1) {
            conv.error("The push was not answered in time, so this login is refused.");
            return Outcome::Deny;
        }
        let secs = left.as_secs().saturating_sub(1).clamp(1, 30);
        match portal.wait(&started.id, secs) {
            Ok(w) => match w.status {
                PushStatus::Pending => continue,
                PushStatus::Approved => {
                    conv.info(&w.message);
                    return Outcome::Allow;
                }
                PushStatus::Denied | PushStatus::Expired | PushStatus::Cancelled => {
                    conv.error(&w.message);
                    return Outcome::Deny;
                }
            },
            Err(Failure::Refused { message, .. }) => {
                conv.error(&message);
                return Outcome::Deny;
            }
            Err(Failure::Unreachable(_)) => return unavailable(conv),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_offers_what_the_user_has() {
        assert!(prompt(true, true).contains("code, or press Enter for a push"));
        assert!(!prompt(false, true).contains("push"));
        assert!(!prompt(true, false).contains("code"));
    }
}
