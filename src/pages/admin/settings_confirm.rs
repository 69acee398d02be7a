//! The confirmation of a change to the MFA settings, shown at the end of
//! the section that asked for it rather than at the top of the page: the
//! person stays where they were, with the sentence that says what will
//! change, a fresh second factor when the server wants one, and Save the
//! change / Cancel.

use leptos::prelude::*;
use portcullis_api::MfaSettingsChange;

use crate::components::FreshProof;

/// A change waiting for the admin's yes: which section asked, the change,
/// and its sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub section: &'static str,
    pub change: MfaSettingsChange,
    pub sentence: String,
}

/// What every section's confirmation shares (one change waits at a time).
#[derive(Clone, Copy)]
pub struct SettingsConfirm {
    pub pending: RwSignal<Option<Pending>>,
    pub busy: RwSignal<bool>,
    /// The server asked for a fresh second factor.
    pub need_code: RwSignal<bool>,
    pub failure: RwSignal<Option<String>>,
    /// Saves the pending change.
    pub run: Callback<()>,
    /// Drops it.
    pub cancel: Callback<()>,
}

/// The id of a section's Save button (the focus returns there when its
/// confirmation closes).
pub fn save_id(section: &'static str) -> String {
    format!("{section}-save")
}

/// The confirmation of `section`'s change, while one waits.
#[component]
pub fn SectionConfirm(
    /// The section this stands in (as `Pending::section` names it).
    section: &'static str,
    /// The section's own heading is an `h3` (a part of a group): this one
    /// is then an `h4`, else an `h3`.
    #[prop(optional)]
    nested: bool,
) -> impl IntoView {
    let c = expect_context::<SettingsConfirm>();
    let h3 = NodeRef::<leptos::html::H3>::new();
    let h4 = NodeRef::<leptos::html::H4>::new();
    let sentence = move || {
        c.pending.with(|p| {
            p.as_ref()
                .filter(|p| p.section == section)
                .map(|p| p.sentence.clone())
        })
    };
    // It takes the focus when it opens, so that keyboard and screen-reader
    // users land on what they must decide.
    Effect::new(move |_| {
        if sentence().is_some() {
            if let Some(h) = h3.get() {
                let _ = h.focus();
            } else if let Some(h) = h4.get() {
                let _ = h.focus();
            }
        }
    });
    let title_id = format!("{section}-confirm-title");
    move || {
        sentence().map(|sentence| {
            let title = if nested {
                view! { <h4 id=title_id.clone() tabindex="-1" node_ref=h4>"Confirm the change"</h4> }.into_any()
            } else {
                view! { <h3 id=title_id.clone() tabindex="-1" node_ref=h3>"Confirm the change"</h3> }.into_any()
            };
            view! {
                <div class="confirm" role="group" aria-labelledby=title_id.clone()>
                    {title}
                    <p>{sentence}</p>
                    <p class="form-error" role="alert">{move || c.failure.get()}</p>
                    <FreshProof id="settings-code" open=c.need_code verb="Verify and save" then=c.run
                        cancel=c.cancel
                    />
                    <Show when=move || !c.need_code.get()>
                        <div class="actions">
                            <button type="button" class="button primary"
                                aria-busy=move || c.busy.get().to_string() on:click=move |_| c.run.run(())
                            >
                                "Save the change"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| c.cancel.run(())>
                                "Cancel"
                            </button>
                        </div>
                    </Show>
                </div>
            }
        })
    }
}

/// The end of a section: its Save button, which asks for the confirmation
/// shown just below it.
#[component]
pub fn SaveBar(
    /// The section (its Save button's id is made from it).
    section: &'static str,
    disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="save-bar">
            <button type="submit" id=save_id(section) class="button primary inline" disabled=disabled>
                "Save…"
            </button>
        </div>
    }
}
