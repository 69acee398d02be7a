//! The lists of the user details page: factors, sessions, recent events.

use leptos::prelude::*;
use portcullis_api::{AdminSession, FactorKind};

use super::events::{EventRow, EventsHead};
use super::user_actions::UserAction;
use super::user_view::{Step, UserView};
use crate::components::{Icon, IconKind};
use crate::text::{browser_in_words, verification_words};
use crate::when::{local_date_time, since_text};

#[component]
pub fn FactorsSection(
    /// The confirmation of a factor's removal, shown below the list.
    confirm: ViewFn,
) -> impl IntoView {
    let view = expect_context::<UserView>();
    let factors = move || {
        view.detail
            .with(|d| d.as_ref().map(|d| d.factors.clone()).unwrap_or_default())
    };
    let idle = move || matches!(view.step.get(), Step::Idle);
    view! {
        <section class="card" aria-labelledby="factors-title">
            <h2 id="factors-title">"Factors"</h2>
            {move || {
                let list = factors();
                if list.is_empty() {
                    return view! { <p>"No factor is set up."</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="users">
                            <caption class="visually-hidden">"Factors set up"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Factor"</th>
                                    <th scope="col">"Added"</th>
                                    <th scope="col">"Last used"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|f| {
                                    let action = UserAction::RemoveFactor {
                                        id: f.id.clone(),
                                        label: f.label.clone(),
                                    };
                                    view! {
                                        <tr>
                                            <td class="factor-name">
                                                <span class="status-icon"><Icon kind=IconKind::of_factor(f.kind)/></span>
                                                {f.label.clone()}
                                                // A name the user gave (a key's) says nothing of its kind.
                                                {(f.label != f.kind.label()).then(|| view! {
                                                    <span class="badge">{f.kind.label()}</span>
                                                })}
                                            </td>
                                            <td>{local_date_time(f.added_at)}</td>
                                            <td>{since_text(f.last_used_at)}</td>
                                            <td>
                                                <button type="button" class="button secondary inline"
                                                    disabled=move || !idle()
                                                    on:click=move |_| view.step.set(Step::Confirm(action.clone()))
                                                >
                                                    "Remove…"
                                                    <span class="visually-hidden">{format!(" {}", f.label)}</span>
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {move || confirm.run()}
        </section>
    }
}

/// The user's Protect device, as the phone reported it at enrollment, and
/// its deletion (the removal of the push factor, confirmed first).
#[component]
pub fn ProtectPane() -> impl IntoView {
    let view = expect_context::<UserView>();
    let idle = move || matches!(view.step.get(), Step::Idle);
    let device = move || {
        view.detail.with(|d| {
            d.as_ref().map(|d| {
                let factor = d
                    .factors
                    .iter()
                    .find(|f| f.kind == FactorKind::Push)
                    .map(|f| (f.id.clone(), f.label.clone()));
                (d.protect_device.clone(), factor)
            })
        })
    };
    view! {
        <section class="card" aria-labelledby="protect-pane-title">
            <h2 id="protect-pane-title">"Protect push"</h2>
            {move || match device() {
                None => ().into_any(),
                Some((None, _)) => view! {
                    <p>"This user has not enrolled a device in Protect push."</p>
                }
                .into_any(),
                Some((Some(d), factor)) => view! {
                    <dl class="facts">
                        <dt>"Display Label"</dt><dd>{d.label.clone()}</dd>
                        <dt>"Device Type"</dt><dd>{d.device_type.clone()}</dd>
                        <dt>"Device OS"</dt><dd>{d.os.clone()}</dd>
                        <dt>"App Version"</dt><dd>{d.app_version.clone()}</dd>
                        <dt>"Authentication"</dt><dd>{verification_words(d.user_verification)}</dd>
                        <dt>"Enrolled"</dt><dd>{local_date_time(d.enrolled_at)}</dd>
                    </dl>
                    {factor.map(|(id, label)| {
                        let action = UserAction::RemoveFactor { id, label };
                        view! {
                            <button type="button" class="button secondary inline"
                                disabled=move || !idle()
                                on:click=move |_| view.step.set(Step::Confirm(action.clone()))
                            >
                                "Delete device…"
                            </button>
                        }
                    })}
                }
                .into_any(),
            }}
        </section>
    }
}

fn session_state(s: &AdminSession) -> String {
    if !s.signed_in {
        return "Login in progress".to_string();
    }
    if s.methods.iter().any(|m| m != "pwd") {
        "Signed in with MFA".to_string()
    } else {
        "Signed in with a password".to_string()
    }
}

#[component]
pub fn SessionsSection(
    /// The confirmation of ending the sessions, shown below the list.
    confirm: ViewFn,
) -> impl IntoView {
    let view = expect_context::<UserView>();
    let sessions = move || {
        view.detail
            .with(|d| d.as_ref().map(|d| d.sessions.clone()).unwrap_or_default())
    };
    let idle = move || matches!(view.step.get(), Step::Idle);
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Active sessions"</h2>
            {move || {
                let list = sessions();
                if list.is_empty() {
                    return view! { <p>"No active session."</p> }.into_any();
                }
                let count = list.len();
                view! {
                    <div class="table-wrap">
                        <table class="users">
                            <caption class="visually-hidden">"Active sessions, newest first"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Browser"</th>
                                    <th scope="col">"IP address"</th>
                                    <th scope="col">"Started"</th>
                                    <th scope="col">"Last seen"</th>
                                    <th scope="col">"State"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|s| view! {
                                    <tr>
                                        <td>{browser_in_words(&s.user_agent)}</td>
                                        <td>{s.client_ip.clone()}</td>
                                        <td>{local_date_time(s.started_at)}</td>
                                        <td>{local_date_time(s.last_seen_at)}</td>
                                        <td>{session_state(&s)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="actions">
                        <button type="button" class="button secondary inline"
                            disabled=move || !idle()
                            on:click=move |_| view.step.set(Step::Confirm(UserAction::EndSessions { count }))
                        >
                            "End all sessions…"
                        </button>
                    </div>
                }
                .into_any()
            }}
            {move || confirm.run()}
        </section>
    }
}

#[component]
pub fn RecentEvents() -> impl IntoView {
    let view = expect_context::<UserView>();
    let events = move || {
        view.detail
            .with(|d| d.as_ref().map(|d| d.events.clone()).unwrap_or_default())
    };
    move || {
        let list = events();
        if list.is_empty() {
            return view! { <p>"No events yet."</p> }.into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="users events">
                    <caption class="visually-hidden">"The user’s latest events, newest first"</caption>
                    <EventsHead/>
                    <tbody>
                        {list.into_iter().map(|e| view! { <EventRow event=e/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    }
}
