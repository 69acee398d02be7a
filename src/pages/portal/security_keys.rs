//! `/security`'s "Security keys and passkeys" section: the list (name,
//! added, last used), adding a key (named first), rename, and removal
//! after a confirmation. Results are announced in one live region.

use leptos::prelude::*;
use portcullis_api::webauthn::{KeyInfo, KEY_NAME_MAX_CHARS};

use portcullis_api::ErrorCode;

use super::sessions::FactorsChanged;
use crate::api::{webauthn as calls, ApiError};
use crate::components::FreshProof;
use crate::webauthn::{self, Problem};
use crate::when::local_date;

/// What the section shows under its heading; one place for every outcome,
/// so each is read out once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Said {
    /// A result (`role="status"`).
    done: Option<String>,
    /// A problem (`role="alert"`).
    problem: Option<String>,
}

/// The shared state of the section, handed to each row.
#[derive(Clone, Copy)]
struct Keys {
    list: RwSignal<Option<Result<Vec<KeyInfo>, ApiError>>>,
    said: RwSignal<Said>,
    /// A fresh second factor is asked for before the change in `retry`.
    need_proof: RwSignal<bool>,
    retry: RwSignal<Option<Callback<()>>>,
    /// The page's "factors changed" flag (read when the section is made:
    /// the actions run outside its reactive owner).
    changed: Option<FactorsChanged>,
}

impl Keys {
    fn reload(self) {
        leptos::task::spawn_local(async move {
            let _ = self.list.try_set(Some(calls::keys().await));
        });
    }

    fn done(self, text: String) {
        self.said.set(Said {
            done: Some(text),
            problem: None,
        });
    }

    /// After a key was added or removed: the sessions section offers to
    /// sign out the others.
    fn factors_changed(self) {
        if let Some(FactorsChanged(c)) = self.changed {
            let _ = c.try_set(true);
        }
    }

    /// Whether `e` asks for a fresh second factor; if so, the section asks
    /// for one, then runs `again`.
    fn needs_proof(self, e: &ApiError, again: Callback<()>) -> bool {
        if e.code() != Some(ErrorCode::ReauthenticationRequired) {
            return false;
        }
        self.retry.set(Some(again));
        self.need_proof.set(true);
        true
    }

    fn problem(self, text: String) {
        self.said.set(Said {
            done: None,
            problem: Some(text),
        });
    }
}

