//! `protect code`: the current authenticator code, when a unified
//! enrollment made this device the user's authenticator app.

use std::io::Write;

use super::{say, Done};
use crate::clock::portal_now;
use crate::state::State;
use crate::{totp, Error};

/// Prints the code (alone on its line, for scripts) and how long it lasts,
/// at the portal's time: the device's clock corrected by the offset the
/// portal reported, so a phone whose clock is off still shows the code
/// the portal expects.
pub fn code(state: &State, out: &mut dyn Write) -> Result<Done, Error> {
    let key = state.totp().ok_or(Error::NoAuthenticatorKey)?;
    let now = portal_now(state.clock_offset_secs);
    let c = totp::code_at(key, now)?;
    say(out, &c.code);
    say(
        out,
        &format!(
            "{} second{} left (account {}, {})",
            c.secs_left,
            if c.secs_left == 1 { "" } else { "s" },
            key.account,
            key.issuer
        ),
    );
    Ok(Done::Ok)
}
