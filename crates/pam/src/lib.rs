//! `pam_portcullis.so`: after the password (pam_unix, or sshd's own), a
//! Linux login asks Portcullis what this user needs on this host, then
//! talks it through the PAM conversation: a code from the authenticator
//! app or a recovery code, or Enter for a push whose number to match the
//! prompt shows. The host is enrolled once with `portcullis-pam enroll`
//! (its key and settings under `/etc/portcullis/`, root only) and signs
//! every request with that key.
//!
//! The parts: `config.rs` (the enrolled host's files), `client.rs` (signed
//! requests to the portal, with a deadline), `dialog.rs` (the login's
//! conversation, over any [`dialog::Conversation`]), `offline.rs` (codes
//! checked on the host while the portal cannot be reached, when switched
//! on), `args.rs` (the module's arguments) and `pam.rs` (the C entry
//! points PAM calls, and the conversation through libpam).

pub mod args;
pub mod client;
pub mod config;
pub mod dialog;
pub mod offline;
mod pam;
