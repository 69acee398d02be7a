//! One function per subcommand. Each prints its result for a person and
//! returns whether the answer was a success (exit 0) or a refusal (exit 1).

mod answer;
mod code;
mod enroll;
mod pending;
mod status;
mod watch;

use std::io::{BufRead, Write};
use std::path::PathBuf;

use crate::cli::{Cli, Command};
use crate::state::{self, State};
use crate::Error;

pub use answer::{approve, deny, report};
pub use code::code;
pub use enroll::enroll;
pub use pending::pending;
pub use status::status;
pub use watch::watch;

/// Whether the command did what was asked: `Refused` is a clean "no"
/// (denied, wrong number), not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Ok,
    Refused,
}

/// Runs the parsed command line, printing to `out`, reading `input` (for
/// `watch`).
pub fn run(cli: Cli, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<Done, Error> {
    let path = state_path(cli.state)?;
    match cli.command {
        Command::Enroll {
            uri,
            qr,
            label,
            device_type,
            os,
            uv,
        } => {
            let link = match (uri, qr) {
                (Some(uri), None) => uri,
                (None, Some(image)) => crate::qr::decode_file(&image)?,
                _ => {
                    return Err(Error::Usage(
                        "Give either the enrollment link or --qr IMAGE.".to_string(),
                    ))
                }
            };
            let options = enroll::Options {
                label,
                device_type,
                os,
                uv,
            };
            enroll(&path, &link, options, out)
        }
        Command::Pending => pending(&State::load(&path)?, out),
        Command::Approve { number, uv, id } => {
            approve(&State::load(&path)?, number, uv, id.as_deref(), out)
        }
        Command::Deny { id } => deny(&State::load(&path)?, id.as_deref(), out),
        Command::Report { id } => report(&State::load(&path)?, id.as_deref(), out),
        Command::Watch { uv } => watch(&State::load(&path)?, uv, input, out),
        Command::Status => status(&State::load(&path)?, out),
        Command::Code => code(&State::load(&path)?, out),
    }
}

fn state_path(given: Option<PathBuf>) -> Result<PathBuf, Error> {
    given.or_else(state::default_path).ok_or_else(|| {
        Error::Usage(
            "No place for the state file: set HOME or XDG_CONFIG_HOME, or give --state PATH."
                .to_string(),
        )
    })
}

/// Writes a line, ignoring a closed stdout (`protect pending | head`).
fn say(out: &mut dyn Write, line: &str) {
    writeln!(out, "{line}").ok();
}
