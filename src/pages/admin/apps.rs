//! `/admin/apps`: the apps that sign their users in through the portal
//! (OpenID Connect). Register one (its client id and, for a confidential
//! client, its secret shown once, with the addresses to give the app),
//! change it, make a new secret, remove it; each has an MFA policy and is
//! assigned to everyone or to groups and people.

use leptos::prelude::*;
use portcullis_api::apps::{Id, Uri};
use portcullis_api::{App, AppInput, AppPolicy, ErrorCode, Group, SigningAlg};

use super::assignees::{emails, lines, people_ids, who};
use super::focus::keeping_focus;
use super::sites::SitesSection;
use crate::api::{self, ApiError};
use crate::components::FreshProof;
use crate::paths::Page;
use crate::state::PageTitle;

/// What waits for a fresh second factor, or is running.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Register(AppInput),
    Edit(String, AppInput),
    NewSecret(String),
    Remove(String),
}

/// The form's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    /// The app being changed; `None`: a new one.
    editing: Option<String>,
    name: String,
    launch_url: String,
    redirects: String,
    logouts: String,
    confidential: bool,
    policy: String,
    first_party: bool,
    es256: bool,
    everyone: bool,
    groups: Vec<String>,
    /// Emails, one per line.
    people: String,
}

impl Draft {
    fn new() -> Self {
        Draft {
            confidential: true,
            policy: AppPolicy::OrgDefault.as_str().into(),
            everyone: true,
            ..Default::default()
        }
    }

    fn of(app: &App) -> Self {
        Draft {
            editing: Some(app.id.clone()),
            name: app.name.clone(),
            launch_url: app.launch_url.clone(),
            redirects: app.redirect_uris.join("\n"),
            logouts: app.logout_uris.join("\n"),
            confidential: app.confidential,
            policy: app.policy.as_str().into(),
            first_party: app.first_party,
            es256: app.signing_alg == SigningAlg::ES256,
            everyone: app.everyone,
            groups: app.groups.iter().map(|g| g.id.clone()).collect(),
            people: emails(&app.users),
        }
    }
}

