//! What can go wrong in a key ceremony on the browser's side, and how each
//! is said to the user; and the server's refusals, with a way on. Pure:
//! the browser's error names and the server's sentences come in as text.

/// Why the browser produced no usable credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No WebAuthn, or not the JSON helpers this module relies on.
    Unsupported,
    /// `NotAllowedError`: cancelled, timed out, or no key answered
    /// (browsers do not say which, on purpose).
    Cancelled,
    /// `AbortError`: the portal ended the request itself, for another
    /// (a passkey waiting in autofill, replaced by the user's choice).
    /// Nothing to tell the user.
    Superseded,
    /// `InvalidStateError` while registering: the key is one the user
    /// already has (the options exclude them).
    AlreadyRegistered,
    /// `SecurityError`: this address may not use WebAuthn (an IP address,
    /// or a relying party that does not match the page).
    WrongSite,
    /// `NotSupportedError`: the key cannot do what the options ask.
    KeyCannot,
    /// The options or the browser's answer did not have the expected shape.
    Unreadable,
    /// Any other error the browser raised.
    Other,
}

impl Failure {
    /// The failure a `DOMException` (or other error) name stands for.
    pub fn from_name(name: &str) -> Failure {
        match name {
            "NotAllowedError" => Failure::Cancelled,
            "AbortError" => Failure::Superseded,
            "InvalidStateError" => Failure::AlreadyRegistered,
            "SecurityError" => Failure::WrongSite,
            "NotSupportedError" => Failure::KeyCannot,
            _ => Failure::Other,
        }
    }

    /// What the user reads; each says how to go on (the screens keep the
    /// button to try again and the other factors beside it).
    pub fn sentence(self) -> &'static str {
        match self {
            Failure::Unsupported => {
                "This browser cannot use security keys here. Use another factor, or another browser."
            }
            Failure::Cancelled => {
                "No security key answered: the request was cancelled or timed out. \
                 Try again, and touch your key when it blinks, or use another factor."
            }
            Failure::Superseded => "The request was replaced by another. Try again.",
            Failure::AlreadyRegistered => {
                "This security key is already registered for your account. \
                 Try again with another key."
            }
            Failure::WrongSite => {
                "Security keys cannot be used at this address. Open the portal by its \
                 name (such as localhost), not by an IP address, then try again."
            }
            Failure::KeyCannot => {
                "This security key cannot do what the portal asks. Try again with another \
                 key, or use another factor."
            }
            Failure::Unreadable => {
                "The browser gave an answer the portal cannot read. Try again, or use \
                 another factor."
            }
            Failure::Other => {
                "The security key could not be used. Try again, or use another factor."
            }
        }
    }
}

/// What the way on after a refused key says.
const WAY_ON: &str = "Try again, or use another factor.";

/// The server's refusal of a key, with the way on said once: most of the
/// server's sentences already say what to do ("… Try again.", "… Start
/// again.", "… Try again in 42 s."). A closing "Try again." becomes the
/// whole way on; a sentence that says another way on is left as it is;
/// any other gets the way on after it.
pub fn with_way_on(message: &str) -> String {
    let message = message.trim_end();
    // ASCII: the sentences are English, and Unicode case tables would cost
    // /login kilobytes.
    let lower = message.to_ascii_lowercase();
    if lower.contains("another factor") {
        return message.to_string();
    }
    if let Some(before) = message.strip_suffix("Try again.") {
        return format!("{before}{WAY_ON}");
    }
    if lower.contains("again") {
        return message.to_string();
    }
    if message.is_empty() {
        return WAY_ON.to_string();
    }
    format!("{message} {WAY_ON}")
}
