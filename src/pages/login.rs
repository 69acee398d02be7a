//! The login steps, open to anyone: password (eager: it is the first
//! download), second factor and enrollment (lazy).

mod countdown;
pub mod enroll;
mod enroll_codes;
mod enroll_protect;
pub mod enroll_steps;
mod forgot;
mod locked;
pub mod mfa;
mod passkey;
pub mod password;
mod push;
pub mod sso;
pub mod welcome;

pub use enroll::EnrollPage;
pub use mfa::LoginMfaPage;
pub use password::LoginPage;
pub use welcome::WelcomePage;

lazy_screen!(
    LoginMfaScreen,
    login_mfa_view,
    mfa::LoginMfaPage,
    after = crate::components::HelpFooter
);
lazy_screen!(EnrollScreen, enroll_view, enroll::EnrollPage);
lazy_screen!(WelcomeScreen, welcome_view, welcome::WelcomePage);
lazy_screen!(ForgotScreen, forgot_view, forgot::ForgotPage);
lazy_screen!(SsoScreen, sso_view, sso::SsoPage);
