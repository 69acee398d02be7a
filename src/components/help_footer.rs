//! The organisation's help text (set on the admin settings page) in a
//! footer below the signed-in screens and the MFA prompt. Only lazily
//! loaded parts show it: the user's menu (there on every signed-in screen)
//! and the MFA prompt. It comes from `GET /api/v1/branding`, asked once
//! per page load and kept here; no help text set, no footer.

use std::cell::RefCell;

use leptos::portal::Portal;
use leptos::prelude::*;

use crate::api;

thread_local! {
    /// The help text once asked for (`Some(None)`: none set).
    static KNOWN: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
    /// The footer's text, shared by every footer on the page (reference
    /// counted, so it outlives the screen that first made it).
    static SHOWN: RefCell<Option<ArcRwSignal<Option<String>>>> = const { RefCell::new(None) };
}

fn shown() -> ArcRwSignal<Option<String>> {
    SHOWN.with(|s| s.borrow_mut().get_or_insert_with(|| ArcRwSignal::new(None)).clone())
}

/// The help text just saved on the settings page: the footer shows it
/// without a reload.
pub fn set_help_text(text: Option<String>) {
    KNOWN.with(|k| *k.borrow_mut() = Some(text.clone()));
    shown().set(text);
}

/// The footer, at the end of the page (outside `<main>`, as the page's
/// `contentinfo`), with the help text as plain text.
#[component]
pub fn HelpFooter() -> impl IntoView {
    let text = shown();
    if KNOWN.with(|k| k.borrow().is_none()) {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            // Unreadable: no footer (it is help, not the screen's content).
            let help = api::branding::branding().await.ok().and_then(|b| b.help_text);
            KNOWN.with(|k| *k.borrow_mut() = Some(help.clone()));
            text.set(help);
        });
    } else {
        text.set(KNOWN.with(|k| k.borrow().clone().flatten()));
    }
    move || {
        text.get().map(|help| {
            view! {
                <Portal>
                    <footer class="help-footer">
                        <p>{help.clone()}</p>
                    </footer>
                </Portal>
            }
        })
    }
}
