//! Toasts: a short note that a completed action worked ("Key removed."),
//! shown at the bottom of the screen for a few seconds and said by a polite
//! live region, so that it never stays on the page after the next action
//! the way an inline success message did. Problems stay inline, beside what
//! caused them; only success goes here.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::{Icon, IconKind};

/// How long a toast stays (it can be closed sooner).
const SHOWN_FOR: Duration = Duration::from_secs(8);

/// The toast on show, if any. (Its words are what a timer checks before
/// hiding it: a plain string signal, a type the first download has anyway.)
#[derive(Clone, Copy)]
pub struct Toasts(RwSignal<Option<String>>);

/// The toasts (part of the session's context).
pub fn use_toasts() -> Toasts {
    Toasts(super::use_session().toast)
}

impl Toasts {
    /// Shows `words` in place of any toast on show.
    pub fn show(self, words: impl Into<String>) {
        let words = words.into();
        let _ = self.0.try_set(Some(words.clone()));
        set_timeout(
            move || {
                let _ = self.0.try_update(|t| {
                    // the same words shown again since are hidden early:
                    // harmless, they were read once already
                    if t.as_deref() == Some(words.as_str()) {
                        *t = None;
                    }
                });
            },
            SHOWN_FOR,
        );
    }

    /// Hides the toast on show.
    pub fn clear(self) {
        let _ = self.0.try_set(None);
    }
}

/// Where toasts appear: a live region that is always in the page (so that
/// what appears in it is announced), with a Close button beside the words.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toast-region" role="status" aria-live="polite">
            {move || toasts.0.get().map(|words| view! {
                <div class="toast">
                    <Icon kind=IconKind::Ok/>
                    <p>{words}</p>
                    <button type="button" class="icon-button" aria-label="Close"
                        on:click=move |_| toasts.clear()>
                        <Icon kind=IconKind::Close/>
                    </button>
                </div>
            })}
        </div>
    }
}
