//! Every way a command can fail, as a sentence for the person at the
//! terminal (never a panic, never a bare HTTP status).

use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// The command line asks for something impossible (exit code 2).
    Usage(String),
    /// The portal did not answer: not running, wrong address, no network.
    Unreachable { portal: String, detail: String },
    /// The enrollment link is not one `protect` understands.
    BadLink(String),
    /// No QR code could be read from the image.
    Qr(String),
    /// The state file is missing: this device was never enrolled here.
    NotEnrolled { path: String },
    /// The state file could not be read or written.
    State(String),
    /// The portal refused the request; its own words.
    Refused { status: u16, message: String },
    /// The portal answered something this client cannot read.
    Protocol(String),
    /// Reading the terminal failed.
    Io(String),
    /// `protect code` on a device that received no authenticator key.
    NoAuthenticatorKey,
}

impl Error {
    /// The process exit code: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::BadLink(m) | Error::Qr(m) | Error::State(m) => f.write_str(m),
            Error::Unreachable { portal, detail } => write!(
                f,
                "Cannot reach the portal at {portal} ({detail}). Is it running, and is this the right address?"
            ),
            Error::NotEnrolled { path } => write!(
                f,
                "Not enrolled: there is no device state at {path}. Enroll first with `protect enroll URI` \
                 (the link from the portal's Security page)."
            ),
            Error::Refused { message, .. } => f.write_str(message),
            Error::Protocol(m) => write!(f, "The portal's answer could not be read: {m}"),
            Error::Io(m) => write!(f, "Could not read the terminal: {m}"),
            Error::NoAuthenticatorKey => f.write_str(
                "This device has no authenticator key: the organisation enrolls Protect separately \
                 from the authenticator app (or this account keeps another app), so codes come \
                 from that app. Once the organisation merges them, enroll this device again with a \
                 new QR code to receive the key.",
            ),
        }
    }
}

impl std::error::Error for Error {}