#[component]
pub fn AppsPage() -> impl IntoView {
    let apps = RwSignal::new(None::<Result<Vec<App>, ApiError>>);
    let groups = RwSignal::new(Vec::<Group>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            let answer = api::admin::apps().await;
            keeping_focus(|| {
                let _ = apps.try_set(Some(answer));
            });
        });
    };
    reload();
    leptos::task::spawn_local(async move {
        if let Ok(g) = api::admin::groups().await {
            let _ = groups.try_set(g);
        }
    });
    let draft = RwSignal::new(None::<Draft>);
    let shown_secret = RwSignal::new(None::<App>);
    let outcome = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let need_code = RwSignal::new(false);
    let pending = RwSignal::new(None::<Change>);
    let confirming = RwSignal::new(None::<String>);

    let run = move |change: Change| {
        pending.set(Some(change.clone()));
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = match &change {
                Change::Register(i) => api::admin::register_app(i).await.map(Some),
                Change::Edit(id, i) => api::admin::change_app(id, i).await.map(Some),
                Change::NewSecret(id) => api::admin::new_app_secret(id).await.map(Some),
                Change::Remove(id) => api::admin::remove_app(id).await.map(|()| None),
            };
            match answer {
                Ok(app) => {
                    let words = match (&change, &app) {
                        (Change::Register(_), Some(a)) => format!("{} registered.", a.name),
                        (Change::Edit(..), Some(a)) => format!("{} saved.", a.name),
                        (Change::NewSecret(_), Some(a)) => {
                            format!("A new secret for {}: the old one no longer works.", a.name)
                        }
                        _ => "App removed.".to_string(),
                    };
                    let _ = shown_secret.try_set(app.filter(|a| {
                        a.client_secret.is_some() || matches!(change, Change::Register(_))
                    }));
                    let _ = outcome.try_set(words);
                    let _ = pending.try_set(None);
                    if !matches!(change, Change::NewSecret(_) | Change::Remove(_)) {
                        let _ = draft.try_set(None);
                    }
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
        let Some(d) = draft.get_untracked() else {
            return;
        };
        let Some(policy) = AppPolicy::parse(&d.policy) else {
            return;
        };
        problem.set(None);
        leptos::task::spawn_local(async move {
            let users = if d.everyone {
                Ok(vec![])
            } else {
                people_ids(lines(&d.people)).await
            };
            let users = match users {
                Ok(u) => u,
                Err(m) => {
                    let _ = problem.try_set(Some(m));
                    return;
                }
            };
            let input = AppInput {
                name: d.name.trim().to_string(),
                launch_url: d.launch_url.trim().to_string(),
                redirect_uris: lines(&d.redirects).into_iter().map(Uri).collect(),
                logout_uris: lines(&d.logouts).into_iter().map(Uri).collect(),
                confidential: d.confidential,
                policy,
                first_party: d.first_party,
                signing_alg: if d.es256 {
                    SigningAlg::ES256
                } else {
                    SigningAlg::RS256
                },
                everyone: d.everyone,
                groups: if d.everyone {
                    vec![]
                } else {
                    d.groups.iter().cloned().map(Id).collect()
                },
                users,
            };
            run(match d.editing {
                Some(id) => Change::Edit(id, input),
                None => Change::Register(input),
            });
        });
    };
    let origin = move || {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    };
    let field = move |f: fn(&mut Draft) -> &mut String| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| {
                if let Some(d) = d.as_mut() {
                    *f(d) = v;
                }
            });
        }
    };
    let flag = move |f: fn(&mut Draft) -> &mut bool| {
        move |ev: leptos::ev::Event| {
            let v = event_target_checked(&ev);
            draft.update(|d| {
                if let Some(d) = d.as_mut() {
                    *f(d) = v;
                }
            });
        }
    };
    let value = move |f: fn(&Draft) -> String| {
        move || draft.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let checked = move |f: fn(&Draft) -> bool| move || draft.with(|d| d.as_ref().is_some_and(f));

    view! {
        <PageTitle text=Page::AdminApps.title()/>
        <section class="card wide" aria-labelledby="apps-title">
            <h1 id="apps-title">"Apps"</h1>
            <p class="hint">
                "Apps that sign their users in through the portal with OpenID Connect. Give each app \
                 the issuer below, its client id and (for a confidential client) its secret."
            </p>
            <p>"Issuer: "<code class="scim-url">{origin}</code></p>
            <p class="status-line" role="status" aria-live="polite">{move || outcome.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            {move || shown_secret.get().map(|a| view! {
                <div class="setup-link" role="group" aria-labelledby="app-secret-title">
                    <h2 id="app-secret-title">{format!("{}: what the app needs", a.name)}</h2>
                    <label for="app-client-id">"Client id"</label>
                    <input id="app-client-id" type="text" readonly value=a.client_id.clone()/>
                    {a.client_secret.clone().map(|s| view! {
                        <p>"Copy the secret into the app now: it is not shown again."</p>
                        <label for="app-client-secret">"Client secret"</label>
                        <input id="app-client-secret" type="text" readonly value=s/>
                    })}
                </div>
            })}
            {move || match apps.get() {
                None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.user_message()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>"No app is registered yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="users">
                            <caption class="visually-hidden">"Registered apps"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"App"</th>
                                    <th scope="col">"Client id"</th>
                                    <th scope="col">"MFA"</th>
                                    <th scope="col">"Who may sign in"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|a| {
                                    let edit = a.clone();
                                    let (secret_id, remove_id, asked) = (a.id.clone(), a.id.clone(), a.id.clone());
                                    let name = a.name.clone();
                                    view! {
                                        <tr>
                                            <td>
                                                {a.name.clone()}
                                                <span class="hint">{if a.confidential { " (confidential)" } else { " (public, PKCE)" }}</span>
                                            </td>
                                            <td><code>{a.client_id.clone()}</code></td>
                                            <td>{a.policy.label()}</td>
                                            <td>{who(a.everyone, &a.groups, &a.users)}</td>
                                            <td class="actions">
                                                <button type="button" class="button secondary"
                                                    aria-label=format!("Change {}", a.name)
                                                    on:click=move |_| {
                                                        shown_secret.set(None);
                                                        draft.set(Some(Draft::of(&edit)));
                                                    }>
                                                    "Change"
                                                </button>
                                                {a.confidential.then(|| view! {
                                                    <button type="button" class="button secondary"
                                                        aria-label=format!("Make a new secret for {}", a.name)
                                                        on:click=move |_| run(Change::NewSecret(secret_id.clone()))>
                                                        "New secret"
                                                    </button>
                                                })}
                                                {move || if confirming.get().as_deref() == Some(asked.as_str()) {
                                                    let id = remove_id.clone();
                                                    view! {
                                                        <button type="button" class="button primary danger-ok"
                                                            on:click=move |_| {
                                                                confirming.set(None);
                                                                run(Change::Remove(id.clone()));
                                                            }>
                                                            {format!("Yes, remove {name}")}
                                                        </button>
                                                        <button type="button" class="button secondary"
                                                            on:click=move |_| confirming.set(None)>
                                                            "Cancel"
                                                        </button>
                                                    }.into_any()
                                                } else {
                                                    let id = remove_id.clone();
                                                    view! {
                                                        <button type="button" class="button secondary"
                                                            aria-label=format!("Remove {name}")
                                                            on:click=move |_| confirming.set(Some(id.clone()))>
                                                            "Remove…"
                                                        </button>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <Show when=move || draft.get().is_none()>
                <button type="button" class="button primary inline"
                    on:click=move |_| {
                        shown_secret.set(None);
                        draft.set(Some(Draft::new()));
                    }>
                    "Register an app"
                </button>
            </Show>
            <Show when=move || draft.get().is_some()>
                <form novalidate on:submit=on_submit aria-labelledby="app-form-title">
                    <h2 id="app-form-title">
                        {move || if draft.with(|d| d.as_ref().is_some_and(|d| d.editing.is_some())) { "Change the app" } else { "Register an app" }}
                    </h2>
                    <div class="field">
                        <label for="app-name">"Name"</label>
                        <input id="app-name" type="text" maxlength="100" prop:value=value(|d| d.name.clone()) on:input=field(|d| &mut d.name)/>
                    </div>
                    <div class="field">
                        <label for="app-launch">"Launch address (the tile opens it)"</label>
                        <input id="app-launch" type="url" maxlength="2000" prop:value=value(|d| d.launch_url.clone()) on:input=field(|d| &mut d.launch_url)/>
                    </div>
                    <div class="field">
                        <label for="app-redirects">"Redirect URIs, one per line (matched exactly)"</label>
                        <textarea id="app-redirects" rows="3" prop:value=value(|d| d.redirects.clone()) on:input=field(|d| &mut d.redirects)></textarea>
                    </div>
                    <div class="field">
                        <label for="app-logouts">"Sign-out addresses, one per line (optional)"</label>
                        <textarea id="app-logouts" rows="2" prop:value=value(|d| d.logouts.clone()) on:input=field(|d| &mut d.logouts)></textarea>
                    </div>
                    <div class="field checkbox">
                        <input id="app-confidential" type="checkbox"
                            prop:checked=checked(|d| d.confidential)
                            prop:disabled=checked(|d| d.editing.is_some())
                            on:change=flag(|d| &mut d.confidential)/>
                        <label for="app-confidential">"Confidential client (a server that keeps a secret); otherwise public, with PKCE"</label>
                    </div>
                    <div class="field">
                        <label for="app-policy">"Multi-factor authentication"</label>
                        <select id="app-policy" prop:value=value(|d| d.policy.clone()) on:change=field(|d| &mut d.policy)>
                            {AppPolicy::ALL.into_iter().map(|p| view! {
                                <option value=p.as_str()>{p.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field checkbox">
                        <input id="app-first-party" type="checkbox" prop:checked=checked(|d| d.first_party) on:change=flag(|d| &mut d.first_party)/>
                        <label for="app-first-party">"The organisation’s own app: no consent screen"</label>
                    </div>
                    <div class="field checkbox">
                        <input id="app-es256" type="checkbox" prop:checked=checked(|d| d.es256) on:change=flag(|d| &mut d.es256)/>
                        <label for="app-es256">"Sign its ID tokens with ES256 (otherwise RS256)"</label>
                    </div>
                    <fieldset>
                        <legend>"Who may sign in"</legend>
                        <div class="field checkbox">
                            <input id="app-everyone" type="checkbox" prop:checked=checked(|d| d.everyone) on:change=flag(|d| &mut d.everyone)/>
                            <label for="app-everyone">"Everyone"</label>
                        </div>
                        <Show when=move || !checked(|d| d.everyone)()>
                            {move || groups.get().into_iter().map(|g| {
                                let id = g.id.clone();
                                let input_id = format!("app-group-{}", g.id);
                                let on = id.clone();
                                view! {
                                    <div class="field checkbox">
                                        <input id=input_id.clone() type="checkbox"
                                            prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|d| d.groups.contains(&id)))
                                            on:change=move |ev| {
                                                let yes = event_target_checked(&ev);
                                                draft.update(|d| if let Some(d) = d.as_mut() {
                                                    d.groups.retain(|x| *x != on);
                                                    if yes { d.groups.push(on.clone()); }
                                                });
                                            }/>
                                        <label for=input_id>{format!("Group {}", g.name)}</label>
                                    </div>
                                }
                            }).collect_view()}
                            <div class="field">
                                <label for="app-people">"People (emails, one per line)"</label>
                                <textarea id="app-people" rows="2" prop:value=value(|d| d.people.clone()) on:input=field(|d| &mut d.people)></textarea>
                            </div>
                        </Show>
                    </fieldset>
                    <Show when=move || !need_code.get()>
                        <div class="actions">
                            <button type="submit" class="button primary inline"
                                aria-busy=move || pending.get().is_some().to_string()>
                                "Save"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| draft.set(None)>
                                "Cancel"
                            </button>
                        </div>
                    </Show>
                </form>
            </Show>
            <FreshProof id="apps-code" open=need_code verb="Verify and continue" then=again
                cancel=Callback::new(move |()| {
                    need_code.set(false);
                    pending.set(None);
                })
            />
        </section>
        <SitesSection groups=groups/>
    }
}
