//! The notice a user sees once after the organisation merged Protect and
//! the authenticator app: what changes for them, until they dismiss it.

use leptos::prelude::*;

use crate::api::protect as calls;

#[component]
pub fn MergeNotice() -> impl IntoView {
    let shown = RwSignal::new(true);
    let dismiss = move |_| {
        shown.set(false);
        // Seen is recorded on the server so other browsers do not show it
        // again; a failure only means it may show once more.
        leptos::task::spawn_local(async move {
            let _ = calls::merge_notice_seen().await;
        });
    };
    move || {
        shown.get().then(|| {
            view! {
                <div class="notice" role="region" aria-labelledby="merge-title">
                    <h2 id="merge-title">"Protect is now also your authenticator app"</h2>
                    <p>
                        "Your organisation merged Protect push and the authenticator app: a phone "
                        "set up with Protect from now on also shows your codes, from one QR code. "
                        "An app you set up before keeps working until you reset it below."
                    </p>
                    <button type="button" class="button secondary" on:click=dismiss>"Got it"</button>
                </div>
            }
        })
    }
}
