//! `/admin/groups`: the organisation's groups — create, rename, delete —
//! each with its member count and a link to its members (the users list,
//! filtered by the group: paged, and a bulk target). People are put in
//! groups from their own page.

use leptos::prelude::*;
use leptos_router::components::A;
use portcullis_api::{ErrorCode, Group};

use super::focus::keeping_focus;
use crate::api::{self, ApiError};
use crate::components::FreshProof;
use crate::paths::{Page, UsersQuery};
use crate::state::{use_toasts, PageTitle};

/// A change waiting for the admin's go (and maybe a fresh code).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Create(String),
    Rename { id: String, name: String },
    Delete { id: String, name: String },
}

fn members_url(id: &str) -> String {
    UsersQuery {
        group: Some(id.to_string()),
        ..UsersQuery::default()
    }
    .url()
}

fn members_words(n: u64) -> String {
    match n {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    }
}

#[component]
pub fn GroupsPage() -> impl IntoView {
    let groups = RwSignal::new(None::<Result<Vec<Group>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let answer = api::admin::groups().await;
            keeping_focus(|| {
                let _ = groups.try_set(Some(answer));
            });
        });
    };
    reload();
    let name = RwSignal::new(String::new());
    let toasts = use_toasts();
    let problem = RwSignal::new(None::<String>);
    let need_code = RwSignal::new(false);
    let pending = StoredValue::new(None::<Change>);
    let renaming = RwSignal::new(None::<(String, String)>);

    let run = move |change: Change| {
        pending.set_value(Some(change.clone()));
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = match &change {
                Change::Create(n) => api::admin::create_group(n)
                    .await
                    .map(|g| format!("Group {} created.", g.name)),
                Change::Rename { id, name } => api::admin::rename_group(id, name)
                    .await
                    .map(|g| format!("Renamed to {}.", g.name)),
                Change::Delete { id, name } => api::admin::delete_group(id)
                    .await
                    .map(|()| format!("Group {name} deleted; its members stay.")),
            };
            match answer {
                Ok(words) => {
                    toasts.show(words);
                    let _ = name.try_set(String::new());
                    let _ = renaming.try_set(None);
                    pending.set_value(None);
                    reload();
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_code.try_set(true);
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let again = Callback::new(move |()| {
        if let Some(c) = pending.get_value() {
            run(c);
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked();
        if n.trim().is_empty() {
            problem.set(Some("Enter the group's name.".to_string()));
            return;
        }
        toasts.clear();
        run(Change::Create(n));
    };

    let row = move |g: Group| {
        let Group { id, name, members } = g;
        let link = members_url(&id);
        let words = members_words(members);
        let mine = id.clone();
        let editing =
            Memo::new(move |_| renaming.with(|r| r.as_ref().is_some_and(|(rid, _)| *rid == mine)));
        view! {
            <li class="group-row">
                {move || {
                    let (id, name) = (id.clone(), name.clone());
                    if editing.get() {
                        let draft = RwSignal::new(name.clone());
                        view! {
                            <form class="inline" aria-label=format!("Rename {name}")
                                on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    run(Change::Rename { id: id.clone(), name: draft.get_untracked() });
                                }
                            >
                                <label for="group-rename">"New name"</label>
                                <input id="group-rename" type="text" maxlength="100" bind:value=draft/>
                                <button type="submit" class="button primary">"Save"</button>
                                <button type="button" class="button secondary"
                                    on:click=move |_| renaming.set(None)
                                >"Cancel"</button>
                            </form>
                        }
                        .into_any()
                    } else {
                        let (rid, rname) = (id.clone(), name.clone());
                        let (did, dname) = (id.clone(), name.clone());
                        let (href, count) = (link.clone(), words.clone());
                        view! {
                            <strong>{name.clone()}</strong>
                            " · "
                            <A href=href>{count}</A>
                            <span class="actions">
                                <button type="button" class="button secondary"
                                    aria-label=format!("Rename {name}")
                                    on:click=move |_| renaming.set(Some((rid.clone(), rname.clone())))
                                >"Rename…"</button>
                                <button type="button" class="button secondary"
                                    aria-label=format!("Delete {name}")
                                    on:click=move |_| run(Change::Delete { id: did.clone(), name: dname.clone() })
                                >"Delete"</button>
                            </span>
                        }
                        .into_any()
                    }
                }}
            </li>
        }
    };

    view! {
        <PageTitle text=Page::AdminGroups.title()/>
        <section class="card" aria-labelledby="groups-title">
            <h1 id="groups-title">"Groups"</h1>
            <p>"Groups gather users: filter and act on them together on the users list. \
                Put someone in a group from their page."</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            <FreshProof id="groups-code" open=need_code verb="Verify and continue" then=again
                cancel=Callback::new(move |()| need_code.set(false))
            />
            <form class="filters" aria-label="Create a group" on:submit=on_create novalidate>
                <div class="field">
                    <label for="group-name">"Name of the new group"</label>
                    <input id="group-name" type="text" maxlength="100" autocomplete="off" bind:value=name/>
                </div>
                <div class="filter-actions">
                    <button type="submit" class="button primary">"Create group"</button>
                </div>
            </form>
            {move || match groups.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e.user_message()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>"No groups yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="groups">{list.into_iter().map(row).collect_view()}</ul>
                }
                .into_any(),
            }}
        </section>
    }
}
