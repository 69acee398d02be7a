//! The sites behind the organisation's reverse proxy (forward-auth), on
//! `/admin/apps` below the apps: a rule per domain — who may open it and
//! what their sign-in must have proved (or nobody). Every change needs a
//! second factor passed lately.

use leptos::prelude::*;
use portcullis_api::apps::Id;
use portcullis_api::{ErrorCode, Group, Site, SiteInput, SiteRule};

use super::assignees::{emails, lines, people_ids, who};
use super::focus::keeping_focus;
use crate::api::{self, ApiError};
use crate::components::FreshProof;

/// What waits for a fresh second factor, or is running.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Add(SiteInput),
    Edit(String, SiteInput),
    Remove(String),
}

/// The form's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    editing: Option<String>,
    domain: String,
    rule: String,
    everyone: bool,
    groups: Vec<String>,
    people: String,
}

impl Draft {
    fn new() -> Self {
        Draft {
            rule: SiteRule::SecondFactor.as_str().into(),
            everyone: true,
            ..Default::default()
        }
    }

    fn of(site: &Site) -> Self {
        Draft {
            editing: Some(site.id.clone()),
            domain: site.domain.clone(),
            rule: site.rule.as_str().into(),
            everyone: site.everyone,
            groups: site.groups.iter().map(|g| g.id.clone()).collect(),
            people: emails(&site.users),
        }
    }
}

#[component]
pub fn SitesSection(groups: RwSignal<Vec<Group>>) -> impl IntoView {
    let sites = RwSignal::new(None::<Result<Vec<Site>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let answer = api::admin::sites().await;
            keeping_focus(|| {
                let _ = sites.try_set(Some(answer));
            });
        });
    };
    reload();
    let draft = RwSignal::new(None::<Draft>);
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
                Change::Add(i) => api::admin::add_site(i).await.map(Some),
                Change::Edit(id, i) => api::admin::change_site(id, i).await.map(Some),
                Change::Remove(id) => api::admin::remove_site(id).await.map(|()| None),
            };
            match answer {
                Ok(site) => {
                    let words = match site {
                        Some(s) => format!("The rule for {} is saved.", s.domain),
                        None => "Rule removed: the proxy now refuses that domain.".to_string(),
                    };
                    let _ = outcome.try_set(words);
                    let _ = pending.try_set(None);
                    let _ = need_code.try_set(false);
                    if !matches!(change, Change::Remove(_)) {
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
        let Some(rule) = SiteRule::parse(&d.rule) else {
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
            let input = SiteInput {
                domain: d.domain.trim().to_string(),
                rule,
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
                None => Change::Add(input),
            });
        });
    };
    let set_field = move |f: fn(&mut Draft) -> &mut String| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
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
    let everyone = move || draft.with(|d| d.as_ref().is_some_and(|d| d.everyone));

    view! {
        <section class="card wide" aria-labelledby="sites-title">
            <h2 id="sites-title">"Sites behind your proxy"</h2>
            <p class="hint">
                "Sites your reverse proxy (nginx, Caddy, Traefik) protects with forward-auth: \
                 before each request it asks the portal about the browser's session, and the \
                 rule for the site's domain decides. A domain without a rule is refused."
            </p>
            <p class="status-line" role="status" aria-live="polite">{move || outcome.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            {move || match sites.get() {
                None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.user_message()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>"No site has a rule yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap">
                        <table class="users">
                            <caption class="visually-hidden">"Sites and their rules"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Domain"</th>
                                    <th scope="col">"Rule"</th>
                                    <th scope="col">"Who may open it"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|s| {
                                    let edit = s.clone();
                                    let (remove_id, asked) = (s.id.clone(), s.id.clone());
                                    let domain = s.domain.clone();
                                    let people = if s.rule == SiteRule::Deny {
                                        "Nobody".to_string()
                                    } else {
                                        who(s.everyone, &s.groups, &s.users)
                                    };
                                    view! {
                                        <tr>
                                            <td><code>{s.domain.clone()}</code></td>
                                            <td>{s.rule.label()}</td>
                                            <td>{people}</td>
                                            <td class="actions">
                                                <button type="button" class="button secondary"
                                                    aria-label=format!("Change the rule for {}", s.domain)
                                                    on:click=move |_| draft.set(Some(Draft::of(&edit)))>
                                                    "Change"
                                                </button>
                                                {move || if confirming.get().as_deref() == Some(asked.as_str()) {
                                                    let id = remove_id.clone();
                                                    view! {
                                                        <button type="button" class="button primary danger-ok"
                                                            on:click=move |_| {
                                                                confirming.set(None);
                                                                run(Change::Remove(id.clone()));
                                                            }>
                                                            {format!("Yes, remove the rule for {domain}")}
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
                                                            aria-label=format!("Remove the rule for {domain}")
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
                    on:click=move |_| draft.set(Some(Draft::new()))>
                    "Add a site"
                </button>
            </Show>
            <Show when=move || draft.get().is_some()>
                <form novalidate on:submit=on_submit aria-labelledby="site-form-title">
                    <h3 id="site-form-title">
                        {move || if draft.with(|d| d.as_ref().is_some_and(|d| d.editing.is_some())) { "Change the rule" } else { "Add a site" }}
                    </h3>
                    <div class="field">
                        <label for="site-domain">"Domain"</label>
                        <p class="hint" id="site-domain-hint">
                            "wiki.example.com, *.example.com for every site under it, or with :port for one port only"
                        </p>
                        <input id="site-domain" type="text" maxlength="260" autocomplete="off"
                            aria-describedby="site-domain-hint"
                            prop:value=value(|d| d.domain.clone()) on:input=set_field(|d| &mut d.domain)/>
                    </div>
                    <div class="field">
                        <label for="site-rule">"Who gets in"</label>
                        <select id="site-rule" prop:value=value(|d| d.rule.clone()) on:change=set_field(|d| &mut d.rule)>
                            {SiteRule::ALL.into_iter().map(|r| view! {
                                <option value=r.as_str()>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <fieldset>
                        <legend>"Who may open it"</legend>
                        <div class="field checkbox">
                            <input id="site-everyone" type="checkbox" prop:checked=everyone
                                on:change=move |ev| {
                                    let v = event_target_checked(&ev);
                                    draft.update(|d| if let Some(d) = d.as_mut() { d.everyone = v; });
                                }/>
                            <label for="site-everyone">"Everyone"</label>
                        </div>
                        <Show when=move || !everyone()>
                            {move || groups.get().into_iter().map(|g| {
                                let id = g.id.clone();
                                let input_id = format!("site-group-{}", g.id);
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
                                <label for="site-people">"People (emails, one per line)"</label>
                                <textarea id="site-people" rows="2" prop:value=value(|d| d.people.clone()) on:input=set_field(|d| &mut d.people)></textarea>
                            </div>
                        </Show>
                    </fieldset>
                    <Show when=move || !need_code.get()>
                        <div class="actions">
                            <button type="submit" class="button primary inline"
                                aria-busy=move || pending.get().is_some().to_string()>
                                "Save the rule"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| draft.set(None)>
                                "Cancel"
                            </button>
                        </div>
                    </Show>
                </form>
            </Show>
            <FreshProof id="sites-code" open=need_code verb="Verify and continue" then=again
                cancel=Callback::new(move |()| {
                    need_code.set(false);
                    pending.set(None);
                })
            />
        </section>
    }
}
