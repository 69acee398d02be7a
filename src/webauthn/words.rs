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

    /// What the user reads, about a security key; see [`Self::sentence_for`].
    pub fn sentence(self) -> &'static str {
        self.sentence_for(KeyKind::SecurityKey)
    }

    /// What the user reads when a `kind` was asked for; each says how to
    /// go on (the screens keep the button to try again and the other
    /// factors beside it).
    pub fn sentence_for(self, kind: KeyKind) -> &'static str {
        match kind {
            KeyKind::SecurityKey => self.key_sentence(),
            KeyKind::Passkey => self.passkey_setup_sentence(),
            KeyKind::Either => self.either_sentence(),
        }
    }

    /// About a security key.
    fn key_sentence(self) -> &'static str {
        match self {
            Failure::Unsupported => {
                "This browser cannot use security keys here. Use another factor, or another browser."
            }
            Failure::Cancelled => {
                "No security key answered: the request was cancelled or timed out. \
                 Try again, and touch your key when it blinks, or use another factor."
            }
            Failure::Superseded => SUPERSEDED,
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
            Failure::Unreadable => UNREADABLE,
            Failure::Other => {
                "The security key could not be used. Try again, or use another factor."
            }
        }
    }

    /// About a passkey being set up: the failures only registration
    /// meets, else those of signing in.
    fn passkey_setup_sentence(self) -> &'static str {
        match self {
            Failure::AlreadyRegistered => {
                "This passkey is already registered for your account. Try again with another \
                 device or password manager."
            }
            Failure::KeyCannot => {
                "This device cannot make the passkey the portal asks for. Try again with another \
                 device, or use another factor."
            }
            f => f.passkey_sentence(),
        }
    }

    /// About a passkey signing in: the words of `/login`'s passkey button,
    /// the only ones in the first download (a function of their own, so
    /// that the other kinds' words, and those only registration meets,
    /// stay in the lazily loaded parts).
    pub fn passkey_sentence(self) -> &'static str {
        match self {
            Failure::Unsupported => {
                "This browser cannot use passkeys here. Use another factor, or another browser."
            }
            Failure::Cancelled => {
                "No passkey answered: the request was cancelled or timed out. Try again, and \
                 confirm with your fingerprint, face or screen lock, or use another factor."
            }
            Failure::Superseded => SUPERSEDED,
            Failure::WrongSite => {
                "Passkeys cannot be used at this address. Open the portal by its name (such as \
                 localhost), not by an IP address, then try again."
            }
            Failure::Unreadable => UNREADABLE,
            Failure::AlreadyRegistered | Failure::KeyCannot | Failure::Other => {
                "The passkey could not be used. Try again, or use another factor."
            }
        }
    }

    /// About one of the user's keys, which may be security keys or passkeys
    /// (the MFA prompt).
    fn either_sentence(self) -> &'static str {
        match self {
            Failure::Unsupported => {
                "This browser cannot use security keys or passkeys here. Use another factor, or \
                 another browser."
            }
            Failure::Cancelled => {
                "No security key or passkey answered: the request was cancelled or timed out. \
                 Try again, and touch your key or confirm on your device when asked, or use \
                 another factor."
            }
            Failure::Superseded => SUPERSEDED,
            Failure::AlreadyRegistered => {
                "This key is already registered for your account. Try again with another one."
            }
            Failure::WrongSite => {
                "Security keys and passkeys cannot be used at this address. Open the portal by \
                 its name (such as localhost), not by an IP address, then try again."
            }
            Failure::KeyCannot => {
                "This key cannot do what the portal asks. Try again with another one, or use \
                 another factor."
            }
            Failure::Unreadable => UNREADABLE,
            Failure::Other => {
                "The security key or passkey could not be used. Try again, or use another factor."
            }
        }
    }
}

const SUPERSEDED: &str = "The request was replaced by another. Try again.";
const UNREADABLE: &str =
    "The browser gave an answer the portal cannot read. Try again, or use another factor.";

/// Which kind of key a ceremony asked for: the words name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A security key (USB or NFC), as a second factor.
    SecurityKey,
    /// A passkey (on this device, a phone, or a password manager).
    Passkey,
    /// Either: the MFA prompt asks for one of the user's keys, which may
    /// be of both kinds.
    Either,
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

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Failure; 8] = [
        Failure::Unsupported,
        Failure::Cancelled,
        Failure::Superseded,
        Failure::AlreadyRegistered,
        Failure::WrongSite,
        Failure::KeyCannot,
        Failure::Unreadable,
        Failure::Other,
    ];

    #[test]
    fn a_passkey_failure_speaks_of_passkeys_and_a_key_of_keys() {
        for f in ALL {
            let passkey = f.sentence_for(KeyKind::Passkey).to_lowercase();
            assert!(!passkey.contains("security key"), "{passkey}");
            let key = f.sentence_for(KeyKind::SecurityKey).to_lowercase();
            assert!(!key.contains("passkey"), "{key}");
            // Each says how to go on, whichever kind.
            for s in [passkey, key, f.sentence_for(KeyKind::Either).to_lowercase()] {
                assert!(s.contains("try again") || s.contains("another"), "{s}");
            }
        }
        assert_eq!(
            Failure::Cancelled.sentence_for(KeyKind::Passkey),
            "No passkey answered: the request was cancelled or timed out. Try again, and \
             confirm with your fingerprint, face or screen lock, or use another factor."
        );
        assert_eq!(
            Failure::Cancelled.passkey_sentence(),
            Failure::Cancelled.sentence_for(KeyKind::Passkey)
        );
        // Setting a passkey up names what only registration meets.
        assert!(Failure::AlreadyRegistered
            .sentence_for(KeyKind::Passkey)
            .contains("already registered"));
        assert!(Failure::WrongSite
            .sentence_for(KeyKind::Passkey)
            .starts_with("Passkeys cannot be used"));
        assert!(Failure::Other
            .sentence_for(KeyKind::Either)
            .contains("security key or passkey"));
    }
}
