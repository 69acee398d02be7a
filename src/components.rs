//! Pieces shared by several pages.

mod layout;
mod require_auth;

pub use layout::Layout;
pub use require_auth::RequireAuth;
