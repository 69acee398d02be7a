//! `protect approve`, `protect deny` and `protect report`.

use std::io::Write;

use super::pending::choose;
use super::{say, Done};
use crate::client::Device;
use crate::state::State;
use crate::Error;
use portcullis_api::protect::{PushOutcome, PushOutcomeKind};

pub fn approve(
    state: &State,
    number: u32,
    user_verified: bool,
    id: Option<&str>,
    out: &mut dyn Write,
) -> Result<Done, Error> {
    let device = Device::new(state)?;
    let id = choose(&device, id)?;
    let answer = device.approve(&id, number, user_verified)?;
    Ok(outcome(&answer, out))
}

pub fn deny(state: &State, id: Option<&str>, out: &mut dyn Write) -> Result<Done, Error> {
    let device = Device::new(state)?;
    let id = choose(&device, id)?;
    device.deny(&id)?;
    say(out, "Denied.");
    Ok(Done::Ok)
}

/// "This wasn't me": the push is denied and reported.
pub fn report(state: &State, id: Option<&str>, out: &mut dyn Write) -> Result<Done, Error> {
    let device = Device::new(state)?;
    let id = choose(&device, id)?;
    let outcome = device.report(&id)?;
    say(out, &reported(&outcome));
    Ok(Done::Ok)
}

/// What `report` prints: the portal's words of what follows.
pub fn reported(outcome: &PushOutcome) -> String {
    match outcome.reason.as_deref() {
        Some(reason) => format!("Denied: {}.", reason.trim_end_matches('.')),
        None => "Denied and reported.".to_string(),
    }
}

/// "Approved." or "Denied: <reason>." for an approval's outcome.
pub fn outcome(outcome: &PushOutcome, out: &mut dyn Write) -> Done {
    match (outcome.outcome, outcome.reason.as_deref()) {
        (PushOutcomeKind::Approved, _) => {
            say(out, "Approved.");
            Done::Ok
        }
        (PushOutcomeKind::Denied, Some(reason)) => {
            say(out, &format!("Denied: {}.", reason.trim_end_matches('.')));
            Done::Refused
        }
        (PushOutcomeKind::Denied, None) => {
            say(out, "Denied.");
            Done::Refused
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(o: &PushOutcome) -> (Done, String) {
        let mut out = Vec::new();
        let done = outcome(o, &mut out);
        (done, String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn a_denied_approval_says_the_portals_reason() {
        let approved = PushOutcome {
            outcome: PushOutcomeKind::Approved,
            reason: None,
        };
        assert_eq!(printed(&approved), (Done::Ok, "Approved.\n".to_string()));
        let policy = PushOutcome {
            outcome: PushOutcomeKind::Denied,
            reason: Some(
                "your organisation requires you to confirm each push with your fingerprint, \
                 face or PIN on this device; send another push from the browser and approve it \
                 that way"
                    .to_string(),
            ),
        };
        let (done, text) = printed(&policy);
        assert_eq!(done, Done::Refused);
        assert!(
            text.starts_with("Denied: your organisation requires"),
            "{text}"
        );
        assert!(text.ends_with("approve it that way.\n"), "{text}");
    }
}
