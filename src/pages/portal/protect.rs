//! The Protect phone's row among the sign-in methods (its label, type,
//! system, app version, how it checks who holds it, when it was set up and
//! last seen, a push reported as not yours), "Move to a new phone" and
//! removal; and starting a Protect setup, which shows a one-time link as a
//! QR code in the panel under the list (`methods_add.rs`).

use leptos::prelude::*;
use portcullis_api::protect::ProtectDevice;

use super::methods_state::{Adding, Methods};
use crate::api::protect as calls;
use crate::components::{ActionsMenu, FreshProof, Icon, IconKind, ProofNeeded};
use crate::text::verification_words;
use crate::when::{local_date, local_date_time};

/// Asks the server for a one-time Protect link (a first phone, or a new
/// one that replaces the current) and shows it in the panel; a fresh
/// proof first if the server wants one (asked through `proof`).
pub fn start_protect(methods: Methods, proof: ProofNeeded, busy: RwSignal<bool>) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    methods.starting();
    leptos::task::spawn_local(async move {
        let answer = calls::enroll_link().await;
        let _ = busy.try_set(false);
        match answer {
            Ok(link) => {
                let _ = methods.adding.try_set(Adding::Protect(link));
            }
            Err(e)
                if proof.asks(
                    &e,
                    Callback::new(move |()| start_protect(methods, proof, busy)),
                ) => {}
            Err(e) => methods.failed(e.user_message()),
        }
    });
}

/// What the row shows below the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowMode {
    Plain,
    /// "Move to a new phone": asking for a fresh proof before the link.
    Moving,
    ConfirmingRemoval,
}

#[component]
pub fn ProtectRow(device: ProtectDevice, methods: Methods) -> impl IntoView {
    let mode = RwSignal::new(RowMode::Plain);
    let busy = RwSignal::new(false);
    let move_proof = ProofNeeded::new();
    let remove_proof = ProofNeeded::new();
    let remove = move || {
        fn run(
            methods: Methods,
            proof: ProofNeeded,
            busy: RwSignal<bool>,
            mode: RwSignal<RowMode>,
        ) {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            methods.starting();
            leptos::task::spawn_local(async move {
                let answer = calls::remove_device().await;
                let _ = busy.try_set(false);
                match answer {
                    Ok(()) => {
                        let _ = mode.try_set(RowMode::Plain);
                        methods.done(
                            "Protect push removed: this phone no longer gets pushes.".to_string(),
                        );
                        methods.factors_changed();
                        methods.reload_device();
                    }
                    Err(e)
                        if proof
                            .asks(&e, Callback::new(move |()| run(methods, proof, busy, mode))) => {
                    }
                    Err(e) => {
                        let _ = mode.try_set(RowMode::Plain);
                        methods.failed(e.user_message());
                    }
                }
            });
        }
        run(methods, remove_proof, busy, mode);
    };
    let seen = device.last_seen_at.map_or("not seen yet".to_string(), |t| {
        format!("last seen {}", local_date(t))
    });
    let label = device.label.clone();
    view! {
        <li class="row method">
            <div class="method-name">
                <Icon kind=IconKind::Phone/>
                <strong>{device.label.clone()}</strong>
                <span class="badge">"Protect phone"</span>
            </div>
            <ActionsMenu label=format!("Actions for {label}")>
                <button type="button" class="menu-item" on:click=move |_| {
                    mode.set(RowMode::Moving);
                    start_protect(methods, move_proof, busy);
                }>
                    "Move to a new phone"
                </button>
                <button type="button" class="menu-item" on:click=move |_| mode.set(RowMode::ConfirmingRemoval)>
                    "Remove…"
                </button>
            </ActionsMenu>
            <p class="hint">
                {format!(
                    "Added {} · {} · {}, {}, Protect {} · {}",
                    local_date(device.enrolled_at),
                    seen,
                    device.device_type,
                    device.os,
                    device.app_version,
                    verification_words(device.user_verification),
                )}
            </p>
            {device.last_report.clone().map(|r| view! {
                <div class="alert warning" role="region" aria-labelledby="report-title">
                    <Icon kind=IconKind::Warning/>
                    <div>
                        <h3 id="report-title">"A push was reported as not yours"</h3>
                        <p>
                            {format!(
                                "On {}, a push for the {} from {} ({}) was reported on this phone as not \
                                 yours. Pushes were paused until {}, and your administrators were told.",
                                local_date_time(r.reported_at),
                                r.resource,
                                r.ip,
                                r.browser,
                                local_date_time(r.muted_until)
                            )}
                        </p>
                        <p>
                            "Someone may know your password: change it, and check "
                            <a href="#sessions-title">"where you’re signed in"</a>
                            " below; sign out any session you do not recognise."
                        </p>
                    </div>
                </div>
            })}
            <Show when=move || mode.get() == RowMode::Moving && move_proof.open.get()>
                <div class="confirm" role="group" aria-labelledby="protect-move-title">
                    <h3 id="protect-move-title">"Move to a new phone"</h3>
                    <FreshProof
                        id="protect-move-code"
                        open=move_proof.open
                        verb="Verify and continue"
                        then=Callback::new(move |()| move_proof.run_again())
                        cancel=Callback::new(move |()| {
                            move_proof.forget();
                            mode.set(RowMode::Plain);
                        })
                    />
                </div>
            </Show>
            <Show when=move || mode.get() == RowMode::ConfirmingRemoval>
                <div class="confirm" role="group" aria-labelledby="protect-confirm-title">
                    <h3 id="protect-confirm-title">"Remove Protect push?"</h3>
                    <p>"This phone stops getting pushes, and sessions it approved end."</p>
                    <FreshProof
                        id="protect-remove-code"
                        open=remove_proof.open
                        verb="Verify and remove"
                        then=Callback::new(move |()| remove_proof.run_again())
                        cancel=Callback::new(move |()| {
                            remove_proof.forget();
                            mode.set(RowMode::Plain);
                        })
                    />
                    <Show when=move || !remove_proof.open.get()>
                        <div class="actions">
                            <button type="button" class="button danger"
                                aria-busy=move || busy.get().to_string()
                                on:click=move |_| remove()>
                                "Remove"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| mode.set(RowMode::Plain)>
                                "Cancel"
                            </button>
                        </div>
                    </Show>
                </div>
            </Show>
        </li>
    }
}
