//! The form of `/admin/systems` that registers a host or changes one: its
//! name, whether it asks for a second factor, what it does with users the
//! portal does not know, and who may sign in (everyone, or groups and
//! people, as for apps and sites).

use leptos::prelude::*;
use portcullis_api::apps::Id;
use portcullis_api::hosts::{Host, HostInput, UnknownUsers};
use portcullis_api::Group;

use super::assignees::{emails, lines, people_ids};

/// The form's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct HostDraft {
    /// The host being changed; `None`: a new one.
    pub(super) editing: Option<String>,
    name: String,
    mfa: bool,
    unknown_users: String,
    offline_totp: bool,
    everyone: bool,
    groups: Vec<String>,
    /// Emails, one per line.
    people: String,
}

impl HostDraft {
    pub(super) fn new() -> Self {
        HostDraft {
            mfa: true,
            unknown_users: UnknownUsers::Deny.as_str().into(),
            everyone: true,
            ..Default::default()
        }
    }

    pub(super) fn of(host: &Host) -> Self {
        HostDraft {
            editing: Some(host.id.clone()),
            name: host.name.clone(),
            mfa: host.mfa,
            unknown_users: host.unknown_users.as_str().into(),
            offline_totp: host.offline_totp,
            everyone: host.everyone,
            groups: host.groups.iter().map(|g| g.id.clone()).collect(),
            people: emails(&host.users),
        }
    }
}

/// The form, shown while `draft` holds something. `save` gets the host
/// being changed (if any) and what to send; a person's email that matches
/// nobody is said in `problem` instead.
#[component]
pub(super) fn HostForm(
    draft: RwSignal<Option<HostDraft>>,
    groups: RwSignal<Vec<Group>>,
    /// A change is running.
    busy: Signal<bool>,
    /// The page asks for a fresh second factor below: the buttons wait.
    need_code: RwSignal<bool>,
    problem: RwSignal<Option<String>>,
    save: Callback<(Option<String>, HostInput)>,
    cancel: Callback<()>,
) -> impl IntoView {
    let name_field = NodeRef::<leptos::html::Input>::new();
    // The keyboard lands on the first field when the form opens.
    Effect::new(move |_| {
        if let Some(input) = name_field.get() {
            let _ = input.focus();
        }
    });
    let editing = move || draft.with(|d| d.as_ref().is_some_and(|d| d.editing.is_some()));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(d) = draft.get_untracked() else {
            return;
        };
        let Some(unknown_users) = UnknownUsers::parse(&d.unknown_users) else {
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
            let input = HostInput {
                name: d.name.trim().to_string(),
                mfa: d.mfa,
                unknown_users,
                offline_totp: d.offline_totp,
                everyone: d.everyone,
                groups: if d.everyone {
                    vec![]
                } else {
                    d.groups.iter().cloned().map(Id).collect()
                },
                users,
            };
            save.run((d.editing, input));
        });
    };
    let field = move |f: fn(&mut HostDraft) -> &mut String| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| {
                if let Some(d) = d.as_mut() {
                    *f(d) = v;
                }
            });
        }
    };
    let flag = move |f: fn(&mut HostDraft) -> &mut bool| {
        move |ev: leptos::ev::Event| {
            let v = event_target_checked(&ev);
            draft.update(|d| {
                if let Some(d) = d.as_mut() {
                    *f(d) = v;
                }
            });
        }
    };
    let value = move |f: fn(&HostDraft) -> String| {
        move || draft.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let checked =
        move |f: fn(&HostDraft) -> bool| move || draft.with(|d| d.as_ref().is_some_and(f));

    view! {
        <form novalidate on:submit=on_submit aria-labelledby="host-form-title">
            <h2 id="host-form-title">
                {move || if editing() { "Change the host" } else { "Register a host" }}
            </h2>
            <div class="field">
                <label for="host-name">"Name"</label>
                <p class="hint" id="host-name-hint">
                    "Its host name, say: people see it on their phone (“Sign in to web-1”). \
                     No app or other host may have the same name."
                </p>
                <input id="host-name" type="text" maxlength="100" autocomplete="off"
                    aria-describedby="host-name-hint" node_ref=name_field
                    prop:value=value(|d| d.name.clone()) on:input=field(|d| &mut d.name)/>
            </div>
            <div class="field checkbox">
                <input id="host-mfa" type="checkbox" aria-describedby="host-mfa-hint"
                    prop:checked=checked(|d| d.mfa) on:change=flag(|d| &mut d.mfa)/>
                <label for="host-mfa">"Ask for a second factor after the password"</label>
            </div>
            <p class="hint" id="host-mfa-hint">
                "Otherwise the password alone, and still only for the people below."
            </p>
            <div class="field checkbox">
                <input id="host-offline" type="checkbox" aria-describedby="host-offline-hint"
                    prop:checked=checked(|d| d.offline_totp)
                    on:change=flag(|d| &mut d.offline_totp)/>
                <label for="host-offline">"Check authenticator codes on the host when Portcullis cannot be reached"</label>
            </div>
            <p class="hint" id="host-offline-hint">
                "The host keeps its users' authenticator keys, sealed, for 7 days after each \
                 check: whoever is root on it could read them. Otherwise logins are refused \
                 while Portcullis cannot be reached."
            </p>
            <div class="field">
                <label for="host-unknown">"Users Portcullis does not know"</label>
                <p class="hint" id="host-unknown-hint">
                    "Local accounts with no user here, such as service accounts."
                </p>
                <select id="host-unknown" aria-describedby="host-unknown-hint"
                    prop:value=value(|d| d.unknown_users.clone())
                    on:change=field(|d| &mut d.unknown_users)>
                    {[UnknownUsers::Deny, UnknownUsers::Pass].into_iter().map(|u| view! {
                        <option value=u.as_str()>{u.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <fieldset>
                <legend>"Who may sign in"</legend>
                <div class="field checkbox">
                    <input id="host-everyone" type="checkbox"
                        prop:checked=checked(|d| d.everyone) on:change=flag(|d| &mut d.everyone)/>
                    <label for="host-everyone">"Everyone"</label>
                </div>
                <Show when=move || !checked(|d| d.everyone)()>
                    {move || groups.get().into_iter().map(|g| {
                        let id = g.id.clone();
                        let input_id = format!("host-group-{}", g.id);
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
                        <label for="host-people">"People (emails, one per line)"</label>
                        <textarea id="host-people" rows="2"
                            prop:value=value(|d| d.people.clone()) on:input=field(|d| &mut d.people)></textarea>
                    </div>
                </Show>
            </fieldset>
            <Show when=move || !need_code.get()>
                <div class="actions">
                    <button type="submit" class="button primary inline"
                        aria-busy=move || busy.get().to_string()>
                        {move || if editing() { "Save" } else { "Register the host" }}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| cancel.run(())>
                        "Cancel"
                    </button>
                </div>
            </Show>
        </form>
    }
}
