//! Who a request comes from and what it may do: sessions, the caller and
//! what each kind of request needs of its session, passwords, throttling,
//! trusted browsers and device cookies, accounts. Rules only — no axum
//! (that is `http/`), no SQL (that is `store/`). The login itself, which
//! starts sessions, is `login/`.

pub mod accounts;
pub mod caller;
pub mod client;
pub mod device_cookie;
pub mod email;
pub mod error;
pub mod own_sessions;
pub mod password;
pub mod password_change;
pub mod password_policy;
pub mod session;
pub mod throttle;
pub mod trusted_browser;
pub mod unlock;

pub use accounts::{create_user, insert_user};
pub use caller::{authenticate, me, require_fresh_mfa, require_fresh_mfa_if_any, Access, Authed};
pub use email::{check_email, normalize_email};
pub use error::AuthError;
