//! "Add user" on `/admin/users`: name, email and role; the server invites
//! them by email (a one-time link to choose a password and, where MFA is
//! required, set it up). Asks for a fresh code in place when the last one
//! is too old.

use leptos::prelude::*;
use portcullis_api::{ErrorCode, NewUser, Role};

use super::users_view::UsersView;
use crate::api;
use crate::components::FreshProof;
use crate::text::role_label;

const ROLES: [Role; 3] = [Role::User, Role::Admin, Role::BillingAdmin];

fn role_name(r: Role) -> &'static str {
    r.as_str()
}

#[component]
pub fn AddUser() -> impl IntoView {
    let view = expect_context::<UsersView>();
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::User.as_str().to_string());
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let need_code = RwSignal::new(false);

    let send = move || {
        let new = NewUser {
            email: email.get_untracked(),
            display_name: name.get_untracked(),
            role: ROLES
                .into_iter()
                .find(|r| role_name(*r) == role.get_untracked())
                .unwrap_or(Role::User),
        };
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            match api::admin::add_user(&new).await {
                Ok(user) => {
                    let _ = done.try_set(Some(format!(
                        "{} was added. The invitation to {} is on its way; its link works \
                         once.",
                        user.display_name, user.email
                    )));
                    let _ = name.try_set(String::new());
                    let _ = email.try_set(String::new());
                    let _ = open.try_set(false);
                    view.reload.update(|n| *n = n.wrapping_add(1));
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_code.try_set(true);
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if name.with_untracked(|n| n.trim().is_empty()) {
            problem.set(Some("Enter the person's name.".to_string()));
            return;
        }
        if email.with_untracked(|e| e.trim().is_empty()) {
            problem.set(Some("Enter their email address.".to_string()));
            return;
        }
        done.set(None);
        send();
    };
    let again = Callback::new(move |()| send());

    view! {
        <div class="add-user">
            <p class="status-line" role="status" aria-live="polite">{move || done.get()}</p>
            <button type="button" class="button secondary" aria-expanded=move || open.get().to_string()
                aria-controls="add-user-form"
                on:click=move |_| {
                    open.update(|o| *o = !*o);
                    done.set(None);
                }
            >
                "Add user"
            </button>
            <form id="add-user-form" novalidate aria-label="Add a user" on:submit=on_submit
                hidden=move || !open.get()
            >
                <div class="field">
                    <label for="add-user-name">"Name"</label>
                    <input id="add-user-name" type="text" autocomplete="off" maxlength="100" bind:value=name/>
                </div>
                <div class="field">
                    <label for="add-user-email">"Email"</label>
                    <input id="add-user-email" type="email" autocomplete="off" spellcheck="false"
                        bind:value=email
                    />
                </div>
                <div class="field">
                    <label for="add-user-role">"Role"</label>
                    <select id="add-user-role" bind:value=role>
                        {ROLES.into_iter().map(|r| view! {
                            <option value=role_name(r)>{role_label(r)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <p class="hint">
                    "They get an email with a link to choose their password. Whether they must \
                     set up MFA follows the organisation's setting for new users; administrators \
                     always must."
                </p>
                <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                <Show when=move || !need_code.get()>
                    <button type="submit" class="button primary" aria-busy=move || busy.get().to_string()>
                        "Add and send the invitation"
                    </button>
                </Show>
            </form>
            <FreshProof id="add-user-code" open=need_code verb="Verify and add" then=again
                cancel=Callback::new(move |()| need_code.set(false))
            />
        </div>
    }
}
