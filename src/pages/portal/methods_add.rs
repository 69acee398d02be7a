//! "Add a sign-in method": one button that opens a chooser of the kinds
//! the user can still add and the organisation allows (an authenticator
//! app, a Protect phone, a security key, a passkey), each a card with what it is in a sentence;
//! then the chosen kind's own steps in the same panel, with Back to the
//! chooser. The app is set up in `/enroll`, which comes back here.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_api::FactorKind;

use super::methods_state::{Adding, Methods};
use super::protect::start_protect;
use super::security_keys::AddKey;
use crate::components::{FreshProof, Icon, IconKind, ProofNeeded, ProtectLink};
use crate::paths::Page;

/// The kinds on offer in the chooser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    App,
    Phone,
    Key,
    Passkey,
}

impl Choice {
    /// The kind of factor it adds (the organisation allows kinds).
    fn kind(self) -> FactorKind {
        match self {
            Choice::App => FactorKind::Totp,
            Choice::Phone => FactorKind::Push,
            Choice::Key | Choice::Passkey => FactorKind::Webauthn,
        }
    }

    fn icon(self) -> IconKind {
        match self {
            Choice::App => IconKind::App,
            Choice::Phone => IconKind::Phone,
            Choice::Key => IconKind::Key,
            Choice::Passkey => IconKind::Passkey,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Choice::App => "Authenticator app",
            Choice::Phone => "Protect push",
            Choice::Key => "Security key",
            Choice::Passkey => "Passkey",
        }
    }

    fn sentence(self) -> &'static str {
        match self {
            Choice::App => "A 6-digit code from an app on your phone, new every 30 seconds.",
            Choice::Phone => {
                "Approve each login on your phone by typing the number the login shows."
            }
            Choice::Key => "A USB or NFC key you touch after your password. Cannot be phished.",
            Choice::Passkey => {
                "Your device’s fingerprint, face or PIN; also logs you in without a password."
            }
        }
    }
}

#[component]
pub fn AddMethod(
    methods: Methods,
    has_app: bool,
    /// The kinds the organisation lets users set up (empty: a server that
    /// does not say, which refuses the others itself).
    allowed: Vec<FactorKind>,
) -> impl IntoView {
    let opener = NodeRef::<html::Button>::new();
    // The panel (chooser and steps, with the QR code and the security-key
    // ceremony) is a lazily loaded part: opened, not merely shown.
    let open = Memo::new(move |_| methods.adding.get() != Adding::Closed);
    view! {
        <div class="add-method">
            <button
                type="button"
                class="button primary inline"
                node_ref=opener
                aria-expanded=move || open.get().to_string()
                aria-controls="add-method-panel"
                on:click=move |_| {
                    methods.starting();
                    if open.get_untracked() {
                        methods.adding.set(Adding::Closed);
                    } else {
                        methods.adding.set(Adding::Choosing);
                    }
                }
            >
                "Add a sign-in method"
            </button>
            <div id="add-method-panel">
                {move || {
                    let allowed = allowed.clone();
                    open.get().then(|| Suspend::new(async move {
                        add_method_panel(methods, has_app, allowed, opener).await
                    }))
                }}
            </div>
        </div>
    }
}

lazy_part!(add_method_panel(
    methods: Methods,
    has_app: bool,
    allowed: Vec<FactorKind>,
    opener: NodeRef<html::Button>,
) => view! { <Panel methods has_app allowed opener/> });

/// The open panel: the chooser, then the chosen kind's steps.
#[component]
fn Panel(
    methods: Methods,
    has_app: bool,
    allowed: Vec<FactorKind>,
    /// The button that opened it, which gets the focus back on Cancel.
    opener: NodeRef<html::Button>,
) -> impl IntoView {
    let navigate = use_navigate();
    let heading = NodeRef::<html::H3>::new();
    let proof = ProofNeeded::new();
    let busy = RwSignal::new(false);
    // each step's heading takes the focus when it appears, so that a
    // keyboard or screen-reader user lands on it
    Effect::new(move |_| {
        methods.adding.track();
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let close = move || {
        methods.adding.set(Adding::Closed);
        proof.open.set(false);
        proof.forget();
        if let Some(b) = opener.get_untracked() {
            let _ = b.focus();
        }
    };
    let choices = move || {
        let mut c = Vec::new();
        if !has_app {
            c.push(Choice::App);
        }
        if !methods.has_phone() {
            c.push(Choice::Phone);
        }
        c.extend([Choice::Key, Choice::Passkey]);
        c.retain(|c| allowed.is_empty() || allowed.contains(&c.kind()));
        c
    };
    let choose = move |choice: Choice| match choice {
        Choice::App => navigate(
            &Page::Enroll.with_next(Page::Security.path()),
            Default::default(),
        ),
        Choice::Phone => start_protect(methods, proof, busy),
        Choice::Key => methods.adding.set(Adding::Key { passkey: false }),
        Choice::Passkey => methods.adding.set(Adding::Key { passkey: true }),
    };
    let back = move |_| {
        methods.adding.set(Adding::Choosing);
    };
    view! {
        {move || match methods.adding.get() {
            Adding::Closed => ().into_any(),
            Adding::Choosing => {
                let choose = choose.clone();
                view! {
                    <div class="panel" role="group" aria-labelledby="add-method-title">
                        <h3 id="add-method-title" tabindex="-1" node_ref=heading>
                            "Choose a sign-in method"
                        </h3>
                        {let offered = choices();
                        view! {
                        {offered.is_empty().then(|| view! {
                            <p>
                                "You have every kind of sign-in method your organisation \
                                 allows. To change one, use its Actions."
                            </p>
                        })}
                        <ul class="choice-cards">
                            {offered.into_iter().map(|c| {
                                let choose = choose.clone();
                                view! {
                                    <li>
                                        <button type="button" class="choice-card"
                                            aria-busy=move || (c == Choice::Phone && busy.get()).to_string()
                                            on:click=move |_| choose(c)>
                                            <Icon kind=c.icon()/>
                                            <span class="choice-title">{c.title()}</span>
                                            <span class="choice-text">{c.sentence()}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        }}
                        <FreshProof
                            id="add-method-code"
                            open=proof.open
                            verb="Verify and continue"
                            then=Callback::new(move |()| proof.run_again())
                            cancel=Callback::new(move |()| proof.forget())
                        />
                        <div class="actions">
                            <button type="button" class="button secondary" on:click=move |_| close()>
                                "Cancel"
                            </button>
                        </div>
                    </div>
                }
                .into_any()
            }
            Adding::Key { passkey } => view! {
                <div class="panel" role="group" aria-labelledby="add-method-title">
                    <h3 id="add-method-title" tabindex="-1" node_ref=heading>
                        {if passkey { "Add a passkey" } else { "Add a security key" }}
                    </h3>
                    <AddKey methods=methods passkey=passkey/>
                    <div class="actions">
                        <button type="button" class="button secondary" on:click=back>
                            <Icon kind=IconKind::Back/>
                            "Back"
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| close()>
                            "Cancel"
                        </button>
                    </div>
                </div>
            }
            .into_any(),
            Adding::Protect(link) => view! {
                <div class="panel" role="group" aria-labelledby="add-method-title">
                    <h3 id="add-method-title" tabindex="-1" node_ref=heading>
                        "Set up Protect push"
                    </h3>
                    <ProtectLink link=link/>
                    <div class="actions">
                        <button type="button" class="button primary" on:click=move |_| {
                            methods.reload_device();
                            methods.factors_changed();
                            close();
                        }>
                            "Done"
                        </button>
                    </div>
                </div>
            }
            .into_any(),
        }}
    }
}
