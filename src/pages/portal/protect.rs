//! `/security`'s "Protect push": the phone enrolled for push (its label,
//! type, system, app version, how it checks who holds it, when it was set
//! up and last seen) and its removal; or setting one up: a one-time link
//! shown as a QR code, with what to do on a new phone.

use leptos::prelude::*;
use portcullis_api::protect::{ProtectDevice, ProtectEnrollment};
use portcullis_api::ErrorCode;

use super::sessions::FactorsChanged;
use crate::api::{protect as calls, ApiError};
use crate::components::{FreshProof, ProtectLink};
use crate::text::verification_words;
use crate::when::{local_date, local_date_time};

/// A change to the device, kept to run again after a fresh proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Enroll,
    Remove,
}

#[component]
pub fn ProtectPush() -> impl IntoView {
    let changed = use_context::<FactorsChanged>();
    let device = RwSignal::new(None::<Result<Option<ProtectDevice>, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let _ = device.try_set(Some(calls::device().await));
        });
    };
    reload();
    let link = RwSignal::new(None::<ProtectEnrollment>);
    let confirming = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let need_proof = RwSignal::new(false);
    let pending = RwSignal::new(None::<Change>);
    let run = move |change: Change| {
        pending.set(Some(change));
        done.set(None);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = match change {
                Change::Enroll => calls::enroll_link().await.map(|l| {
                    let _ = link.try_set(Some(l));
                    None
                }),
                Change::Remove => calls::remove_device().await.map(|()| {
                    Some("Protect push removed: this phone no longer gets pushes.".to_string())
                }),
            };
            match answer {
                Ok(words) => {
                    let _ = pending.try_set(None);
                    let _ = confirming.try_set(false);
                    if let Some(w) = words {
                        let _ = done.try_set(Some(w));
                        if let Some(FactorsChanged(c)) = changed {
                            let _ = c.try_set(true);
                        }
                        reload();
                    }
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_proof.try_set(true);
                }
                Err(e) => {
                    let _ = pending.try_set(None);
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let finished = move |_| {
        link.set(None);
        reload();
        if let Some(FactorsChanged(c)) = changed {
            c.set(true);
        }
    };
    view! {
        <h2 id="protect-title">"Protect push"</h2>
        <div class="factor" role="group" aria-labelledby="protect-title">
            <p class="status-line" role="status" aria-live="polite">{move || done.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            <FreshProof
                id="protect-code"
                open=need_proof
                verb="Verify and continue"
                then=Callback::new(move |()| {
                    if let Some(c) = pending.get_untracked() {
                        run(c);
                    }
                })
                cancel=Callback::new(move |()| pending.set(None))
            />
            {move || match (device.get(), link.get()) {
                (_, Some(l)) => view! {
                    <div class="enroll-link">
                        <ProtectLink link=l/>
                        <button type="button" class="button primary" on:click=finished>"Done"</button>
                    </div>
                }
                .into_any(),
                (None, None) => view! { <p class="loading">"Loading…"</p> }.into_any(),
                (Some(Err(e)), None) => view! { <p>{e.user_message()}</p> }.into_any(),
                (Some(Ok(None)), None) => view! {
                    <p>
                        <span class="badge">"Not set up"</span>
                        " Approve logins with a tap on your phone, after checking the number the login page shows."
                    </p>
                    <button type="button" class="button secondary"
                        aria-busy=move || pending.get().is_some().to_string()
                        on:click=move |_| run(Change::Enroll)>
                        "Set up Protect push"
                    </button>
                }
                .into_any(),
                (Some(Ok(Some(d))), None) => {
                    let seen = d.last_seen_at.map_or("not yet".to_string(), local_date);
                    view! {
                        <p><span class="badge ok">"Active"</span> " Set up on " {local_date(d.enrolled_at)} "."</p>
                        {d.last_report.clone().map(|r| view! {
                            <div class="notice" role="region" aria-labelledby="report-title">
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
                                    " below; end any session you do not recognise."
                                </p>
                            </div>
                        })}
                        <dl class="facts">
                            <dt>"Display label"</dt><dd>{d.label.clone()}</dd>
                            <dt>"Device type"</dt><dd>{d.device_type.clone()}</dd>
                            <dt>"Device OS"</dt><dd>{d.os.clone()}</dd>
                            <dt>"App version"</dt><dd>{d.app_version.clone()}</dd>
                            <dt>"Authentication"</dt><dd>{verification_words(d.user_verification)}</dd>
                            <dt>"Last seen"</dt><dd>{seen}</dd>
                        </dl>
                        <Show
                            when=move || confirming.get()
                            fallback=move || view! {
                                <button type="button" class="button secondary" on:click=move |_| confirming.set(true)>
                                    "Remove…"
                                </button>
                            }
                        >
                            <div class="confirm" role="group" aria-labelledby="protect-confirm-title">
                                <h3 id="protect-confirm-title">"Remove Protect push?"</h3>
                                <p>"This phone stops getting pushes, and sessions it approved end."</p>
                                <div class="actions">
                                    <button type="button" class="button primary"
                                        aria-busy=move || pending.get().is_some().to_string()
                                        on:click=move |_| run(Change::Remove)>
                                        "Remove"
                                    </button>
                                    <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                                        "Cancel"
                                    </button>
                                </div>
                            </div>
                        </Show>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}
