//! Rules every area shares and none owns: what the organisation requires of
//! a user (the MFA requirement and status), the organisation's settings as
//! they are read, and which factors a login may prove. They sit below
//! `auth`, `mfa`, `login` and `admin`, and depend on none of them.

pub mod app_need;
pub mod branding;
pub mod factors;
pub mod org_settings;
pub mod requirement;
pub mod resource;
