//! The form of `/admin/systems` that registers a RADIUS client (a VPN
//! gateway, a switch, a Wi-Fi controller) or changes one: its name, the
//! address it sends from, the secret it shares with the portal, and who
//! may connect through it (everyone, or groups and people, as for hosts).
//! The secret is typed, sent, and never shown again.

use leptos::prelude::*;
use portcullis_api::apps::Id;
use portcullis_api::radius::{
    RadiusClient, RadiusClientInput, RADIUS_SECRET_MAX_CHARS, RADIUS_SECRET_MIN_CHARS,
};
use portcullis_api::Group;

use super::assignees::{emails, lines, people_ids};

/// What a registration without a shared secret is told.
const NO_SECRET: &str = "Give the shared secret the client is set up with.";

/// The form's fields, as typed. No `Debug`: it may hold a secret.
#[derive(Clone, Default, PartialEq)]
pub(super) struct RadiusDraft {
    /// The client being changed; `None`: a new one.
    pub(super) editing: Option<String>,
    name: String,
    address: String,
    /// Empty when changing: the current secret stays.
    secret: String,
    everyone: bool,
    groups: Vec<String>,
    /// Emails, one per line.
    people: String,
}

impl RadiusDraft {
    pub(super) fn new() -> Self {
        RadiusDraft {
            everyone: true,
            ..Default::default()
        }
    }

    pub(super) fn of(client: &RadiusClient) -> Self {
        RadiusDraft {
            editing: Some(client.id.clone()),
            name: client.name.clone(),
            address: client.address.clone(),
            everyone: client.everyone,
            groups: client.groups.iter().map(|g| g.id.clone()).collect(),
            people: emails(&client.users),
            ..Default::default()
        }
    }

    /// What to send, with the people's ids found already. An empty secret
    /// is none: kept on a change, asked for by the server on a register.
    fn input(&self, users: Vec<Id>) -> RadiusClientInput {
        RadiusClientInput {
            name: self.name.trim().to_string(),
            address: self.address.trim().to_string(),
            secret: Some(self.secret.clone()).filter(|s| !s.is_empty()),
            everyone: self.everyone,
            groups: if self.everyone {
                vec![]
            } else {
                self.groups.iter().cloned().map(Id).collect()
            },
            users: if self.everyone { vec![] } else { users },
        }
    }
}

