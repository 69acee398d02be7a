//! `protect watch`: the phone's notification loop. Long-polls for pending
//! requests, shows each one and asks for the number the browser shows (or
//! nothing to deny it, or `r` to report it as not the user's).

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::time::Duration;

use super::answer::{outcome, reported};
use super::pending::describe;
use super::{say, Done};
use crate::client::Device;
use crate::state::State;
use crate::Error;

/// Seconds each long-poll waits for a request to arrive.
const POLL: u32 = 25;

pub fn watch(
    state: &State,
    user_verified: bool,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Done, Error> {
    let device = Device::new(state)?;
    say(
        out,
        &format!(
            "Waiting for push requests for {} at {} (Ctrl-D at a prompt ends, Ctrl-C any time).",
            state.user_email, state.portal
        ),
    );
    // A request answered a moment ago may still be listed by a poll that
    // was already under way; never ask twice.
    let mut seen = HashSet::new();
    loop {
        let list = match device.pending(POLL) {
            Ok(list) => list,
            // A phone loses its network now and then: say so and retry.
            Err(e @ Error::Unreachable { .. }) => {
                say(out, &format!("{e} Retrying in 5 s."));
                std::thread::sleep(Duration::from_secs(5));
                continue;
            }
            Err(e) => return Err(e),
        };
        for p in list {
            if !seen.insert(p.id.clone()) {
                continue;
            }
            say(out, "");
            say(out, &describe(&p, device.clock_offset_secs()));
            let answer = match ask(input, out)? {
                Reply::End => {
                    say(out, "Bye.");
                    return Ok(Done::Ok);
                }
                Reply::Approve(n) => device.approve(&p.id, n, user_verified).map(|o| {
                    outcome(&o, out);
                }),
                Reply::Deny => device.deny(&p.id).map(|_| say(out, "Denied.")),
                Reply::Report => device.report(&p.id).map(|o| say(out, &reported(&o))),
            };
            match answer {
                Ok(()) => {}
                // Expired or answered elsewhere meanwhile: tell, go on.
                Err(e @ (Error::Refused { .. } | Error::Unreachable { .. })) => {
                    say(out, &e.to_string())
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// The person's answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    /// The number they typed.
    Approve(u32),
    /// An empty line.
    Deny,
    /// `r`: "This wasn't me".
    Report,
    /// The end of input.
    End,
}

/// Asks until the line is a number, empty, or `r`.
fn ask(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<Reply, Error> {
    loop {
        write!(
            out,
            "Number shown in the browser (empty line denies, r reports it as not yours): "
        )
        .ok();
        out.flush().ok();
        let mut line = String::new();
        let read = input
            .read_line(&mut line)
            .map_err(|e| Error::Io(e.to_string()))?;
        if read == 0 {
            say(out, "");
            return Ok(Reply::End);
        }
        let line = line.trim();
        if line.is_empty() {
            return Ok(Reply::Deny);
        }
        if line.eq_ignore_ascii_case("r") || line.eq_ignore_ascii_case("report") {
            return Ok(Reply::Report);
        }
        match line.parse::<u32>() {
            Ok(n) => return Ok(Reply::Approve(n)),
            Err(_) => say(
                out,
                "Type the 2-digit number the browser shows, nothing to deny, or r if you did \
                 not start this sign-in.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_empty_lines_reports_and_the_end_of_input() {
        let mut out = Vec::new();
        let mut input = "\n x \n42\nR\n".as_bytes();
        assert_eq!(ask(&mut input, &mut out).unwrap(), Reply::Deny);
        assert_eq!(ask(&mut input, &mut out).unwrap(), Reply::Approve(42));
        assert_eq!(ask(&mut input, &mut out).unwrap(), Reply::Report);
        assert_eq!(ask(&mut input, &mut out).unwrap(), Reply::End);
        assert!(String::from_utf8_lossy(&out).contains("Type the 2-digit number"));
    }
}
