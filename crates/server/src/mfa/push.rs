//! Protect push, in one folder: the pure rules (`rules`), the push rows
//! every part reads (`rows`), the organisation's policy (`policy`), sending
//! (`send`) within the limits (`limits`), the device's enrollment, answers
//! and removal (`factor`), enrollment links (`links`), fraud reports and
//! mutes (`fraud`), proving push again in a signed-in session (`verify`),
//! and the authenticator key carried by the device in unified mode
//! (`unified`).

pub mod factor;
pub mod fraud;
pub mod limits;
pub mod links;
pub mod policy;
pub mod rows;
pub mod rules;
pub mod send;
pub mod unified;
pub mod verify;
