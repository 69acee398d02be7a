//! The enrollment wizard's last step: recovery codes, made as the step
//! opens and shown once. Continue stays disabled until the user says they
//! saved them (after copying, downloading or printing them), so that
//! nobody leaves the setup without a way back in when the phone is lost.

use leptos::prelude::*;

use crate::api::account;
use crate::components::copy_to_clipboard;

/// The codes as a text file's contents, one per line.
pub fn codes_text(codes: &[String]) -> String {
    let mut text = String::from(
        "Portcullis recovery codes. Each works once, in place of your second factor.\n\n",
    );
    for c in codes {
        text.push_str(c);
        text.push('\n');
    }
    text
}

/// Where the making of the codes stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    Making,
    Codes(Vec<String>),
    /// Not made (the server's words); the user may go on and make them
    /// later on the Security page.
    Failed(String),
}

#[component]
pub fn CodesStep(
    /// The codes, kept by the page: made the first time the step opens,
    /// the same ones when the user comes back to it.
    made: RwSignal<Option<Made>>,
    /// Called by Continue, once the codes are saved.
    on_done: Callback<()>,
) -> impl IntoView {
    if made.get_untracked().is_none() {
        made.set(Some(Made::Making));
        leptos::task::spawn_local(async move {
            let answer = account::new_recovery_codes().await;
            let _ = made.try_set(Some(match answer {
                Ok(new) => Made::Codes(new.codes),
                Err(e) => Made::Failed(e.user_message()),
            }));
        });
    }
    let made = Signal::derive(move || made.get().unwrap_or(Made::Making));
    let saved = RwSignal::new(false);
    let copied = RwSignal::new(String::new());
    let may_go_on = move || saved.get() || matches!(made.get(), Made::Failed(_));

    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <p>
            "If you lose your phone or key, a recovery code still lets you sign in. Save them now, "
            "somewhere safe (a password manager, or on paper): they are shown only this once. "
            "Each code works once."
        </p>
        {move || match made.get() {
            Made::Making => view! { <p class="loading" role="status">"Making your recovery codes…"</p> }.into_any(),
            Made::Failed(words) => view! {
                <p class="form-error" role="alert">{words}</p>
                <p>"You can make recovery codes later on the Security page."</p>
            }
            .into_any(),
            Made::Codes(codes) => {
                let text = codes_text(&codes);
                let href = format!(
                    "data:text/plain;charset=utf-8,{}",
                    String::from(js_sys::encode_uri_component(&text))
                );
                let copy = move |_| copy_to_clipboard(text.clone(), "Codes", copied);
                view! {
                    <div class="new-codes">
                    <ol class="codes" aria-label="Recovery codes">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ol>
                    <div class="actions">
                        <a class="button secondary" href=href download="portcullis-recovery-codes.txt">
                            "Download"
                        </a>
                        <button type="button" class="button secondary" on:click=copy>"Copy all"</button>
                        <button type="button" class="button secondary" on:click=print>"Print"</button>
                    </div>
                    </div>
                    <p class="hint" role="status" aria-live="polite">{move || copied.get()}</p>
                    <div class="field checkbox">
                        <input id="codes-saved" type="checkbox"
                            prop:checked=move || saved.get()
                            on:change=move |ev| saved.set(event_target_checked(&ev))/>
                        <label for="codes-saved">"I’ve saved my recovery codes"</label>
                    </div>
                }
                .into_any()
            }
        }}
        <button
            type="button"
            class="button primary"
            disabled=move || !may_go_on()
            aria-describedby="codes-continue-hint"
            on:click=move |_| {
                if may_go_on() {
                    on_done.run(());
                }
            }
        >
            "Continue"
        </button>
        <p id="codes-continue-hint" class="hint">
            {move || (!may_go_on()).then_some("Continue is available once you’ve saved your codes.")}
        </p>
    }
}
