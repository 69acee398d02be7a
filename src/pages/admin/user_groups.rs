//! The groups of one user, on their page: taken out of one, put in another.

use leptos::prelude::*;
use portcullis_api::{ErrorCode, Group};

use super::user_view::UserView;
use crate::api;
use crate::components::FreshProof;

#[component]
pub fn GroupsSection(id: String) -> impl IntoView {
    let view = expect_context::<UserView>();
    let all = api::load(api::admin::groups());
    let chosen = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let need_code = RwSignal::new(false);
    let pending = StoredValue::new(None::<(String, bool)>);
    let id = StoredValue::new(id);
    let mine = move || {
        view.detail
            .with(|d| d.as_ref().map(|d| d.groups.clone()).unwrap_or_default())
    };
    let run = move |group: String, add: bool| {
        pending.set_value(Some((group.clone(), add)));
        problem.set(None);
        leptos::task::spawn_local(async move {
            match api::admin::membership(&group, &id.get_value(), add).await {
                Ok(groups) => {
                    pending.set_value(None);
                    let _ = done.try_set(Some(
                        if add {
                            "Added to the group."
                        } else {
                            "Taken out of the group."
                        }
                        .into(),
                    ));
                    view.detail.update(|d| {
                        if let Some(d) = d {
                            d.groups = groups;
                        }
                    });
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
        if let Some((g, add)) = pending.get_value() {
            run(g, add);
        }
    });
    let others = move || -> Vec<Group> {
        let member_of: Vec<String> = mine().into_iter().map(|g| g.id).collect();
        all.get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|g| !member_of.contains(&g.id))
            .collect()
    };
    view! {
        <section class="card" aria-labelledby="user-groups-title">
            <h2 id="user-groups-title">"Groups"</h2>
            <p class="status-line" role="status" aria-live="polite">{move || done.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            <FreshProof id="user-groups-code" open=need_code verb="Verify and continue" then=again
                cancel=Callback::new(move |()| need_code.set(false))
            />
            {move || {
                let groups = mine();
                if groups.is_empty() {
                    view! { <p>"In no group."</p> }.into_any()
                } else {
                    view! {
                        <ul class="groups">
                            {groups.into_iter().map(|g| {
                                let gid = g.id.clone();
                                view! {
                                    <li>
                                        {g.name.clone()}" "
                                        <button type="button" class="button secondary"
                                            aria-label=format!("Take out of {}", g.name)
                                            on:click=move |_| run(gid.clone(), false)
                                        >"Take out"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
            {move || {
                let others = others();
                (!others.is_empty()).then(|| view! {
                    <form class="inline" aria-label="Add to a group" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let g = chosen.get_untracked();
                        if g.is_empty() {
                            problem.set(Some("Choose a group.".into()));
                        } else {
                            run(g, true);
                        }
                    }>
                        <label for="user-group-add">"Add to group"</label>
                        <select id="user-group-add" bind:value=chosen>
                            <option value="">"Choose a group"</option>
                            {others.into_iter().map(|g| view! { <option value=g.id.clone()>{g.name.clone()}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="button secondary">"Add"</button>
                    </form>
                })
            }}
        </section>
    }
}
