//! The table of RADIUS clients on `/admin/systems`: each one's name, the
//! address it sends from, who may connect through it, and its actions.
//! Never its secret.

use leptos::prelude::*;
use portcullis_api::radius::RadiusClient;

use super::assignees::who;
use super::radius_clients_form::RadiusDraft;

/// The id of a client's Change button, where the focus goes back when its
/// form is closed.
pub(super) fn change_button_id(client: &str) -> String {
    format!("radius-change-{client}")
}

/// The id of a client's Remove button, where the focus goes back when its
/// removal is cancelled.
pub(super) fn remove_button_id(client: &str) -> String {
    format!("radius-remove-{client}")
}

/// The clients, one row each, with their actions.
#[component]
pub(super) fn RadiusTable(
    list: Vec<RadiusClient>,
    draft: RwSignal<Option<RadiusDraft>>,
    removing: RwSignal<Option<RadiusClient>>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="users radius-clients">
                <caption class="visually-hidden">"Registered RADIUS clients"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Client"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Who may connect"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|c| {
                        let (edit, asked) = (c.clone(), c.clone());
                        view! {
                            <tr>
                                <th scope="row" class="client-name">{c.name.clone()}</th>
                                <td><code>{c.address.clone()}</code></td>
                                <td>{who(c.everyone, &c.groups, &c.users)}</td>
                                <td><div class="row-actions">
                                    <button id=change_button_id(&c.id) type="button" class="button secondary"
                                        aria-label=format!("Change {}", c.name)
                                        on:click=move |_| {
                                            removing.set(None);
                                            draft.set(Some(RadiusDraft::of(&edit)));
                                        }>
                                        "Change"
                                    </button>
                                    <button id=remove_button_id(&c.id) type="button" class="button secondary"
                                        aria-label=format!("Remove {}…", c.name)
                                        on:click=move |_| removing.set(Some(asked.clone()))>
                                        "Remove…"
                                    </button>
                                </div></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
