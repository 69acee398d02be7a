//! `/security`'s "Trusted browsers": the browsers where the login does not
//! ask for a second factor ("Don't ask again on this browser"), with when
//! each was trusted, last used and until when; forgetting one or all.

use leptos::prelude::*;
use portcullis_api::TrustedBrowser;

use crate::api::{account, ApiError};
use crate::text::date;

#[component]
pub fn TrustedBrowsers() -> impl IntoView {
    let list = RwSignal::new(None::<Result<Vec<TrustedBrowser>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let _ = list.try_set(Some(account::trusted_browsers().await));
        });
    };
    reload();
    let done = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // `None`: every one.
    let forget = move |which: Option<(String, String)>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        done.set(None);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = match &which {
                Some((id, _)) => account::forget_browser(id).await,
                None => account::forget_all_browsers().await,
            };
            let _ = busy.try_set(false);
            match answer {
                Ok(()) => {
                    let words = match which {
                        Some((_, browser)) => {
                            format!(
                                "{browser} is no longer trusted: it will ask for a second factor."
                            )
                        }
                        None => "No browser is trusted any more.".to_string(),
                    };
                    let _ = done.try_set(Some(words));
                    reload();
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let any = move || {
        list.get()
            .and_then(Result::ok)
            .is_some_and(|l| !l.is_empty())
    };
    view! {
        <h2 id="trusted-title">"Trusted browsers"</h2>
        <div class="factor" role="group" aria-labelledby="trusted-title">
            <p class="status-line" role="status" aria-live="polite">{move || done.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            {move || match list.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p>{e.user_message()}</p> }.into_any(),
                Some(Ok(l)) if l.is_empty() => view! {
                    <p>
                        <span class="badge">"None"</span>
                        " Every login asks for your second factor. Where your organisation allows it, "
                        "you can choose “Don’t ask again on this browser” when you log in."
                    </p>
                }
                .into_any(),
                Some(Ok(l)) => view! {
                    <ul class="key-list" aria-label="Your trusted browsers">
                        {l.into_iter().map(|b| {
                            let label = format!("Forget {} from {}", b.browser, b.ip);
                            let which = (b.id.clone(), b.browser.clone());
                            let used = b.last_used_at.map_or("not used yet".to_string(), |t| {
                                format!("last used {}", date(t))
                            });
                            view! {
                                <li class="key">
                                    <p>
                                        <strong>{b.browser.clone()}</strong>
                                        {b.current.then(|| view! { " " <span class="badge ok">"This browser"</span> })}
                                    </p>
                                    <p class="hint">
                                        {format!(
                                            "IP address {} · trusted {} · {} · until {}",
                                            b.ip, date(b.created_at), used, date(b.expires_at)
                                        )}
                                    </p>
                                    <div class="actions">
                                        <button type="button" class="button secondary" aria-label=label
                                            on:click=move |_| forget(Some(which.clone()))>
                                            "Forget"
                                        </button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            <Show when=any>
                <button type="button" class="button secondary" aria-busy=move || busy.get().to_string()
                    on:click=move |_| forget(None)>
                    "Forget all browsers"
                </button>
            </Show>
        </div>
    }
}
