//! Pieces shared by several pages.

mod code_field;
mod layout;
pub mod qr_code;
mod require_auth;

pub use code_field::{on_code_submit, CodeField};
pub use layout::Layout;
pub use qr_code::QrCode;
pub use require_auth::RequireAuth;
