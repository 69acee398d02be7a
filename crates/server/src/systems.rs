//! Systems: Linux hosts whose PAM stack asks Portcullis for a second
//! factor. `hosts.rs` (registered by administrators), `host_auth.rs` (a
//! host's enrollment and signed requests), `host_login.rs` (what a user
//! needs on a host, a code, a push), `gate.rs` (what a login on any
//! system needs: hosts and RADIUS clients).

pub mod gate;
pub mod host_auth;
pub mod host_login;
pub mod hosts;
