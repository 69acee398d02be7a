//! A user's account on their page: edit the name, email and role, or
//! delete the user (their email typed again). Each asks for a fresh code
//! in place when the last one is too old.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_api::{ErrorCode, Role, UserChange};

use super::user_view::UserView;
use crate::api::{self, ApiError};
use crate::components::FreshProof;
use crate::paths::Page;
use crate::text::role_label;

const ROLES: [Role; 3] = [Role::User, Role::Admin, Role::BillingAdmin];

/// What the section is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Idle,
    Editing,
    Deleting,
}

#[component]
pub fn AccountSection(id: String) -> impl IntoView {
    let view = expect_context::<UserView>();
    let navigate = use_navigate();
    let mode = RwSignal::new(Mode::Idle);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let need_code = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = StoredValue::new(id);

    let open_edit = move |_| {
        if let Some(u) = view
            .detail
            .with_untracked(|d| d.as_ref().map(|d| d.user.clone()))
        {
            name.set(u.display_name);
            email.set(u.email);
            role.set(u.role.as_str().to_string());
        }
        problem.set(None);
        done.set(None);
        mode.set(Mode::Editing);
    };
    let failed = move |e: ApiError| {
        if e.code() == Some(ErrorCode::ReauthenticationRequired) {
            let _ = need_code.try_set(true);
        } else {
            let _ = problem.try_set(Some(e.user_message()));
        }
    };
    let run = move || {
        busy.set(true);
        problem.set(None);
        let target = id.get_value();
        match mode.get_untracked() {
            Mode::Editing => {
                let change = UserChange {
                    display_name: Some(name.get_untracked()),
                    email: Some(email.get_untracked()),
                    role: ROLES
                        .into_iter()
                        .find(|r| r.as_str() == role.get_untracked()),
                };
                leptos::task::spawn_local(async move {
                    match api::admin::edit_user(&target, &change).await {
                        Ok(_) => {
                            if let Ok(d) = api::admin::user(&target).await {
                                let _ = view.detail.try_set(Some(d));
                            }
                            let _ =
                                done.try_set(Some("Saved. The change is in the event log.".into()));
                            let _ = mode.try_set(Mode::Idle);
                        }
                        Err(e) => failed(e),
                    }
                    let _ = busy.try_set(false);
                });
            }
            Mode::Deleting => {
                let confirm = typed.get_untracked();
                let navigate = navigate.clone();
                leptos::task::spawn_local(async move {
                    match api::admin::delete_user(&target, &confirm).await {
                        Ok(()) => navigate(Page::AdminUsers.path(), Default::default()),
                        Err(e) => failed(e),
                    }
                    let _ = busy.try_set(false);
                });
            }
            Mode::Idle => busy.set(false),
        }
    };
    let run = StoredValue::new_local(run);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            run.with_value(|r| r());
        }
    };
    let again = Callback::new(move |()| run.with_value(|r| r()));
    let cancel = move |_| {
        mode.set(Mode::Idle);
        need_code.set(false);
        problem.set(None);
    };
    let user_email = move || {
        view.detail
            .with(|d| d.as_ref().map(|d| d.user.email.clone()).unwrap_or_default())
    };

    view! {
        <section class="card" aria-labelledby="account-title">
            <h2 id="account-title">"Account"</h2>
            <p class="status-line" role="status" aria-live="polite">{move || done.get()}</p>
            <Show when=move || mode.get() == Mode::Idle>
                <div class="actions">
                    <button type="button" class="button secondary" on:click=open_edit>"Edit name, email or role…"</button>
                    <button type="button" class="button secondary" on:click=move |_| {
                        typed.set(String::new());
                        problem.set(None);
                        mode.set(Mode::Deleting);
                    }>"Delete user…"</button>
                </div>
            </Show>
            <Show when=move || mode.get() == Mode::Editing>
                <form novalidate aria-label="Edit the user" on:submit=on_submit>
                    <div class="field">
                        <label for="edit-name">"Name"</label>
                        <input id="edit-name" type="text" autocomplete="off" maxlength="100" bind:value=name/>
                    </div>
                    <div class="field">
                        <label for="edit-email">"Email"</label>
                        <input id="edit-email" type="email" autocomplete="off" spellcheck="false" bind:value=email/>
                    </div>
                    <div class="field">
                        <label for="edit-role">"Role"</label>
                        <select id="edit-role" bind:value=role>
                            {ROLES.into_iter().map(|r| view! {
                                <option value=r.as_str()>{role_label(r)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <p class="hint">"A new role signs them out everywhere."</p>
                    <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                    <Show when=move || !need_code.get()>
                        <div class="actions">
                            <button type="submit" class="button primary" aria-busy=move || busy.get().to_string()>"Save"</button>
                            <button type="button" class="button secondary" on:click=cancel>"Cancel"</button>
                        </div>
                    </Show>
                </form>
            </Show>
            <Show when=move || mode.get() == Mode::Deleting>
                <form novalidate aria-label="Delete the user" on:submit=on_submit>
                    <p>
                        "Deleting removes their factors, sessions, links and trusted browsers for \
                         good. The event log keeps their events. To confirm, type their email \
                         address: "<strong>{user_email}</strong>
                    </p>
                    <div class="field">
                        <label for="delete-email">"Their email address"</label>
                        <input id="delete-email" type="email" autocomplete="off" spellcheck="false" bind:value=typed/>
                    </div>
                    <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                    <Show when=move || !need_code.get()>
                        <div class="actions">
                            <button type="submit" class="button primary danger-ok" aria-busy=move || busy.get().to_string()
                                disabled=move || typed.with(|t| t.trim().is_empty())
                            >"Delete for good"</button>
                            <button type="button" class="button secondary" on:click=cancel>"Cancel"</button>
                        </div>
                    </Show>
                </form>
            </Show>
            <FreshProof id="account-code" open=need_code verb="Verify and continue" then=again
                cancel=Callback::new(move |()| need_code.set(false))
            />
        </section>
    }
}
