//! The one typed client of the Portcullis API.

mod client;
mod error;

pub use client::{login, logout, me};
pub use error::ApiError;
