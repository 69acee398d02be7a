//! The one typed client of the Portcullis API.

pub mod account;
pub mod admin;
pub mod branding;
mod client;
mod error;
mod js_json;
pub mod protect;
pub mod sso;
pub mod webauthn;

pub use client::{
    login, logout, me, mfa, on_session_ended, skip_enrollment, totp_confirm, totp_enroll,
    totp_reset, verify_mfa,
};
pub use error::ApiError;

/// Starts a request now; the signal holds its result once it arrives.
/// (Lighter than `LocalResource` + `Transition`, whose machinery costs the
/// SPA more wasm than the two pages that used it.)
pub fn load<T, F>(request: F) -> leptos::prelude::ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: std::future::Future<Output = T> + 'static,
{
    use leptos::prelude::*;
    let (get, set) = signal(None);
    leptos::task::spawn_local(async move {
        let value = request.await;
        // the page may have gone away meanwhile
        let _ = set.try_set(Some(value));
    });
    get
}
