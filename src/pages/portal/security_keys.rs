//! Security keys and passkeys among the sign-in methods: a row per key
//! (name, kind, added, last used; rename and remove behind its Actions),
//! and the form that adds one (a name, then the browser's ceremony), shown
//! in the panel under the list once the chooser picked the kind.

use leptos::prelude::*;
use portcullis_api::webauthn::{KeyInfo, KEY_NAME_MAX_CHARS};

use super::methods_state::{Adding, Methods};
use crate::api::webauthn as calls;
use crate::components::{ActionsMenu, FreshProof, Icon, IconKind, ProofNeeded};
use crate::webauthn::{self, Problem};
use crate::when::local_date;

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

/// What the user calls a key of this kind.
fn kind_word(passkey: bool) -> &'static str {
    if passkey {
        "Passkey"
    } else {
        "Security key"
    }
}

/// "Add a security key" or "Add a passkey": a name, then the browser's
/// ceremony. A failure leaves the form as it was, so the same button tries
/// again; a fresh proof, when the server asks for one, is asked here.
#[component]
pub fn AddKey(methods: Methods, passkey: bool) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let (name_error, set_name_error) = signal(None::<String>);
    let proof = ProofNeeded::new();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    // The action itself, for its own retry after a fresh proof.
    let this = StoredValue::new_local(None::<Action<String, ()>>);
    let add: Action<String, ()> = Action::new_local(move |name_text: &String| {
        let name_text = name_text.clone();
        async move {
            match webauthn::register(Some(&name_text), passkey).await {
                Ok(_) => {
                    name.set(String::new());
                    methods.adding.set(Adding::Closed);
                    methods.done(format!("{} “{name_text}” added.", kind_word(passkey)));
                    methods.reload_keys();
                    methods.factors_changed();
                }
                Err(Problem::Server(e))
                    if proof.asks(
                        &e,
                        Callback::new(move |()| {
                            if let Some(a) = this.get_value() {
                                a.dispatch(name_text.clone());
                            }
                        }),
                    ) => {}
                Err(p) => methods.failed(p.sentence()),
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
                methods.starting();
                add.dispatch(n);
            }
            Err(e) => set_name_error.set(Some(e)),
        }
    };
    let (label, hint, placeholder) = if passkey {
        (
            "Name of the new passkey",
            "After you select the button, follow your browser’s prompt: it may use your \
             fingerprint, face, PIN or password manager.",
            "For example: Work laptop",
        )
    } else {
        (
            "Name of the new key",
            "After you select the button, insert or touch your key, or follow your browser’s prompt.",
            "For example: Blue USB key",
        )
    };
    view! {
        <form class="key-add" on:submit=on_submit novalidate>
            <div class="field">
                <label for="key-name">{label}</label>
                <input
                    id="key-name"
                    type="text"
                    autocomplete="off"
                    maxlength=KEY_NAME_MAX_CHARS
                    placeholder=placeholder
                    node_ref=input
                    aria-describedby="key-name-hint key-name-error"
                    aria-invalid=move || name_error.get().is_some().to_string()
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <p id="key-name-hint" class="hint">{hint}</p>
                <p id="key-name-error" class="field-error">{move || name_error.get()}</p>
            </div>
            <FreshProof
                id="key-add-code"
                open=proof.open
                verb="Verify and continue"
                then=Callback::new(move |()| proof.run_again())
                cancel=Callback::new(move |()| proof.forget())
            />
            <Show when=move || !proof.open.get()>
                <div class="actions">
                    <button type="submit" class="button primary" aria-busy=move || add.pending().get().to_string()>
                        {move || match (add.pending().get(), passkey) {
                            (true, _) => "Waiting for your key…",
                            (false, false) => "Add a security key",
                            (false, true) => "Add a passkey",
                        }}
                    </button>
                </div>
            </Show>
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
pub fn KeyRow(key: KeyInfo, methods: Methods) -> impl IntoView {
    let mode = RwSignal::new(RowMode::Plain);
    let new_name = RwSignal::new(key.name.clone());
    let (name_error, set_name_error) = signal(None::<String>);
    let id = StoredValue::new(key.id.clone());
    let name = StoredValue::new(key.name.clone());
    let passkey = key.discoverable == Some(true);
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
    let proof = ProofNeeded::new();

    let rename = Action::new_local(move |to: &String| {
        let to = to.clone();
        async move {
            match calls::rename_key(&id.get_value(), &to).await {
                Ok(k) => {
                    mode.set(RowMode::Plain);
                    methods.done(format!("Renamed to “{}”.", k.name));
                    methods.reload_keys();
                }
                Err(e) => methods.failed(e.user_message()),
            }
        }
    });
    let this = StoredValue::new_local(None::<Action<(), ()>>);
    let remove: Action<(), ()> = Action::new_local(move |_: &()| async move {
        match calls::remove_key(&id.get_value()).await {
            Ok(()) => {
                methods.done(format!(
                    "{} “{}” removed.",
                    kind_word(passkey),
                    name.get_value()
                ));
                methods.reload_keys();
                methods.factors_changed();
            }
            Err(e)
                if proof.asks(
                    &e,
                    Callback::new(move |()| {
                        if let Some(a) = this.get_value() {
                            a.dispatch(());
                        }
                    }),
                ) => {}
            Err(e) => {
                mode.set(RowMode::Plain);
                methods.failed(e.user_message());
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
                methods.starting();
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
    view! {
        <li class="row method">
            <div class="method-name">
                <Icon kind=if passkey { IconKind::Passkey } else { IconKind::Key }/>
                <strong>{key.name.clone()}</strong>
                <span class="badge">{kind_word(passkey)}</span>
            </div>
            <ActionsMenu label=format!("Actions for {}", key.name)>
                <button type="button" class="menu-item" on:click=move |_| mode.set(RowMode::Renaming)>
                    "Rename"
                </button>
                <button type="button" class="menu-item" on:click=move |_| mode.set(RowMode::ConfirmingRemoval)>
                    "Remove…"
                </button>
            </ActionsMenu>
            <p class="hint">{format!("Added {} · {used}", local_date(key.added_at))}</p>
            {move || match mode.get() {
                RowMode::Plain => ().into_any(),
                RowMode::Renaming => view! {
                    <form class="confirm key-rename" on:submit=on_rename novalidate>
                        <div class="field">
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
                        </div>
                        <div class="actions">
                            <button type="submit" class="button primary" aria-busy=move || rename.pending().get().to_string()>
                                "Save name"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| mode.set(RowMode::Plain)>
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
                        <FreshProof
                            id="key-remove-code"
                            open=proof.open
                            verb="Verify and remove"
                            then=Callback::new(move |()| proof.run_again())
                            cancel=Callback::new(move |()| {
                                proof.forget();
                                mode.set(RowMode::Plain);
                            })
                        />
                        <Show when=move || !proof.open.get()>
                            <div class="actions">
                                <button type="button" class="button danger" aria-busy=move || remove.pending().get().to_string()
                                    on:click=move |_| {
                                        methods.starting();
                                        remove.dispatch(());
                                    }>
                                    {format!("Remove {}", kind_word(passkey).to_lowercase())}
                                </button>
                                <button type="button" class="button secondary" on:click=move |_| mode.set(RowMode::Plain)>
                                    "Keep it"
                                </button>
                            </div>
                        </Show>
                    </div>
                }
                .into_any(),
            }}
        </li>
    }
}
