//! `protect approve` and `protect deny`.

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
    let outcome = device.approve(&id, number, user_verified)?;
    Ok(report(&outcome, out))
}

pub fn deny(state: &State, id: Option<&str>, out: &mut dyn Write) -> Result<Done, Error> {
    let device = Device::new(state)?;
    let id = choose(&device, id)?;
    device.deny(&id)?;
    say(out, "Denied.");
    Ok(Done::Ok)
}

/// "Approved." or "Denied: <reason>." for an approval's outcome.
pub fn report(outcome: &PushOutcome, out: &mut dyn Write) -> Done {
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
