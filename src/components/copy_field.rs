//! Copying to the clipboard: the one helper every Copy button calls, and
//! a read-only field with its Copy button for a command or link to paste
//! elsewhere (the `protect` command, a host's enrollment command).

use leptos::prelude::*;

/// Copies `text`, then puts what happened in `said` (`what` names it:
/// "Command copied.", or how to copy it by hand when the browser refuses).
pub fn copy_to_clipboard(text: String, what: &'static str, said: RwSignal<String>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        let words = match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => format!("{what} copied."),
            Err(_) => format!(
                "Could not copy: select the {} and copy it by hand.",
                what.to_lowercase()
            ),
        };
        let _ = said.try_set(words);
    });
}

/// A labelled, read-only, wrapping monospace field with a Copy button and
/// a live line that says whether the copy worked.
#[component]
pub fn CopyField(
    /// The field's id.
    id: &'static str,
    /// The field's label.
    label: String,
    /// What is copied.
    value: String,
    /// What it is, capitalised, for the button and the result
    /// ("Command": "Copy command", "Command copied.").
    what: &'static str,
) -> impl IntoView {
    let said = RwSignal::new(String::new());
    let text = value.clone();
    view! {
        <div class="field copy-field">
            <label for=id>{label}</label>
            <textarea id=id class="command" rows="2" readonly spellcheck="false"
                prop:value=value></textarea>
            <div class="copy-row">
                <button type="button" class="button secondary"
                    on:click=move |_| copy_to_clipboard(text.clone(), what, said)>
                    {format!("Copy {}", what.to_lowercase())}
                </button>
                <p class="hint" role="status" aria-live="polite">{move || said.get()}</p>
            </div>
        </div>
    }
}
