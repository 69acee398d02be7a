//! The table of `/admin/systems`: each host with its settings, where it
//! is with its enrollment, when it was last seen, and its actions.

use leptos::prelude::*;
use portcullis_api::hosts::{Host, HostEnrollment};

use super::assignees::who;
use super::systems_form::HostDraft;
use crate::text::host_enrollment_words;
use crate::when::{local_date_time, since_text};

/// The id of a host's Remove button, where the focus goes back when its
/// removal is cancelled.
pub(super) fn remove_button_id(host: &str) -> String {
    format!("host-remove-{host}")
}

/// The hosts, one row each, with their actions.
#[component]
pub(super) fn HostTable(
    list: Vec<Host>,
    draft: RwSignal<Option<HostDraft>>,
    shown: RwSignal<Option<HostEnrollment>>,
    removing: RwSignal<Option<Host>>,
    /// Makes a new enrollment token for the host with this id.
    new_token: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="users hosts">
                <caption class="visually-hidden">"Registered hosts"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Host"</th>
                        <th scope="col">"MFA"</th>
                        <th scope="col">"Who may sign in"</th>
                        <th scope="col">"Users Portcullis does not know"</th>
                        <th scope="col">"Enrollment"</th>
                        <th scope="col">"Last seen"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|h| {
                        let (edit, asked) = (h.clone(), h.clone());
                        let token_id = h.id.clone();
                        view! {
                            <tr>
                                <th scope="row" class="host-name">{h.name.clone()}</th>
                                <td>{match (h.mfa, h.offline_totp) {
                                    (false, _) => "Off (password alone)",
                                    (true, false) => "On",
                                    (true, true) => "On; codes checked on the host when offline",
                                }}</td>
                                <td>{who(h.everyone, &h.groups, &h.users)}</td>
                                <td>{h.unknown_users.label()}</td>
                                <td>{host_enrollment_words(h.enrolled_at, h.token_expires_at, local_date_time)}</td>
                                <td>{since_text(h.last_seen_at)}</td>
                                <td><div class="row-actions">
                                    <button id=format!("host-change-{}", h.id) type="button" class="button secondary"
                                        aria-label=format!("Change {}", h.name)
                                        on:click=move |_| {
                                            shown.set(None);
                                            removing.set(None);
                                            draft.set(Some(HostDraft::of(&edit)));
                                        }>
                                        "Change"
                                    </button>
                                    <button type="button" class="button secondary"
                                        aria-label=format!("New enrollment token for {}", h.name)
                                        on:click=move |_| new_token.run(token_id.clone())>
                                        "New enrollment token"
                                    </button>
                                    <button id=remove_button_id(&h.id) type="button" class="button secondary"
                                        aria-label=format!("Remove {}…", h.name)
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
