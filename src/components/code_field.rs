use leptos::prelude::*;

/// The one-time-code input: digits keyboard on phones, the browser's and
/// password managers' one-time-code autofill, and paste (spaces are dropped
/// when the form checks it).
#[component]
pub fn CodeField(
    /// The element id (the label points at it).
    id: &'static str,
    /// The label text.
    label: &'static str,
    /// The typed code.
    value: RwSignal<String>,
    /// A problem to show under the field.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Take the keyboard focus when shown (the field is the point of the page).
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let input = NodeRef::<leptos::html::Input>::new();
    // The `autofocus` attribute only works on page load, not for fields a
    // single-page app shows later, so focus it once it is in the page.
    Effect::new(move |_| {
        if autofocus {
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        }
    });
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                node_ref=input
                id=id
                class="code-input"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength="9"
                spellcheck="false"
                bind:value=value
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
            />
            <p id=error_id class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// The submit handler of a one-code form: checks the typed code, shows the
/// problem under the field, or hands six digits to `send` (unless `busy`).
pub fn on_code_submit(
    code: RwSignal<String>,
    set_problem: WriteSignal<Option<String>>,
    busy: impl Fn() -> bool + Copy + 'static,
    send: impl Fn(String) + Copy + 'static,
) -> impl Fn(leptos::ev::SubmitEvent) + Copy + 'static {
    move |ev| {
        ev.prevent_default();
        if busy() {
            return;
        }
        match crate::text::normalize_code(&code.get_untracked()) {
            Ok(c) => {
                set_problem.set(None);
                send(c);
            }
            Err(m) => set_problem.set(Some(m.to_string())),
        }
    }
}
