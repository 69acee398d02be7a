//! Bringing people in: an administrator (or the command line) adds a user,
//! who is invited by email; setup links for an account with no factor
//! (an administrator's first factor never comes from the password alone);
//! the welcome a link opens, which hands over to the login.

pub mod add;
mod csv_rows;
pub mod edit;
pub mod groups;
pub mod import;
pub mod links;
pub mod reset;
pub mod welcome;
