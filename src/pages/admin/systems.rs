//! `/admin/systems`: the Linux systems (hosts) whose PAM stack asks the
//! portal after the password (`pam_portcullis.so`). Register one (its
//! one-time enrollment token and the command to run on it, shown once),
//! change it, make a new enrollment token, remove it; each asks for a
//! second factor or not, says what it does with users the portal does not
//! know, and is assigned to everyone or to groups and people. Below them,
//! the RADIUS clients (VPNs and network gear, [`super::radius_clients`]).
//! Every change needs a second factor passed lately.

use leptos::prelude::*;
use portcullis_api::hosts::{Host, HostEnrollment, HostInput};
use portcullis_api::{ErrorCode, Group};

use super::focus::{focus_on, keeping_focus};
use super::radius_clients::RadiusClientsSection;
use super::systems_enrollment::EnrollmentShown;
use super::systems_form::{HostDraft, HostForm};
use super::systems_table::{remove_button_id, HostTable};
use crate::api::{self, ApiError};
use crate::components::FreshProof;
use crate::paths::Page;
use crate::state::PageTitle;

/// What waits for a fresh second factor, or is running.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Add(HostInput),
    Edit(String, HostInput),
    NewToken(String),
    Remove { id: String, name: String },
}

/// What the server answered to a change.
enum Done {
    Enrollment(HostEnrollment),
    Saved(Host),
    Removed,
}

#[component]
pub fn SystemsPage() -> impl IntoView {
    let hosts = RwSignal::new(None::<Result<Vec<Host>, ApiError>>);
    let groups = RwSignal::new(Vec::<Group>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            let answer = api::admin::hosts().await;
            keeping_focus(|| {
                let _ = hosts.try_set(Some(answer));
            });
        });
    };
    reload();
    leptos::task::spawn_local(async move {
        if let Ok(g) = api::admin::groups().await {
            let _ = groups.try_set(g);
        }
    });
    let draft = RwSignal::new(None::<HostDraft>);
    let shown = RwSignal::new(None::<HostEnrollment>);
    let outcome = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    // A fresh second factor asked for below the form (register, change, new
    // token) or inside the removal's confirmation.
    let need_code = RwSignal::new(false);
    let need_code_remove = RwSignal::new(false);
    let pending = RwSignal::new(None::<Change>);
    let removing = RwSignal::new(None::<Host>);
    let heading = NodeRef::<leptos::html::H1>::new();
    let confirm_heading = NodeRef::<leptos::html::H2>::new();
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
                Change::Add(i) => api::admin::add_host(i).await.map(Done::Enrollment),
                Change::Edit(id, i) => api::admin::change_host(id, i).await.map(Done::Saved),
                Change::NewToken(id) => api::admin::new_host_token(id).await.map(Done::Enrollment),
                Change::Remove { id, .. } => {
                    api::admin::remove_host(id).await.map(|()| Done::Removed)
                }
            };
            match answer {
                Ok(done) => {
                    let words = match (&change, &done) {
                        (Change::Add(_), Done::Enrollment(e)) => format!(
                            "{} registered. Run the command below on it to enroll it.",
                            e.host.name
                        ),
                        (_, Done::Enrollment(e)) => format!(
                            "A new enrollment token for {}: the earlier one no longer works.",
                            e.host.name
                        ),
                        (_, Done::Saved(h)) => format!("{} saved.", h.name),
                        (Change::Remove { name, .. }, _) => {
                            format!("{name} removed: logins there that ask Portcullis now fail.")
                        }
                        _ => "Done.".to_string(),
                    };
                    let _ = outcome.try_set(words);
                    let _ = pending.try_set(None);
                    let _ = need_code.try_set(false);
                    let _ = need_code_remove.try_set(false);
                    let _ = removing.try_set(None);
                    if matches!(change, Change::Add(_) | Change::Edit(..)) {
                        let _ = draft.try_set(None);
                    }
                    match done {
                        // the enrollment takes the focus itself
                        Done::Enrollment(e) => {
                            let _ = shown.try_set(Some(e));
                        }
                        _ => {
                            if let Some(h) = heading.get_untracked() {
                                let _ = h.focus();
                            }
                        }
                    }
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
    let save = Callback::new(move |(editing, input): (Option<String>, HostInput)| {
        run(match editing {
            Some(id) => Change::Edit(id, input),
            None => Change::Add(input),
        })
    });
    let close_form = Callback::new(move |()| {
        let back = match draft.get_untracked().and_then(|d| d.editing) {
            Some(id) => format!("host-change-{id}"),
            None => "host-register".to_string(),
        };
        draft.set(None);
        problem.set(None);
        focus_on(back);
    });
    let cancel_removal = move || {
        let back = removing.get_untracked().map(|h| remove_button_id(&h.id));
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
        removing.get().map(|h| {
            let change = Change::Remove {
                id: h.id.clone(),
                name: h.name.clone(),
            };
            view! {
                <div class="confirm" role="group" aria-labelledby="host-confirm-title">
                    <h2 id="host-confirm-title" tabindex="-1" node_ref=confirm_heading>
                        {format!("Remove {}?", h.name)}
                    </h2>
                    <p>
                        "Its logins stop being checked at once: every login on "{h.name.clone()}
                        " that asks Portcullis then fails, until it is registered and enrolled \
                         again. Take pam_portcullis.so out of its PAM stack first if people \
                         must still sign in there."
                    </p>
                    <FreshProof id="host-remove-code" open=need_code_remove verb="Verify and remove"
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
                                {format!("Remove {}", h.name)}
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
        <PageTitle text=Page::AdminSystems.title()/>
        <section class="card wide" aria-labelledby="systems-title">
            <h1 id="systems-title" tabindex="-1" node_ref=heading>"Systems"</h1>
            <p class="hint">
                "Linux servers and desktops whose logins (SSH, the console, sudo) ask Portcullis \
                 after the password, through the PAM module pam_portcullis.so. Register a host, \
                 then run the command shown on it once, as root, to enroll it."
            </p>
            <p class="status-line" role="status" aria-live="polite">{move || outcome.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            {move || shown.get().map(|e| view! {
                <EnrollmentShown enrollment=e done=Callback::new(move |()| {
                    shown.set(None);
                    focus_on("systems-title".to_string());
                })/>
            })}
            {move || match hosts.get() {
                None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{e.user_message()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>"No host is registered yet."</p> }.into_any(),
                Some(Ok(list)) => view! { <HostTable list=list draft=draft shown=shown removing=removing
                        new_token=Callback::new(move |id| run(Change::NewToken(id)))/> }.into_any(),
            }}
            {confirmation}
            <Show when=move || draft.get().is_none()>
                <button id="host-register" type="button" class="button primary inline host-register"
                    on:click=move |_| {
                        shown.set(None);
                        draft.set(Some(HostDraft::new()));
                    }>
                    "Register a host"
                </button>
            </Show>
            <Show when=move || draft.get().is_some()>
                <HostForm draft=draft groups=groups busy=busy need_code=need_code problem=problem
                    save=save cancel=close_form/>
            </Show>
            <FreshProof id="systems-code" open=need_code verb="Verify and continue" then=again
                cancel=give_up
            />
        </section>
        <RadiusClientsSection groups=groups/>
    }
}
