//! `protect approve` and `protect deny`.

use std::io::Write;

use super::pending::choose;
use super::{say, Done};
use crate::client::Device;
use crate::state::State;
use crate::wire::Outcome;
use crate::Error;

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
pub fn report(outcome: &Outcome, out: &mut dyn Write) -> Done {
    match (outcome.outcome.as_str(), outcome.reason.as_deref()) {
        ("approved", _) => {
            say(out, "Approved.");
            Done::Ok
        }
        ("denied", Some(reason)) => {
            say(out, &format!("Denied: {}.", reason.trim_end_matches('.')));
            Done::Refused
        }
        ("denied", None) => {
            say(out, "Denied.");
            Done::Refused
        }
        (other, _) => {
            say(out, &format!("The portal answered \"{other}\"."));
            Done::Refused
        }
    }
}
