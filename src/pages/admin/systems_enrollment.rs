//! A host's one-time enrollment token, shown once on `/admin/systems`
//! right after it was made: the token and the command to run on the host,
//! each in a read-only field, with a button that copies the command.

use leptos::prelude::*;
use portcullis_api::hosts::{HostEnrollment, HOST_TOKEN_HOURS};

use crate::components::CopyField;
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
            <CopyField
                id="host-command"
                label=format!("Command to run on {}", host.name)
                value=enrollment.command.clone()
                what="Command"
            />
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
