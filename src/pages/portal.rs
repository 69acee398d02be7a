//! The signed-in user's screens (lazy, behind the signed-in guard).

mod app_method;
pub mod home;
mod merge_notice;
mod methods;
mod methods_add;
mod methods_state;
pub mod my_apps;
mod password;
mod protect;
pub mod recovery_codes;
pub mod security;
mod security_keys;
mod sessions;
mod signed_in_apps;
mod trusted_browsers;

pub use home::HomePage;
pub use security::SecurityPage;

lazy_screen!(
    PortalScreen,
    portal_view,
    after = crate::components::HelpFooter,
    {
        HomeScreen => home::HomePage,
        SecurityScreen => security::SecurityPage,
    }
);
