//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use portcullis_api::protect::UserVerification;

/// A command-line stand-in for the Portcullis Protect phone app: enroll
/// with the portal's QR code, then approve or deny push requests by typing
/// the number the browser shows.
#[derive(Debug, Parser)]
#[command(name = "protect", version)]
pub struct Cli {
    /// The device's state file (key, device id, portal). Default:
    /// $XDG_CONFIG_HOME/portcullis-protect/state.json, or
    /// ~/.config/portcullis-protect/state.json.
    #[arg(long, env = "PROTECT_STATE", global = true, value_name = "PATH")]
    pub state: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Enroll this device with the link from the portal's Security page
    /// (portcullis-protect://enroll?…) or a screenshot of its QR code.
    Enroll {
        /// The enrollment link.
        #[arg(required_unless_present = "qr", conflicts_with = "qr")]
        uri: Option<String>,
        /// A PNG screenshot of the QR code instead of the link.
        #[arg(long, value_name = "IMAGE")]
        qr: Option<PathBuf>,
        /// The name the portal shows for this device.
        #[arg(long, value_name = "L")]
        label: Option<String>,
        /// The device type, e.g. "iPhone 8".
        #[arg(long = "type", value_name = "T")]
        device_type: Option<String>,
        /// The OS and its version, e.g. "iOS 17.2".
        #[arg(long, value_name = "O")]
        os: Option<String>,
        /// Which user verification this device supports.
        #[arg(long, value_enum, default_value_t = Uv::None)]
        uv: Uv,
    },
    /// List the push requests waiting for an answer.
    Pending,
    /// Approve a push request with the number the browser shows.
    Approve {
        /// The 2-digit number shown in the browser.
        #[arg(long, short = 'n', value_name = "N")]
        number: u32,
        /// Say that user verification (biometric or PIN) was performed.
        #[arg(long)]
        uv: bool,
        /// Which request, when several are pending (see `protect pending`).
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// Deny a push request.
    Deny {
        /// Which request, when several are pending.
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// Report a push request you did not start ("This wasn't me"): it is
    /// denied, pushes to you pause for a while, and your administrators
    /// are told.
    Report {
        /// Which request, when several are pending.
        #[arg(long, value_name = "ID")]
        id: Option<String>,
    },
    /// Wait for push requests and answer each one (Ctrl-D ends).
    Watch {
        /// Say that user verification was performed for every approval.
        #[arg(long)]
        uv: bool,
    },
    /// Show what the portal knows about this device.
    Status,
    /// Show the current authenticator code, when the organisation enrolls
    /// Protect and the authenticator app together (unified mode).
    Code,
}

/// User verification a device can perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Uv {
    Biometric,
    Pin,
    None,
}

impl Uv {
    pub fn as_str(self) -> &'static str {
        match self {
            Uv::Biometric => "biometric",
            Uv::Pin => "pin",
            Uv::None => "none",
        }
    }
}

impl From<Uv> for UserVerification {
    fn from(uv: Uv) -> UserVerification {
        match uv {
            Uv::Biometric => UserVerification::Biometric,
            Uv::Pin => UserVerification::Pin,
            Uv::None => UserVerification::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn enroll_needs_a_link_or_an_image_but_not_both() {
        assert!(Cli::try_parse_from(["protect", "enroll"]).is_err());
        assert!(Cli::try_parse_from(["protect", "enroll", "x", "--qr", "a.png"]).is_err());
        assert!(Cli::try_parse_from(["protect", "enroll", "--qr", "a.png"]).is_ok());
        assert!(Cli::try_parse_from(["protect", "approve"]).is_err());
        assert!(Cli::try_parse_from(["protect", "enroll", "x", "--uv", "face"]).is_err());
    }
}