/// The form, shown while `draft` holds something. `save` gets the client
/// being changed (if any) and what to send; a person's email that matches
/// nobody is said in `problem` instead.
#[component]
pub(super) fn RadiusForm(
    draft: RwSignal<Option<RadiusDraft>>,
    groups: RwSignal<Vec<Group>>,
    /// A change is running.
    busy: Signal<bool>,
    /// The section asks for a fresh second factor below: the buttons wait.
    need_code: RwSignal<bool>,
    problem: RwSignal<Option<String>>,
    save: Callback<(Option<String>, RadiusClientInput)>,
    cancel: Callback<()>,
) -> impl IntoView {
    let name_field = NodeRef::<leptos::html::Input>::new();
    let secret_field = NodeRef::<leptos::html::Input>::new();
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
        // Said here, not left to the server: a registration without one
        // would leave the client with a secret nobody here typed.
        if d.editing.is_none() && d.secret.is_empty() {
            problem.set(Some(NO_SECRET.to_string()));
            if let Some(input) = secret_field.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        problem.set(None);
        leptos::task::spawn_local(async move {
            let users = if d.everyone {
                Ok(vec![])
            } else {
                people_ids(lines(&d.people)).await
            };
            match users {
                Ok(users) => save.run((d.editing.clone(), d.input(users))),
                Err(m) => {
                    let _ = problem.try_set(Some(m));
                }
            }
        });
    };
    let field = move |f: fn(&mut RadiusDraft) -> &mut String| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| {
                if let Some(d) = d.as_mut() {
                    *f(d) = v;
                }
            });
        }
    };
    let value = move |f: fn(&RadiusDraft) -> String| {
        move || draft.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let everyone = move || draft.with(|d| d.as_ref().is_some_and(|d| d.everyone));
    let secret_rule = format!(
        "{RADIUS_SECRET_MIN_CHARS} to {RADIUS_SECRET_MAX_CHARS} printable characters without \
         spaces, the same as set on the device."
    );

    view! {
        <form novalidate on:submit=on_submit aria-labelledby="radius-form-title">
            <h3 id="radius-form-title">
                {move || if editing() { "Change the RADIUS client" } else { "Register a RADIUS client" }}
            </h3>
            <div class="field">
                <label for="radius-name">"Name"</label>
                <p class="hint" id="radius-name-hint">
                    "People see it on their phone (“Sign in to Office VPN”). No app, host or \
                     other client may have the same name."
                </p>
                <input id="radius-name" type="text" maxlength="100" autocomplete="off"
                    aria-describedby="radius-name-hint" node_ref=name_field
                    prop:value=value(|d| d.name.clone()) on:input=field(|d| &mut d.name)/>
            </div>
            <div class="field">
                <label for="radius-address">"Address"</label>
                <p class="hint" id="radius-address-hint">
                    "The address it sends from: 10.0.0.5, or a block such as 10.0.0.0/24"
                </p>
                <input id="radius-address" type="text" maxlength="64" autocomplete="off"
                    spellcheck="false" aria-describedby="radius-address-hint"
                    prop:value=value(|d| d.address.clone()) on:input=field(|d| &mut d.address)/>
            </div>
            <div class="field">
                <label for="radius-secret">"Shared secret"</label>
                <p class="hint" id="radius-secret-hint">
                    {move || if editing() { "Leave empty to keep the current secret. " } else { "" }}
                    {secret_rule}
                    " It is not shown again after saving."
                </p>
                <input id="radius-secret" type="password" autocomplete="new-password"
                    maxlength=RADIUS_SECRET_MAX_CHARS.to_string() spellcheck="false" node_ref=secret_field
                    required=move || !editing() aria-describedby="radius-secret-hint"
                    prop:value=value(|d| d.secret.clone()) on:input=field(|d| &mut d.secret)/>
            </div>
            <fieldset>
                <legend>"Who may connect"</legend>
                <div class="field checkbox">
                    <input id="radius-everyone" type="checkbox" prop:checked=everyone
                        on:change=move |ev| {
                            let v = event_target_checked(&ev);
                            draft.update(|d| if let Some(d) = d.as_mut() { d.everyone = v; });
                        }/>
                    <label for="radius-everyone">"Everyone"</label>
                </div>
                <Show when=move || !everyone()>
                    {move || groups.get().into_iter().map(|g| {
                        let id = g.id.clone();
                        let input_id = format!("radius-group-{}", g.id);
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
                        <label for="radius-people">"People (emails, one per line)"</label>
                        <textarea id="radius-people" rows="2"
                            prop:value=value(|d| d.people.clone()) on:input=field(|d| &mut d.people)></textarea>
                    </div>
                </Show>
            </fieldset>
            <Show when=move || !need_code.get()>
                <div class="actions">
                    <button type="submit" class="button primary inline"
                        aria-busy=move || busy.get().to_string()>
                        {move || if editing() { "Save" } else { "Register the client" }}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| cancel.run(())>
                        "Cancel"
                    </button>
                </div>
            </Show>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> RadiusClient {
        serde_json::from_str(
            r#"{"id": "c1", "name": "Office VPN", "address": "10.0.0.0/24",
                "everyone": false, "groups": [{"id": "g1", "label": "Staff"}],
                "users": [{"id": "u1", "label": "Ada Admin <ada@example.org>"}],
                "created_at": 0}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_change_keeps_the_secret_unless_one_is_typed() {
        let mut d = RadiusDraft::of(&client());
        assert_eq!(d.editing.as_deref(), Some("c1"));
        assert_eq!(d.people, "ada@example.org");
        let sent = d.input(vec![Id("u1".into())]);
        assert_eq!(sent.secret, None);
        assert_eq!(sent.address, "10.0.0.0/24");
        assert_eq!(sent.groups, vec![Id("g1".into())]);
        d.secret = "a-new-secret-of-20-chars".into();
        assert_eq!(
            d.input(vec![]).secret.as_deref(),
            Some("a-new-secret-of-20-chars")
        );
    }

    #[test]
    fn everyone_sends_no_groups_or_people() {
        let mut d = RadiusDraft::of(&client());
        d.everyone = true;
        d.name = "  Office VPN ".into();
        d.address = " 127.0.0.1 ".into();
        let sent = d.input(vec![Id("u1".into())]);
        assert_eq!(
            (sent.name.as_str(), sent.address.as_str()),
            ("Office VPN", "127.0.0.1")
        );
        assert!(sent.groups.is_empty() && sent.users.is_empty());
        assert!(RadiusDraft::new().everyone);
    }
}
