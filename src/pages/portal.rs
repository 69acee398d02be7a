//! The signed-in user's screens (lazy, behind the signed-in guard).

pub mod home;
pub mod security;
mod security_keys;

pub use home::HomePage;
pub use security::SecurityPage;

lazy_screen!(HomeScreen, home_view, home::HomePage);
lazy_screen!(SecurityScreen, security_view, security::SecurityPage);
