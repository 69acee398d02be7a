//! `/security`'s "Trusted browsers": the browsers where the login does not
//! ask for a second factor ("Don't ask again on this browser"), with when
//! each was trusted, last used and until when; forgetting one or all.

use leptos::prelude::*;
use portcullis_api::TrustedBrowser;

use crate::api::{account, ApiError};
use crate::components::{Alert, Tone};
use crate::state::use_toasts;
use crate::when::local_date;

#[component]
pub fn TrustedBrowsers() -> impl IntoView {
    let list = RwSignal::new(None::<Result<Vec<TrustedBrowser>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let _ = list.try_set(Some(account::trusted_browsers().await));
        });
    };
    reload();
    let toasts = use_toasts();
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // `None`: every one.
    let forget = move |which: Option<(String, String)>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        toasts.clear();
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
                    toasts.show(words);
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
            <Alert tone=Tone::Error message=problem dismissible=true/>
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
                    <ul class="rows" aria-label="Your trusted browsers">
                        {l.into_iter().map(|b| {
                            let label = format!("Forget {} from {}", b.browser, b.ip);
                            let which = (b.id.clone(), b.browser.clone());
                            let used = b.last_used_at.map_or("not used yet".to_string(), |t| {
                                format!("last used {}", local_date(t))
                            });
                            view! {
                                <li class="row">
                                    <p>
                                        <strong>{b.browser.clone()}</strong>
                                        {b.current.then(|| view! { " " <span class="badge ok">"This browser"</span> })}
                                    </p>
                                    <p class="hint">
                                        {format!(
                                            "IP address {} · trusted {} · {} · until {}",
                                            b.ip, local_date(b.created_at), used, local_date(b.expires_at)
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
