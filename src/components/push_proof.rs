//! The fresh-proof prompt's push: a push to the user's Protect phone that,
//! approved with the number shown, renews the session's second factor (for
//! a user whose only factor is push, the only way short of signing in
//! again). One push at a time; leaving withdraws it.

use leptos::prelude::*;
use portcullis_api::protect::{PushStatus, PushWait};

use crate::api::protect as calls;

/// Where the push stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Proof {
    Idle,
    Sending,
    Waiting {
        id: String,
        number: u8,
    },
    /// Denied, expired or refused, in words.
    Failed(String),
}

#[component]
pub fn PushProof(
    /// Runs once the phone approved.
    proven: Callback<()>,
) -> impl IntoView {
    let state = RwSignal::new(Proof::Idle);
    // Each push sent gets a generation: the loop of an older one stops.
    let generation = RwSignal::new(0_u32);

    let follow = move |id: String, mine: u32| {
        leptos::task::spawn_local(async move {
            let wanted = move || generation.try_get_untracked() == Some(mine);
            let wait = |id: String, secs| async move { calls::wait_fresh_push(&id, secs).await };
            let Some(answer) = calls::follow(wait, &id, wanted).await else {
                return;
            };
            let next = match answer {
                Ok(PushWait {
                    status: PushStatus::Approved,
                    ..
                }) => {
                    let _ = state.try_set(Proof::Idle);
                    proven.run(());
                    return;
                }
                Ok(PushWait {
                    status: PushStatus::Cancelled | PushStatus::Pending,
                    ..
                }) => Proof::Idle,
                Ok(PushWait { message, .. }) => Proof::Failed(message.unwrap_or_else(|| {
                    "The push was not approved. Send another, or use another factor.".to_string()
                })),
                Err(e) => Proof::Failed(e.user_message()),
            };
            let _ = state.try_set(next);
        });
    };
    let send = move |_| {
        if matches!(
            state.get_untracked(),
            Proof::Sending | Proof::Waiting { .. }
        ) {
            return;
        }
        let mine = generation.get_untracked().wrapping_add(1);
        generation.set(mine);
        state.set(Proof::Sending);
        leptos::task::spawn_local(async move {
            match calls::start_fresh_push().await {
                Ok(started) => {
                    if generation.try_get_untracked() != Some(mine) {
                        let _ = calls::cancel_push(&started.id).await;
                        return;
                    }
                    let _ = state.try_set(Proof::Waiting {
                        id: started.id.clone(),
                        number: started.number,
                    });
                    follow(started.id, mine);
                }
                Err(e) => {
                    let _ = state.try_set(Proof::Failed(e.user_message()));
                }
            }
        });
    };
    on_cleanup(move || {
        if let Some(Proof::Waiting { id, .. }) = state.try_get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = calls::cancel_push(&id).await;
            });
        }
        let _ = generation.try_update(|g| *g = g.wrapping_add(1));
    });

    view! {
        <div class="push-proof">
            {move || match state.get() {
                Proof::Waiting { number, .. } => view! {
                    <p role="status">"Open Protect on your phone and enter this number:"</p>
                    <p class="push-number" aria-label=format!("Number to enter: {number}")>
                        {format!("{number:02}")}
                    </p>
                }
                .into_any(),
                Proof::Sending => view! {
                    <p class="loading" role="status">"Sending a push to your phone…"</p>
                }
                .into_any(),
                Proof::Failed(words) => view! {
                    <p class="form-error" role="alert">{words}</p>
                    <button type="button" class="button secondary" on:click=send>"Send another push"</button>
                }
                .into_any(),
                Proof::Idle => view! {
                    <button type="button" class="button secondary" on:click=send>"Send a push"</button>
                }
                .into_any(),
            }}
        </div>
    }
}
