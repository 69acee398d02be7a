//! Pieces shared by several screens.

mod actions_menu;
mod alert;
mod code_field;
mod copy_field;
mod fresh_proof;
mod guards;
pub mod help_footer;
mod icon;
mod layout;
mod password_meter;
mod protect_link;
mod push_proof;
pub mod qr_code;
mod user_menu;

pub use actions_menu::ActionsMenu;
pub use alert::{Alert, Tone};
pub use code_field::{on_code_submit, CodeField};
pub use copy_field::{copy_to_clipboard, CopyField};
pub use fresh_proof::{FreshProof, ProofNeeded};
pub use guards::{AdminOnly, SignedInOnly};
pub use help_footer::HelpFooter;
pub use icon::{Icon, IconKind};
pub use layout::Layout;
pub use password_meter::{PasswordMeter, Rules};
pub use protect_link::ProtectLink;
pub use push_proof::PushProof;
pub use qr_code::QrCode;
pub use user_menu::{LazyUserMenu, LogoutButton, UserMenu};
