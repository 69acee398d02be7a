//! A host's one-time enrollment token, shown once on `/admin/systems`
//! right after it was made: the token and the command to run on the host,
//! each in a read-only field, with a button that copies the command.

use leptos::prelude::*;
use portcullis_api::hosts::{HostEnrollment, HOST_TOKEN_HOURS};

use crate::when::local_date_time;

/// The enrollment just made. It takes the focus when it appears, so that
/// keyboard and screen-reader users land on it; `done` hides it.
#[component]
pub(super) fn EnrollmentShown(enrollment: HostEnrollment, done: Callback<()>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let copied = RwSignal::new(String::new());
    let command = enrollment.command.clone();
    let copy = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&command);
        leptos::task::spawn_local(async move {
            let said = match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => "Command copied.",
                Err(_) => "Could not copy: select the command and copy it by hand.",
            };
            let _ = copied.try_set(said.to_string());
        });
    };
    let host = enrollment.host;
    let until = host
        .token_expires_at
        .map(|t| format!(", until {}", local_date_time(t)))
        .unwrap_or_default();
    view! {
        <div class="setup-link host-enrollment" role="group" aria-labelledby="host-enrollment-title">
            <h2 id="host-enrollment-title" tabindex="-1" node_ref=heading>
                {format!("Enroll {}", host.name)}
            </h2>
            <p>
                "Run this command on "{host.name.clone()}" as root. Its enrollment token is shown \
                 only this once and works once, for "{HOST_TOKEN_HOURS}" hours"{until}
                ". The host then makes its own key and keeps it under /etc/portcullis."
            </p>
            <div class="field">
                <label for="host-command">{format!("Command to run on {}", host.name)}</label>
                <textarea id="host-command" class="command" rows="3" readonly spellcheck="false"
                    prop:value=enrollment.command.clone()></textarea>
            </div>
            <div class="copy-row">
                <button type="button" class="button secondary" on:click=copy>"Copy the command"</button>
                <p class="hint" role="status" aria-live="polite">{move || copied.get()}</p>
            </div>
            <div class="field">
                <label for="host-token">"Enrollment token (in the command)"</label>
                <input id="host-token" class="command" type="text" readonly spellcheck="false"
                    value=enrollment.token.clone()/>
            </div>
            <p>
                "Then add pam_portcullis.so to the PAM stack of the services that should ask \
                 (sshd, say), as the README’s section on Linux logins says. Keep a root session open while you try it."
            </p>
            <div class="actions">
                <button type="button" class="button secondary" on:click=move |_| done.run(())>
                    "Done"
                </button>
            </div>
        </div>
    }
}
