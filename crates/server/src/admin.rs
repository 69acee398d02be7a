//! Administration of other users' MFA: the users list, Require MFA, Reset
//! MFA, lifting a suspension. Rules: who may act on whom (role rank), a
//! fresh second factor for every change, one transaction per change with
//! its audit event and emails.

pub mod branding;
mod bulk;
pub mod common;
mod detail;
mod events;
mod export;
mod factors;
mod list;
mod remind;
mod requirement;
mod sessions;
pub mod settings;
pub(crate) mod suspend;
pub use bulk::{bulk, bulk_preview};
pub use common::{check_period, get, may_act_on, AdminError, PAGE_DEFAULT, PAGE_MAX};
pub use detail::detail;
pub use events::{events, EventQuery};
pub use export::csv;
pub use factors::remove_factor;
pub use list::{count, cursor_at, explain, list, summary, ListQuery};
pub use remind::remind;
pub use requirement::{require_mfa, reset_mfa, unlock, unrequire_mfa};
pub use sessions::end_sessions;
pub use suspend::{reactivate, suspend};
