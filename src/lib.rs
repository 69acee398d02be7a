//! Portcullis user portal: the single-page app.
//!
//! Pure logic (messages, paths, form checks) lives in plain functions tested
//! natively; components only wire it to the DOM.

#[macro_use]
mod lazy;

pub mod api;
pub mod app;
pub mod boot;
pub mod components;
pub mod pages;
pub mod paths;
pub mod state;
pub mod styles;
pub mod text;
pub mod webauthn;
pub mod when;
