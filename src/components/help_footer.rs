//! The organisation's help text (set on the admin settings page) in a
//! footer below the signed-in screens and the MFA prompt: each of those
//! lazily loaded screens shows it after itself (`lazy_screen!`'s `after`),
//! so nothing of it is in the first download. It comes from
//! `GET /api/v1/branding`, asked once per page load and kept here; no help
//! text set, no footer.

use std::cell::RefCell;

use leptos::prelude::*;

use crate::api;

thread_local! {
    /// The help text once asked for (`Some(None)`: none set).
    static KNOWN: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// The help text just saved on the settings page: the next screen shows it
/// without a reload.
pub fn set_help_text(text: Option<String>) {
    KNOWN.with(|k| *k.borrow_mut() = Some(text));
}

/// The footer, with the help text as plain text (never as HTML).
#[component]
pub fn HelpFooter() -> impl IntoView {
    let text = RwSignal::new(None::<String>);
    match KNOWN.with(|k| k.borrow().clone()) {
        Some(known) => text.set(known),
        None => leptos::task::spawn_local(async move {
            // Unreadable: no footer (it is help, not the screen's content).
            let help = api::branding::branding()
                .await
                .ok()
                .and_then(|b| b.help_text);
            KNOWN.with(|k| *k.borrow_mut() = Some(help.clone()));
            let _ = text.try_set(help);
        }),
    }
    move || {
        text.get().map(|help| {
            view! {
                <footer class="help-footer">
                    <p>{help}</p>
                </footer>
            }
        })
    }
}
