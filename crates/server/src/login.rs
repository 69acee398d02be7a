//! A login, from the first request to the signed-in session, for a
//! resource: the pure step function (`flow`), the password step, the steps
//! after it, and one `finish` that writes the session. Factor modules
//! (`mfa/`) only prove; nothing else starts a session.

pub mod finish;
pub mod flow;
pub mod link;
pub mod passkey;
pub mod password;
pub mod second_factor;
pub mod step;
