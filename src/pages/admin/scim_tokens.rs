//! Directory sync on the MFA settings page: the bearer tokens identity
//! providers (Okta, Entra ID, JumpCloud) provision users and groups with
//! over SCIM — made (the secret shown once, with the address to give the
//! provider), listed with their last use, revoked.

use leptos::prelude::*;
use portcullis_api::{ErrorCode, ScimToken};

use super::focus::keeping_focus;
use crate::api;
use crate::components::FreshProof;
use crate::when::{local_date_time, since_text};

/// What waits for a fresh second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// A token of this name; whether its directory's people are invited.
    Make(String, bool),
    Revoke(String),
}

#[component]
pub fn ScimTokens() -> impl IntoView {
    let tokens = RwSignal::new(Vec::<ScimToken>::new());
    let made = RwSignal::new(None::<ScimToken>);
    let name = RwSignal::new(String::new());
    let invite = RwSignal::new(true);
    let problem = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(String::new());
    let need_code = RwSignal::new(false);
    let pending = RwSignal::new(None::<Change>);
    // The token whose revocation waits for a second click (its id).
    let confirming = RwSignal::new(None::<String>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = api::admin::scim_tokens().await {
                keeping_focus(|| {
                    let _ = tokens.try_set(list);
                });
            }
        });
    };
    reload();
    let scim_url = move || {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .map(|o| format!("{o}/scim/v2"))
            .unwrap_or_default()
    };

    let run = move |change: Change| {
        pending.set(Some(change.clone()));
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = match &change {
                Change::Make(n, invite) => api::admin::make_scim_token(n, *invite).await.map(Some),
                Change::Revoke(id) => api::admin::revoke_scim_token(id).await.map(|()| None),
            };
            match answer {
                Ok(token) => {
                    let words = match (&change, &token) {
                        (Change::Make(n, _), _) => format!("Token for {n} made: copy it now."),
                        (Change::Revoke(_), _) => "Token revoked.".to_string(),
                    };
                    let _ = made.try_set(token);
                    let _ = outcome.try_set(words);
                    let _ = name.try_set(String::new());
                    let _ = pending.try_set(None);
                    reload();
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_code.try_set(true);
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                    let _ = pending.try_set(None);
                }
            }
        });
    };
    let again = Callback::new(move |()| {
        if let Some(c) = pending.get_untracked() {
            run(c);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            problem.set(Some(
                "Name the identity provider that will hold the token.".into(),
            ));
            return;
        }
        run(Change::Make(n, invite.get_untracked()));
    };

    view! {
        <section class="scim-tokens" aria-labelledby="scim-title">
            <h2 id="scim-title">"Directory sync (SCIM)"</h2>
            <p class="hint">
                "An identity provider (Okta, Microsoft Entra ID, JumpCloud) can add, update, \
                 suspend and remove people and groups here. Give it the address below and a token; \
                 the people it adds are invited by email."
            </p>
            <p>"SCIM address: "<code class="scim-url">{scim_url}</code></p>
            <p class="status-line" role="status" aria-live="polite">{move || outcome.get()}</p>
            {move || made.get().and_then(|t| t.token.clone().map(|secret| view! {
                <div class="setup-link" role="group" aria-labelledby="scim-secret-title">
                    <h3 id="scim-secret-title">{format!("Token for {}", t.name)}</h3>
                    <p>"Paste it into the identity provider now: it is not shown again."</p>
                    <label for="scim-secret">"Bearer token"</label>
                    <input id="scim-secret" type="text" readonly value=secret/>
                </div>
            }))}
            {move || {
                let list = tokens.get();
                (!list.is_empty()).then(|| view! {
                    <div class="table-wrap">
                        <table class="users">
                            <caption class="visually-hidden">"Directory sync tokens"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Identity provider"</th>
                                    <th scope="col">"Made"</th>
                                    <th scope="col">"Last used"</th>
                                    <th scope="col">"Invites new people"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let id = t.id.clone();
                                    let asked = t.id.clone();
                                    let label = format!("Revoke the token for {}", t.name);
                                    let sure = format!(
                                        "Yes, revoke it: {} can no longer sync",
                                        t.name
                                    );
                                    view! {
                                        <tr>
                                            <td>{t.name.clone()}</td>
                                            <td>{local_date_time(t.created_at)}</td>
                                            <td>{since_text(t.last_used_at)}</td>
                                            <td>{if t.invite { "Yes" } else { "No: an admin sends it" }}</td>
                                            <td>
                                                {move || if confirming.get().as_deref() == Some(asked.as_str()) {
                                                    let id = id.clone();
                                                    view! {
                                                        <button type="button" class="button primary danger-ok"
                                                            on:click=move |_| {
                                                                confirming.set(None);
                                                                run(Change::Revoke(id.clone()));
                                                            }
                                                        >
                                                            {sure.clone()}
                                                        </button>
                                                        <button type="button" class="button secondary"
                                                            on:click=move |_| confirming.set(None)
                                                        >
                                                            "Cancel"
                                                        </button>
                                                    }
                                                    .into_any()
                                                } else {
                                                    let id = id.clone();
                                                    view! {
                                                        <button type="button" class="button secondary" aria-label=label.clone()
                                                            on:click=move |_| confirming.set(Some(id.clone()))
                                                        >
                                                            "Revoke…"
                                                        </button>
                                                    }
                                                    .into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })
            }}
            <form novalidate on:submit=on_submit aria-label="Make a directory sync token">
                <div class="field">
                    <label for="scim-name">"Identity provider"</label>
                    <input id="scim-name" type="text" maxlength="100" autocomplete="off" bind:value=name/>
                </div>
                <div class="field checkbox">
                    <input id="scim-invite" type="checkbox" bind:checked=invite/>
                    <label for="scim-invite">"Email an invitation to each person it adds"</label>
                </div>
                <p class="form-error" role="alert">{move || problem.get()}</p>
                <Show when=move || !need_code.get()>
                    <button type="submit" class="button primary inline"
                        aria-busy=move || pending.get().is_some().to_string()
                    >
                        "Make a token"
                    </button>
                </Show>
            </form>
            <FreshProof id="scim-code" open=need_code verb="Verify and continue" then=again
                cancel=Callback::new(move |()| {
                    need_code.set(false);
                    pending.set(None);
                })
            />
        </section>
    }
}
