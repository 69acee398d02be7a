//! The enrollment wizard's Protect push step: the one-time link, made as
//! the step opens, as a QR code; the page watches for the phone's
//! enrollment (the login's factors gain push), then goes on: to the push
//! that proves the phone during a login, or to the next step when signed
//! in.

use leptos::prelude::*;
use portcullis_api::protect::ProtectEnrollment;
use portcullis_api::FactorKind;

use crate::api::{self, protect as calls};
use crate::components::ProtectLink;

/// How often the page asks whether the phone has enrolled.
const POLL_MS: u32 = 2_000;

#[component]
pub fn PhoneStep(
    /// Called once the phone is enrolled.
    on_enrolled: Callback<()>,
) -> impl IntoView {
    let link = RwSignal::new(None::<ProtectEnrollment>);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let watching = RwSignal::new(false);
    let (alive, _) = signal(());

    // Polls until the phone is enrolled or the page goes away (the signal
    // is gone with it); a failed poll is tried again at the next turn.
    let watch = move || {
        if watching.get_untracked() {
            return;
        }
        watching.set(true);
        leptos::task::spawn_local(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
                if alive.try_get_untracked().is_none() {
                    return;
                }
                if let Ok(o) = api::mfa().await {
                    if o.factors.contains(&FactorKind::Push) {
                        on_enrolled.run(());
                        return;
                    }
                }
            }
        });
    };
    let start = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = calls::enroll_link().await;
            let _ = busy.try_set(false);
            match answer {
                Ok(l) => {
                    let _ = link.try_set(Some(l));
                    watch();
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    start();

    view! {
        <p>
            "Approve each login with a tap in the Protect app on your phone, after typing the "
            "number the login page shows."
        </p>
        <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
        {move || match link.get() {
            None if busy.get() => view! {
                <p class="loading" role="status">"Making your link…"</p>
            }
            .into_any(),
            // The link could not be made: try again.
            None => view! {
                <button type="button" class="button secondary" on:click=move |_| start()>
                    "Try again"
                </button>
            }
            .into_any(),
            Some(l) => view! {
                <div class="enroll-link">
                    <ProtectLink link=l/>
                    <p class="status-line" role="status" aria-live="polite">
                        "Waiting for your phone… This page goes on by itself once it is set up."
                    </p>
                </div>
            }
            .into_any(),
        }}
    }
}
