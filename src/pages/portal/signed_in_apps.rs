//! `/security`'s "Apps you've signed in to": the apps that hold a sign-in
//! of the user (they may act for them until it ends), with what each may
//! know and when it was last used; revoking one ends its tokens and asks
//! for consent again next time.

use leptos::prelude::*;
use portcullis_api::SignedInApp;

use crate::api::{sso, ApiError};
use crate::components::{Alert, Tone};
use crate::state::use_toasts;
use crate::when::local_date;

#[component]
pub fn SignedInApps() -> impl IntoView {
    let list = RwSignal::new(None::<Result<Vec<SignedInApp>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let _ = list.try_set(Some(sso::signed_in_apps().await));
        });
    };
    reload();
    let toasts = use_toasts();
    let problem = RwSignal::new(None::<String>);
    let revoke = move |id: String, name: String| {
        toasts.clear();
        problem.set(None);
        leptos::task::spawn_local(async move {
            match sso::revoke(&id).await {
                Ok(()) => {
                    toasts.show(format!(
                        "{name} can no longer act for you; it asks you to sign in again."
                    ));
                    reload();
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    view! {
        <section class="card">
        <h2 id="apps-signed-in-title">"Apps you’ve signed in to"</h2>
        <div class="factor" role="group" aria-labelledby="apps-signed-in-title">
            <Alert tone=Tone::Error message=problem dismissible=true/>
            {move || match list.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p>{e.user_message()}</p> }.into_any(),
                Some(Ok(l)) if l.is_empty() => view! {
                    <p>"No app holds a sign-in of yours."</p>
                }
                .into_any(),
                Some(Ok(l)) => view! {
                    <ul class="rows" aria-label="Apps you’ve signed in to">
                        {l.into_iter().map(|a| {
                            let label = format!("Revoke {}’s access", a.name);
                            let (id, name) = (a.app_id.clone(), a.name.clone());
                            view! {
                                <li class="row">
                                    <p><strong>{a.name.clone()}</strong></p>
                                    <p class="hint">
                                        {format!("Last used {} · may know: {}", local_date(a.last_used_at), a.shares.join(", ").to_lowercase())}
                                    </p>
                                    <div class="actions">
                                        <button type="button" class="button secondary" aria-label=label
                                            on:click=move |_| revoke(id.clone(), name.clone())>
                                            "Revoke"
                                        </button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </div>
        </section>
    }
}
