//! `/login/mfa`'s Protect push: a push goes to the user's phone, the page
//! shows the number to type there and a 60-second countdown, and follows
//! the phone's answer live (the server holds each request until something
//! changes, across instances). An approval finishes the login; a denial or
//! expiry is said in words with "Send another push"; leaving the panel
//! cancels the push.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_api::protect::{PushStatus, PushWait};
use portcullis_api::{ErrorCode, LoginResponse};

use super::countdown::{tick_message, Countdown};
use crate::api::{protect as calls, ApiError};
use crate::paths::safe_next;
use crate::state::use_session;

/// How long a push lasts (the server's rule; the countdown is local, so
/// that a phone or server clock that is off does not skew it).
const PUSH_SECS: u32 = 60;

/// Where the push stands; the panel is a match on this.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Push {
    Sending,
    Waiting {
        id: String,
        number: u8,
    },
    /// Denied on the phone (or a wrong number typed there), in words.
    Denied(String),
    Expired,
    /// Not sent or not followed (too many pushes, muted, server problem).
    Refused(String),
    /// The half-finished login is gone.
    LoginExpired,
}

#[component]
pub fn PushPanel() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let state = RwSignal::new(Push::Sending);
    let left = RwSignal::new(PUSH_SECS);
    // Each push sent gets a new generation: loops of older ones stop.
    let generation = RwSignal::new(0_u32);
    // A refusal that names a wait (pushes still waiting on the phone):
    // its words count down, and "Send another push" waits with them.
    let wait = Countdown::new();

    let follow = move |id: String, mine: u32| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let wanted = move || generation.try_get_untracked() == Some(mine);
            let wait = |id: String, secs| async move { calls::wait_push(&id, secs).await };
            let Some(answer) = calls::follow(wait, &id, wanted).await else {
                return;
            };
            let next = match answer {
                // `follow` answers only once the push is no longer pending.
                Ok(PushWait {
                    status: PushStatus::Pending,
                    ..
                }) => return,
                Ok(PushWait {
                    status: PushStatus::Approved,
                    login: Some(LoginResponse::Done { user }),
                    ..
                }) => {
                    session.signed_in(user);
                    let next = safe_next(query.get_untracked().get("next").as_deref());
                    navigate(&next, Default::default());
                    return;
                }
                Ok(PushWait {
                    status: PushStatus::Approved,
                    ..
                }) => Push::LoginExpired,
                Ok(PushWait {
                    status: PushStatus::Denied,
                    message,
                    ..
                }) => Push::Denied(
                    message.unwrap_or_else(|| "The request was denied on your phone.".to_string()),
                ),
                Ok(PushWait {
                    status: PushStatus::Expired,
                    ..
                }) => Push::Expired,
                Ok(PushWait {
                    status: PushStatus::Cancelled,
                    ..
                }) => return,
                Err(e) if e.is_unauthenticated() => Push::LoginExpired,
                Err(e) => Push::Refused(e.user_message()),
            };
            let _ = state.try_set(next);
        });
    };
    let countdown = move |mine: u32| {
        leptos::task::spawn_local(async move {
            let _ = left.try_set(PUSH_SECS);
            for s in (0..PUSH_SECS).rev() {
                gloo_timers::future::TimeoutFuture::new(1_000).await;
                if generation.try_get_untracked() != Some(mine) {
                    return;
                }
                let _ = left.try_set(s);
            }
        });
    };
    let send = move || {
        let mine = generation.get_untracked().wrapping_add(1);
        generation.set(mine);
        wait.stop();
        state.set(Push::Sending);
        let follow = follow.clone();
        leptos::task::spawn_local(async move {
            match calls::start_push().await {
                Ok(started) => {
                    if generation.try_get_untracked() != Some(mine) {
                        let _ = calls::cancel_push(&started.id).await;
                        return;
                    }
                    let _ = state.try_set(Push::Waiting {
                        id: started.id.clone(),
                        number: started.number,
                    });
                    countdown(mine);
                    follow(started.id, mine);
                }
                Err(e) if e.is_unauthenticated() => {
                    let _ = state.try_set(Push::LoginExpired);
                }
                // A push still waiting on the phone: the server's own words
                // say so and how long to wait, where the generic
                // "too many attempts" would mislead.
                Err(ApiError::Server {
                    code: ErrorCode::TooManyAttempts,
                    message,
                    retry_after,
                    ..
                }) => {
                    if state.try_set(Push::Refused(message)).is_none() {
                        wait.start(retry_after.unwrap_or(1));
                    }
                }
                Err(e) => {
                    let _ = state.try_set(Push::Refused(e.user_message()));
                }
            }
        });
    };
    send.clone()();
    // Switching to another factor, or leaving, withdraws the push.
    on_cleanup(move || {
        if let Some(Push::Waiting { id, .. }) = state.try_get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = calls::cancel_push(&id).await;
            });
        }
        let _ = generation.try_update(|g| *g = g.wrapping_add(1));
    });

    // Said to screen readers at a few moments, not every second.
    let announced = move || match left.get() {
        30 => Some("30 seconds left to approve on your phone."),
        10 => Some("10 seconds left."),
        _ => None,
    };
    view! {
        <div class="factor-panel" role="group" aria-labelledby="factor-push">
            <h2 id="factor-push">"Protect push"</h2>
            <p class="visually-hidden" aria-live="polite">{announced}</p>
            {move || {
                let again = send.clone();
                let retry = move || view! {
                    <button type="button" class="button primary" disabled=move || wait.waiting()
                        on:click=move |_| again()>
                        "Send another push"
                    </button>
                };
                match state.get() {
                    Push::Sending => view! {
                        <p class="loading" role="status">"Sending a push to your phone…"</p>
                    }
                    .into_any(),
                    Push::Waiting { number, .. } => view! {
                        <p role="status">
                            "We sent a push to your phone. Open Protect and enter this number:"
                        </p>
                        <p class="push-number" aria-label=format!("Number to enter: {number}")>
                            {format!("{number:02}")}
                        </p>
                        <p class="hint">{move || format!("Waiting for your phone… {} s left", left.get())}</p>
                    }
                    .into_any(),
                    Push::Denied(words) => view! {
                        <p class="form-error" role="alert">{words}</p>
                        {retry()}
                    }
                    .into_any(),
                    Push::Expired => view! {
                        <p class="form-error" role="alert">
                            "The push expired before it was approved. Send another, or use another factor."
                        </p>
                        {retry()}
                    }
                    .into_any(),
                    // Said once (an alert); the seconds then tick in a
                    // copy that is not read out every second.
                    Push::Refused(words) => view! {
                        <p class="visually-hidden" role="alert">{words.clone()}</p>
                        <p class="form-error" aria-hidden="true">
                            {move || tick_message(&words, wait.total(), wait.left())}
                        </p>
                        <p class="visually-hidden" aria-live="polite">
                            {move || (wait.total() > 0 && !wait.waiting()).then_some("You can send another push now.")}
                        </p>
                        {retry()}
                    }
                    .into_any(),
                    Push::LoginExpired => view! {
                        <p class="form-error" role="alert">"Your login has expired. Log in again."</p>
                    }
                    .into_any(),
                }
            }}
        </div>
    }
}
