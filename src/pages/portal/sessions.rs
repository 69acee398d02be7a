//! `/security`'s "Where you're signed in": the user's sessions (browser
//! and system in words, address, started, last seen, "This browser"), ending
//! one, and signing out everywhere else, which the page also offers after a
//! change to the factors.

use leptos::prelude::*;
use portcullis_api::{ErrorCode, SessionInfo};

use crate::api::{account, ApiError};
use crate::components::{Alert, FreshProof, Tone};
use crate::state::use_toasts;
use crate::when::local_date_time;

/// Set by the other sections after a change to the factors: this section
/// then offers to sign out the other sessions.
#[derive(Clone, Copy)]
pub struct FactorsChanged(pub RwSignal<bool>);

/// A change to the sessions, kept to run again after a fresh proof.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    End { id: String, browser: String },
    EndOthers,
}

#[component]
pub fn Sessions() -> impl IntoView {
    let changed = use_context::<FactorsChanged>().map(|c| c.0);
    let list = RwSignal::new(None::<Result<Vec<SessionInfo>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let _ = list.try_set(Some(account::sessions().await));
        });
    };
    reload();
    let toasts = use_toasts();
    let problem = RwSignal::new(None::<String>);
    let need_proof = RwSignal::new(false);
    let pending = RwSignal::new(None::<Change>);
    let run = move |change: Change| {
        pending.set(Some(change.clone()));
        toasts.clear();
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = match &change {
                Change::End { id, browser } => account::end_session(id)
                    .await
                    .map(|()| format!("Signed out {browser}.")),
                Change::EndOthers => account::end_other_sessions().await.map(|e| match e.ended {
                    0 => "There was no other session.".to_string(),
                    1 => "Signed out of 1 other session.".to_string(),
                    n => format!("Signed out of {n} other sessions."),
                }),
            };
            match answer {
                Ok(words) => {
                    let _ = pending.try_set(None);
                    toasts.show(words);
                    if let Some(c) = changed {
                        let _ = c.try_set(false);
                    }
                    reload();
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_proof.try_set(true);
                }
                Err(e) => {
                    let _ = pending.try_set(None);
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let others = move || {
        list.get()
            .and_then(Result::ok)
            .is_some_and(|l| l.iter().any(|s| !s.current))
    };
    let busy = move || pending.get().is_some() && !need_proof.get();
    view! {
        <h2 id="sessions-title">"Where you’re signed in"</h2>
        <div class="factor" role="group" aria-labelledby="sessions-title">
            <Alert tone=Tone::Error message=problem dismissible=true/>
            <Show when=move || changed.is_some_and(|c| c.get()) && others()>
                <p class="warning">
                    "Your sign-in factors changed. If someone else may have used your account, "
                    "sign out your other sessions."
                </p>
            </Show>
            {move || match list.get() {
                None => view! { <p class="loading">"Loading your sessions…"</p> }.into_any(),
                Some(Err(e)) => view! { <p>{e.user_message()}</p> }.into_any(),
                Some(Ok(sessions)) => view! {
                    <ul class="rows" aria-label="Your sessions">
                        {sessions
                            .into_iter()
                            .map(|s| view! { <SessionRow session=s busy=Signal::derive(busy) end=run/> })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            <FreshProof
                id="sessions-code"
                open=need_proof
                verb="Verify and sign out"
                then=Callback::new(move |()| {
                    if let Some(c) = pending.get_untracked() {
                        run(c);
                    }
                })
                cancel=Callback::new(move |()| pending.set(None))
            />
            <Show when=others>
                <button type="button" class="button secondary" aria-busy=move || busy().to_string()
                    on:click=move |_| {
                        if !busy() {
                            run(Change::EndOthers);
                        }
                    }>
                    "Sign out everywhere else"
                </button>
            </Show>
        </div>
    }
}

#[component]
fn SessionRow(
    session: SessionInfo,
    busy: Signal<bool>,
    end: impl Fn(Change) + Copy + 'static,
) -> impl IntoView {
    let label = format!("Sign out {} from {}", session.browser, session.ip);
    let change = Change::End {
        id: session.id.clone(),
        browser: session.browser.clone(),
    };
    view! {
        <li class="row">
            <p>
                <strong>{session.browser.clone()}</strong>
                {session.current.then(|| view! { " " <span class="badge ok">"This browser"</span> })}
            </p>
            <p class="hint">
                {format!(
                    "IP address {} · signed in {} · last seen {}",
                    session.ip,
                    local_date_time(session.started_at),
                    local_date_time(session.last_seen_at),
                )}
            </p>
            {(!session.current).then(|| view! {
                <div class="actions">
                    <button type="button" class="button secondary" aria-label=label.clone()
                        aria-busy=move || busy.get().to_string()
                        on:click=move |_| {
                            if !busy.get_untracked() {
                                end(change.clone());
                            }
                        }>
                        "Sign out"
                    </button>
                </div>
            })}
        </li>
    }
}