#[component]
pub fn SecurityKeys() -> impl IntoView {
    let keys = Keys {
        list: RwSignal::new(None),
        said: RwSignal::new(Said::default()),
        need_proof: RwSignal::new(false),
        retry: RwSignal::new(None),
        changed: use_context::<FactorsChanged>(),
    };
    keys.reload();
    view! {
        <h2 id="keys-title">"Security keys and passkeys"</h2>
        <div class="factor" role="group" aria-labelledby="keys-title">
            <p class="status-line key-said" role="status" aria-live="polite">
                {move || keys.said.get().done}
            </p>
            <p class="form-error" role="alert" aria-live="assertive">
                {move || keys.said.get().problem}
            </p>
            {move || match keys.list.get() {
                None => view! { <p class="loading">"Loading your keys…"</p> }.into_any(),
                Some(Err(e)) => view! { <p>{e.user_message()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p><span class="badge">"None added"</span></p>
                }
                .into_any(),
                Some(Ok(list)) => view! {
                    <ul class="rows" aria-label="Your security keys and passkeys">
                        {list.into_iter().map(|k| view! { <KeyRow key=k keys=keys/> }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            <FreshProof
                id="keys-code"
                open=keys.need_proof
                verb="Verify and continue"
                then=Callback::new(move |()| {
                    if let Some(again) = keys.retry.get_untracked() {
                        again.run(());
                    }
                })
                cancel=Callback::new(move |()| keys.retry.set(None))
            />
            <AddKey keys=keys/>
        </div>
    }
}

/// The name typed for a key: trimmed, 1 to 64 characters.
fn check_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err("Enter a name for the key.".to_string())
    } else if name.chars().count() > KEY_NAME_MAX_CHARS {
        Err(format!("Use at most {KEY_NAME_MAX_CHARS} characters."))
    } else {
        Ok(name.to_string())
    }
}

/// "Add a security key": a name, then the browser's ceremony. A failure
/// leaves the form as it was, so the same button tries again.
#[component]
fn AddKey(keys: Keys) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let passkey = RwSignal::new(false);
    let (name_error, set_name_error) = signal(None::<String>);
    // The action itself, for its own retry after a fresh proof.
    let this = StoredValue::new_local(None::<Action<String, ()>>);
    let add: Action<String, ()> = Action::new_local(move |name_text: &String| {
        let name_text = name_text.clone();
        let as_passkey = passkey.get_untracked();
        async move {
            match webauthn::register(Some(&name_text), as_passkey).await {
                Ok(_) => {
                    name.set(String::new());
                    let what = if as_passkey {
                        "Passkey"
                    } else {
                        "Security key"
                    };
                    keys.done(format!("{what} “{name_text}” added."));
                    keys.reload();
                    keys.factors_changed();
                }
                Err(Problem::Server(e))
                    if keys.needs_proof(
                        &e,
                        Callback::new(move |()| {
                            if let Some(a) = this.get_value() {
                                a.dispatch(name_text.clone());
                            }
                        }),
                    ) => {}
                Err(p) => keys.problem(p.sentence()),
            }
        }
    });
    this.set_value(Some(add));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if add.pending().get_untracked() {
            return;
        }
        match check_name(&name.get_untracked()) {
            Ok(n) => {
                set_name_error.set(None);
                keys.said.set(Said::default());
                add.dispatch(n);
            }
            Err(e) => set_name_error.set(Some(e)),
        }
    };
    view! {
        <form class="key-add" on:submit=on_submit novalidate>
            <label for="key-name">"Name of the new key"</label>
            <input
                id="key-name"
                type="text"
                autocomplete="off"
                maxlength=KEY_NAME_MAX_CHARS
                placeholder="For example: Blue USB key"
                aria-describedby="key-name-hint key-name-error"
                aria-invalid=move || name_error.get().is_some().to_string()
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <p id="key-name-hint" class="hint">
                "After you select the button, insert or touch your key, or follow your browser’s prompt."
            </p>
            <p id="key-name-error" class="field-error">{move || name_error.get()}</p>
            <fieldset class="choice">
                <legend>"Kind"</legend>
                <label>
                    <input type="radio" name="key-kind" value="key"
                        prop:checked=move || !passkey.get()
                        on:change=move |_| passkey.set(false)/>
                    " Security key: your second factor, after your password"
                </label>
                <label>
                    <input type="radio" name="key-kind" value="passkey"
                        prop:checked=move || passkey.get()
                        on:change=move |_| passkey.set(true)/>
                    " Passkey: also signs you in without a password (fingerprint, face or PIN)"
                </label>
            </fieldset>
            <button type="submit" class="button primary" aria-busy=move || add.pending().get().to_string()>
                {move || match (add.pending().get(), passkey.get()) {
                    (true, _) => "Waiting for your key…",
                    (false, false) => "Add a security key",
                    (false, true) => "Add a passkey",
                }}
            </button>
        </form>
    }
}

/// What a row shows besides the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowMode {
    Plain,
    Renaming,
    ConfirmingRemoval,
}

#[component]
fn KeyRow(key: KeyInfo, keys: Keys) -> impl IntoView {
    let (mode, set_mode) = signal(RowMode::Plain);
    let new_name = RwSignal::new(key.name.clone());
    let (name_error, set_name_error) = signal(None::<String>);
    let id = StoredValue::new(key.id.clone());
    let name = StoredValue::new(key.name.clone());
    let input_id = format!("rename-{}", key.id);
    // The `autofocus` attribute only works on page load: focus the rename
    // field once it is shown.
    let rename_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = rename_input.get() {
            let _ = el.focus();
        }
    });
    let error_id = format!("rename-error-{}", key.id);

    let rename = Action::new_local(move |to: &String| {
        let to = to.clone();
        async move {
            match calls::rename_key(&id.get_value(), &to).await {
                Ok(k) => {
                    keys.done(format!("Renamed to “{}”.", k.name));
                    keys.reload();
                }
                Err(e) => keys.problem(e.user_message()),
            }
        }
    });
    let this = StoredValue::new_local(None::<Action<(), ()>>);
    let remove: Action<(), ()> = Action::new_local(move |_: &()| async move {
        match calls::remove_key(&id.get_value()).await {
            Ok(()) => {
                keys.done(format!("Security key “{}” removed.", name.get_value()));
                keys.reload();
                keys.factors_changed();
            }
            Err(e)
                if keys.needs_proof(
                    &e,
                    Callback::new(move |()| {
                        if let Some(a) = this.get_value() {
                            a.dispatch(());
                        }
                    }),
                ) => {}
            Err(e) => {
                set_mode.set(RowMode::Plain);
                keys.problem(e.user_message());
            }
        }
    });
    this.set_value(Some(remove));
    let on_rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if rename.pending().get_untracked() {
            return;
        }
        match check_name(&new_name.get_untracked()) {
            Ok(n) => {
                set_name_error.set(None);
                rename.dispatch(n);
            }
            Err(e) => set_name_error.set(Some(e)),
        }
    };
    let used = key
        .last_used_at
        .map_or("never used to log in".to_string(), |t| {
            format!("last used {}", local_date(t))
        });
    let label_rename = format!("Rename {}", key.name);
    let label_remove = format!("Remove {}", key.name);
    view! {
        <li class="row">
            <p>
                <strong>{key.name.clone()}</strong>
                " · added " {local_date(key.added_at)} " · " {used}
            </p>
            {move || match mode.get() {
                RowMode::Plain => view! {
                    <div class="actions">
                        <button type="button" class="button secondary" aria-label=label_rename.clone()
                            on:click=move |_| set_mode.set(RowMode::Renaming)>
                            "Rename"
                        </button>
                        <button type="button" class="button secondary" aria-label=label_remove.clone()
                            on:click=move |_| set_mode.set(RowMode::ConfirmingRemoval)>
                            "Remove"
                        </button>
                    </div>
                }
                .into_any(),
                RowMode::Renaming => view! {
                    <form class="key-rename" on:submit=on_rename novalidate>
                        <label for=input_id.clone()>{format!("New name for “{}”", name.get_value())}</label>
                        <input
                            id=input_id.clone()
                            type="text"
                            autocomplete="off"
                            maxlength=KEY_NAME_MAX_CHARS
                            node_ref=rename_input
                            aria-describedby=error_id.clone()
                            aria-invalid=move || name_error.get().is_some().to_string()
                            prop:value=move || new_name.get()
                            on:input=move |ev| new_name.set(event_target_value(&ev))
                        />
                        <p id=error_id.clone() class="field-error">{move || name_error.get()}</p>
                        <div class="actions">
                            <button type="submit" class="button primary" aria-busy=move || rename.pending().get().to_string()>
                                "Save name"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| set_mode.set(RowMode::Plain)>
                                "Cancel"
                            </button>
                        </div>
                    </form>
                }
                .into_any(),
                RowMode::ConfirmingRemoval => view! {
                    <div class="confirm" role="group" aria-label="Confirm removal">
                        <p>
                            {format!("Remove “{}”? You can no longer use it to log in.", name.get_value())}
                        </p>
                        <div class="actions">
                            <button type="button" class="button primary" aria-busy=move || remove.pending().get().to_string()
                                on:click=move |_| { remove.dispatch(()); }>
                                "Remove key"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| set_mode.set(RowMode::Plain)>
                                "Keep it"
                            </button>
                        </div>
                    </div>
                }
                .into_any(),
            }}
        </li>
    }
}
