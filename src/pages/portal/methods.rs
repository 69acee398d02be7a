//! `/security`'s "Sign-in methods": every second factor the user has, one
//! row each (icon, name, kind, added and last used, actions behind one
//! button), and one "Add a sign-in method" button that opens a chooser
//! (`methods_add.rs`). The rows are the authenticator app (`app_method.rs`),
//! the Protect phone (`protect.rs`) and the security keys and passkeys
//! (`security_keys.rs`).

use leptos::prelude::*;
use portcullis_api::{MfaOverview, TotpState};

use super::app_method::AppRow;
use super::methods_add::AddMethod;
use super::methods_state::Methods;
use super::protect::ProtectRow;
use super::security_keys::KeyRow;
use super::sessions::FactorsChanged;
use crate::components::{Alert, Tone};
use crate::state::use_toasts;

#[component]
pub fn SignInMethods(
    /// The user's MFA status and factors.
    overview: MfaOverview,
) -> impl IntoView {
    let methods = Methods::new(use_context::<FactorsChanged>(), use_toasts());
    methods.reload_keys();
    methods.reload_device();
    let app = overview.totp;
    let allowed = overview.allowed;
    let has_app = matches!(app, TotpState::Active { .. });
    let loaded = move || methods.keys.with(Option::is_some) && methods.device.with(Option::is_some);
    let count = move || {
        usize::from(has_app)
            + usize::from(methods.has_phone())
            + methods
                .keys
                .with(|k| k.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, Vec::len))
    };
    view! {
        <section class="card" aria-labelledby="methods-title">
            <h2 id="methods-title">"Sign-in methods"</h2>
            <p class="hint">
                "What you use after your password to prove it’s you. Two or more mean that losing one \
                 does not lock you out."
            </p>
            <Alert tone=Tone::Error message=methods.problem dismissible=true/>
            <ul class="rows methods" aria-label="Your sign-in methods">
                {has_app.then(|| view! { <AppRow app=app/> })}
                {move || match methods.device.get() {
                    Some(Ok(Some(d))) => Some(view! { <ProtectRow device=d methods=methods/> }.into_any()),
                    Some(Err(e)) => Some(view! { <li class="row"><p>{e.user_message()}</p></li> }.into_any()),
                    _ => None,
                }}
                {move || match methods.keys.get() {
                    Some(Ok(list)) => list
                        .into_iter()
                        .map(|k| view! { <KeyRow key=k methods=methods/> })
                        .collect_view()
                        .into_any(),
                    Some(Err(e)) => view! { <li class="row"><p>{e.user_message()}</p></li> }.into_any(),
                    None => ().into_any(),
                }}
            </ul>
            <Show when=move || loaded() && count() == 0>
                <div class="empty-state">
                    <p><strong>"No sign-in method yet"</strong></p>
                    <p class="hint">"Add one so that a stolen password is not enough to get in."</p>
                </div>
            </Show>
            <Show when=move || !loaded()>
                <p class="loading skeleton-row" role="status">"Loading your sign-in methods…"</p>
            </Show>
            <AddMethod methods=methods has_app=has_app allowed=allowed/>
        </section>
    }
}
