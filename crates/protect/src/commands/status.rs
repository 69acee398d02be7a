//! `protect status`: what the portal knows about this device.

use std::io::Write;

use super::{say, Done};
use crate::client::Device;
use crate::clock::utc;
use crate::state::State;
use crate::Error;

pub fn status(state: &State, out: &mut dyn Write) -> Result<Done, Error> {
    let s = Device::new(state)?.status()?;
    say(
        out,
        &format!("Enrolled as {} at {}", s.user_email, state.portal),
    );
    say(
        out,
        &format!(
            "Device: {} ({}, {}, {})",
            s.label, s.device_type, s.os, s.app_version
        ),
    );
    say(
        out,
        &format!("User verification: {}", s.user_verification.as_str()),
    );
    say(out, &format!("Enrolled at: {}", utc(s.enrolled_at)));
    Ok(Done::Ok)
}
