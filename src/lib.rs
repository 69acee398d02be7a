//! Portcullis user portal: the single-page app.
//!
//! Pure logic (messages, navigation targets, form checks) lives in plain
//! functions tested natively; components only wire it to the DOM.

pub mod api;
pub mod app;
pub mod components;
pub mod nav;
pub mod routes;
pub mod session;
pub mod text;
