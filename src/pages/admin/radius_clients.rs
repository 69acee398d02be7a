//! The RADIUS clients on `/admin/systems`, below the hosts: the VPN
//! gateways and network gear that ask the portal (`--radius-listen`)
//! whether someone may connect. Register one (its name, the address it
//! sends from, the secret it shares, who may connect), change it (the
//! secret only when a new one is typed), remove it after a confirmation.
//! The secret is never shown after saving. Every change needs a second
//! factor passed lately.

use leptos::prelude::*;
use portcullis_api::radius::{RadiusClient, RadiusClientInput};
use portcullis_api::{ErrorCode, Group};

use super::focus::{focus_on, keeping_focus};
use super::radius_clients_form::{RadiusDraft, RadiusForm};
use super::radius_clients_table::{change_button_id, remove_button_id, RadiusTable};
use crate::api::{self, ApiError};
use crate::components::FreshProof;

/// What waits for a fresh second factor, or is running.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Add(RadiusClientInput),
    Edit(String, RadiusClientInput),
    Remove { id: String, name: String },
}

/// The section's heading, where the focus goes after a change.
const TITLE_ID: &str = "radius-title";

#[component]
pub(super) fn RadiusClientsSection(groups: RwSignal<Vec<Group>>) -> impl IntoView {
    let clients = RwSignal::new(None::<Result<Vec<RadiusClient>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let answer = api::admin::radius_clients().await;
            keeping_focus(|| {
                let _ = clients.try_set(Some(answer));
            });
        });
    };
    reload();
    let draft = RwSignal::new(None::<RadiusDraft>);
    let outcome = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    // A fresh second factor asked for below the form (register, change)
    // or inside the removal's confirmation.
    let need_code = RwSignal::new(false);
    let need_code_remove = RwSignal::new(false);
    let pending = RwSignal::new(None::<Change>);
    let removing = RwSignal::new(None::<RadiusClient>);
    let confirm_heading = NodeRef::<leptos::html::H3>::new();
    // The confirmation takes the focus, so keyboard and screen-reader users
    // land on what they must decide.
    Effect::new(move |_| {
        if removing.with(Option::is_some) {
            if let Some(h) = confirm_heading.get() {
                let _ = h.focus();
            }
        }
    });

    let run = move |change: Change| {
        pending.set(Some(change.clone()));
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = match &change {
                Change::Add(i) => api::admin::add_radius_client(i).await.map(Some),
                Change::Edit(id, i) => api::admin::change_radius_client(id, i).await.map(Some),
                Change::Remove { id, .. } => {
                    api::admin::remove_radius_client(id).await.map(|()| None)
                }
            };
            match answer {
                Ok(saved) => {
                    let words = match (&change, saved) {
                        (Change::Add(_), Some(c)) => {
                            format!("{} registered at {}.", c.name, c.address)
                        }
                        (_, Some(c)) => format!("{} saved.", c.name),
                        (Change::Remove { name, .. }, None) => format!(
                            "{name} removed: its requests are dropped unanswered from now on."
                        ),
                        _ => "Done.".to_string(),
                    };
                    let _ = outcome.try_set(words);
                    let _ = pending.try_set(None);
                    let _ = need_code.try_set(false);
                    let _ = need_code_remove.try_set(false);
                    let _ = removing.try_set(None);
                    if !matches!(change, Change::Remove { .. }) {
                        // the typed secret goes with it
                        let _ = draft.try_set(None);
                    }
                    focus_on(TITLE_ID.to_string());
                    reload();
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let ask = if matches!(change, Change::Remove { .. }) {
                        need_code_remove
                    } else {
                        need_code
                    };
                    let _ = ask.try_set(true);
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
    let give_up = Callback::new(move |()| {
        need_code.set(false);
        need_code_remove.set(false);
        pending.set(None);
    });
    let save = Callback::new(
        move |(editing, input): (Option<String>, RadiusClientInput)| {
            run(match editing {
                Some(id) => Change::Edit(id, input),
                None => Change::Add(input),
            })
        },
    );
    let close_form = Callback::new(move |()| {
        let back = match draft.get_untracked().and_then(|d| d.editing) {
            Some(id) => change_button_id(&id),
            None => "radius-register".to_string(),
        };
        draft.set(None);
        problem.set(None);
        focus_on(back);
    });
    let cancel_removal = move || {
        let back = removing.get_untracked().map(|c| remove_button_id(&c.id));
        removing.set(None);
        need_code_remove.set(false);
        problem.set(None);
        if matches!(pending.get_untracked(), Some(Change::Remove { .. })) {
            pending.set(None);
        }
        if let Some(id) = back {
            focus_on(id);
        }
    };
    let busy = Signal::derive(move || pending.with(Option::is_some));

    let confirmation = move || {
        removing.get().map(|c| {
            let change = Change::Remove {
                id: c.id.clone(),
                name: c.name.clone(),
            };
            view! {
                <div class="confirm" role="group" aria-labelledby="radius-confirm-title">
                    <h3 id="radius-confirm-title" tabindex="-1" node_ref=confirm_heading>
                        {format!("Remove {}?", c.name)}
                    </h3>
                    <p>
                        "Its requests are dropped unanswered from then on: nobody can connect \
                         through "{c.name.clone()}" with a Portcullis login until it is \
                         registered again, with its secret."
                    </p>
                    <FreshProof id="radius-remove-code" open=need_code_remove verb="Verify and remove"
                        then=again cancel=Callback::new(move |()| cancel_removal())
                    />
                    <Show when=move || !need_code_remove.get()>
                        <div class="actions">
                            <button type="button" class="button primary danger-ok"
                                aria-busy=move || busy.get().to_string()
                                on:click={
                                    let change = change.clone();
                                    move |_| if !busy.get_untracked() { run(change.clone()) }
                                }>
                                {format!("Remove {}", c.name)}
                            </button>
                            <button type="button" class="button secondary"
                                on:click=move |_| cancel_removal()>
                                "Cancel"
                            </button>
                        </div>
                    </Show>
                </div>
            }
        })
    };

    view! {
        <section class="card wide" aria-labelledby=TITLE_ID>
            <h2 id=TITLE_ID tabindex="-1">"RADIUS clients (VPNs and network gear)"</h2>
            <p class="hint">
                "VPN gateways, switches and Wi-Fi controllers that ask Portcullis whether someone \
                 may connect: the password, then a code or a push. Each is known by the address \
                 it sends from and the secret it shares. The server answers RADIUS only when \
                 started with --radius-listen: the README’s section “Linux logins (PAM) and VPNs \
                 (RADIUS)” says how."
            </p>
            <p class="status-line" role="status" aria-live="polite">{move || outcome.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            {move || match clients.get() {
                None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.user_message()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p>"No RADIUS client is registered yet."</p> }.into_any()
                }
                Some(Ok(list)) => {
                    view! { <RadiusTable list=list draft=draft removing=removing/> }.into_any()
                }
            }}
            {confirmation}
            <Show when=move || draft.get().is_none()>
                <button id="radius-register" type="button" class="button primary inline radius-register"
                    on:click=move |_| draft.set(Some(RadiusDraft::new()))>
                    "Register a RADIUS client"
                </button>
            </Show>
            <Show when=move || draft.get().is_some()>
                <RadiusForm draft=draft groups=groups busy=busy need_code=need_code problem=problem
                    save=save cancel=close_form/>
            </Show>
            <FreshProof id="radius-code" open=need_code verb="Verify and continue" then=again
                cancel=give_up
            />
        </section>
    }
}
