//! `/admin/users/:id`: one user — their MFA status and requirement, each
//! factor, their sessions and recent events — and what an admin can do
//! about them. Every change is confirmed in words first ([`UserAction`]).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use portcullis_api::{AccountFilter, ErrorCode, MfaStatus, SetupLink, TemporaryAccess, UserDetail};

use super::status_look::{account_icon, status_icon};
use super::user_account::AccountSection;
use super::user_actions::{validity_words, UserAction};
use super::user_actions_menu::UserActionsMenu;
use super::user_groups::GroupsSection;
use super::user_sections::{FactorsSection, ProtectPane, RecentEvents, SessionsSection};
use super::user_view::{ConfirmPlace, Step, UserView};
use crate::api::{self, ApiError};
use crate::components::{FreshProof, Icon, IconKind};
use crate::paths::{EventsQuery, Page};
use crate::state::{use_toasts, PageTitle};
use crate::text::{check_period_days, mfa_status_label, role_label};
use crate::when::{local_date_time, since_text};

#[derive(Debug, Clone)]
enum Loaded {
    Waiting,
    Done,
    Failed(ApiError),
}

#[component]
pub fn UserPage(
    /// The user's id, from the path.
    id: String,
) -> impl IntoView {
    let detail = RwSignal::new(None::<UserDetail>);
    let loaded = RwSignal::new(Loaded::Waiting);
    let step = RwSignal::new(Step::Idle);
    provide_context(UserView { detail, step });
    let default_days = RwSignal::new(7u32);
    // A link from the list may ask for a confirmation at once (`?confirm=`,
    // see `admin_user_confirm_path`): only one that fits the user opens.
    let asked = use_query_map().with_untracked(|q| q.get("confirm"));
    {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let answer = api::admin::user(&id).await;
            let _ = loaded.try_set(match answer {
                Ok(d) => {
                    if asked.as_deref() == Some("reactivate") && d.user.suspended {
                        let _ = step.try_set(Step::Confirm(UserAction::Reactivate));
                    }
                    let _ = detail.try_set(Some(d));
                    Loaded::Done
                }
                Err(e) => Loaded::Failed(e),
            });
            // The organisation's default period fills the days field.
            if let Ok(s) = api::admin::settings().await {
                let _ = default_days.try_set(s.default_period_days);
            }
        });
    }

    view! {
        <PageTitle text=Page::AdminUser.title()/>
        <p class="back"><A href=Page::AdminUsers.path()><Icon kind=IconKind::Back/>" All users"</A></p>
        {move || match loaded.get() {
            Loaded::Waiting => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
            Loaded::Failed(e) => view! {
                <section class="card">
                    <h1>"User"</h1>
                    <p class="form-error" role="alert">{e.user_message()}</p>
                </section>
            }
            .into_any(),
            Loaded::Done => view! { <UserScreen id=id.clone() default_days=default_days/> }.into_any(),
        }}
    }
}

#[component]
fn UserScreen(id: String, default_days: RwSignal<u32>) -> impl IntoView {
    let view = expect_context::<UserView>();
    // What a change did: a toast (the page's heading takes the focus).
    let toasts = use_toasts();
    let failure = RwSignal::new(None::<String>);
    let need_code = RwSignal::new(false);
    let link = RwSignal::new(None::<SetupLink>);
    let code = RwSignal::new(None::<TemporaryAccess>);
    let heading = NodeRef::<leptos::html::H1>::new();
    let confirm_heading = NodeRef::<leptos::html::H2>::new();
    // What a confirmation asks besides the yes: the enrollment period of
    // Require and Reset MFA, how long a temporary access code works.
    let with_period = RwSignal::new(true);
    let period = RwSignal::new(String::new());
    Effect::new(move |_| period.set(default_days.get().to_string()));
    let period_problem = RwSignal::new(None::<String>);
    let tap_choice = RwSignal::new("once-1".to_string());
    // The action with what the confirmation asked filled in, or `None`
    // (and the problem shown) while the days typed are not a period.
    let completed = move |action: UserAction| -> Option<UserAction> {
        let filled = fill(
            action,
            with_period.get_untracked(),
            &period.get_untracked(),
            &tap_choice.get_untracked(),
        );
        period_problem.set(filled.as_ref().err().map(|m| m.to_string()));
        filled.ok()
    };
    let user = Memo::new(move |_| view.detail.with(|d| d.as_ref().map(|d| d.user.clone())));
    let name = move || {
        user.with(|u| {
            u.as_ref()
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        })
    };

    // The confirmation takes the focus, so keyboard and screen-reader users
    // land on what they must decide.
    Effect::new(move |_| {
        if matches!(view.step.get(), Step::Confirm(_)) {
            if let Some(h) = confirm_heading.get() {
                let _ = h.focus();
            }
        }
    });

    let run = {
        let id = id.clone();
        move |action: UserAction| {
            let id = id.clone();
            view.step.set(Step::Running(action.clone()));
            failure.set(None);
            toasts.clear();
            leptos::task::spawn_local(async move {
                let answer = action.run(&id).await;
                match answer {
                    Ok(done) => {
                        let d = done.detail;
                        let who = d.user.display_name.clone();
                        let _ = view.detail.try_set(Some(d));
                        let _ = link.try_set(done.link);
                        let _ = code.try_set(done.code);
                        toasts.show(action.done(&who));
                        let _ = view.step.try_set(Step::Idle);
                        if let Some(h) = heading.get_untracked() {
                            let _ = h.focus();
                        }
                    }
                    Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                        let _ = need_code.try_set(true);
                    }
                    Err(e) => {
                        let _ = failure.try_set(Some(e.user_message()));
                        let _ = view.step.try_set(Step::Confirm(action));
                    }
                }
            });
        }
    };
    let again = {
        let run = run.clone();
        Callback::new(move |()| {
            if let Step::Running(a) = view.step.get_untracked() {
                run(a);
            }
        })
    };
    let cancel = move || {
        view.step.set(Step::Idle);
        failure.set(None);
        need_code.set(false);
        period_problem.set(None);
    };
    let confirmation = {
        let run = run.clone();
        move || -> Option<AnyView> {
            let (action, running) = match view.step.get() {
                Step::Idle => return None,
                Step::Confirm(a) => (a, false),
                Step::Running(a) => (a, true),
            };
            let labels: Vec<String> = view.detail.with(|d| {
                d.iter()
                    .flat_map(|d| d.factors.iter().map(|f| f.label.clone()))
                    .collect()
            });
            let verb = action.verb();
            // The question follows the choices made in the confirmation.
            let question = {
                let action = action.clone();
                move || {
                    let shown = if running {
                        action.clone()
                    } else {
                        // (a period being typed keeps the last good one)
                        fill(
                            action.clone(),
                            with_period.get(),
                            &period.get(),
                            &tap_choice.get(),
                        )
                        .unwrap_or(action.clone())
                    };
                    shown.question(&name(), &labels)
                }
            };
            let asks_period = matches!(
                action,
                UserAction::Require { .. } | UserAction::Reset { .. }
            );
            let asks_validity = matches!(action, UserAction::TemporaryAccess { .. });
            let run = run.clone();
            // a second press while it runs does nothing
            let yes = move |_| {
                if !running {
                    if let Some(done) = completed(action.clone()) {
                        run(done);
                    }
                }
            };
            Some(view! {
                <div class="confirm" role="group" aria-labelledby="user-confirm-title">
                    <h2 id="user-confirm-title" tabindex="-1" node_ref=confirm_heading>"Confirm"</h2>
                    {asks_period.then(|| view! {
                        <PeriodFields with_period=with_period period=period problem=period_problem
                            disabled=running
                        />
                    })}
                    {asks_validity.then(|| view! {
                        <div class="field">
                            <label for="tap-validity">"The code works"</label>
                            <select id="tap-validity" bind:value=tap_choice disabled=running>
                                <option value="once-1">{validity_words(1, true)}</option>
                                <option value="1">{validity_words(1, false)}</option>
                                <option value="4">{validity_words(4, false)}</option>
                                <option value="8">{validity_words(8, false)}</option>
                            </select>
                        </div>
                    })}
                    <p>{question}</p>
                    <p class="form-error" role="alert">{move || failure.get()}</p>
                    <FreshProof id="user-code" open=need_code verb="Verify and continue" then=again
                        cancel=Callback::new(move |()| cancel())
                    />
                    <Show when=move || !need_code.get()>
                        <div class="actions">
                            <button type="button" class="button primary danger-ok"
                                aria-busy=running.to_string() on:click=yes.clone()
                            >
                                {verb}
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| cancel()>"Cancel"</button>
                        </div>
                    </Show>
                </div>
            }
            .into_any())
        }
    };
    // The same confirmation, in the one place its change belongs.
    let confirm_at = move |place: ConfirmPlace| {
        let confirmation = confirmation.clone();
        ViewFn::from(move || {
            (view.step.with(Step::place) == Some(place))
                .then(&confirmation)
                .flatten()
        })
    };

    let events_link = move || {
        user.with(|u| {
            u.as_ref().map(|u| {
                EventsQuery {
                    user: u.email.clone(),
                    ..Default::default()
                }
                .url()
            })
        })
    };

    view! {
        <section class="card user-detail" aria-labelledby="user-title">
            <div class="user-head">
                <div>
                    <h1 id="user-title" tabindex="-1" node_ref=heading>{name}</h1>
                    {move || user.get().map(|u| view! {
                        <p class="subtitle">{u.email.clone()}" · "{role_label(u.role)}</p>
                    })}
                </div>
                {move || view! { <UserActionsMenu default_days=default_days name=name()/> }}
            </div>
            {let top = confirm_at(ConfirmPlace::Top); move || top.run()}
            {move || link.get().map(|l| view! { <SetupLinkShown link=l name=name()/> })}
            {move || code.get().map(|c| view! { <CodeShown code=c name=name()/> })}
            <MfaSection/>
        </section>
        <FactorsSection confirm=confirm_at(ConfirmPlace::Factors)/>
        <ProtectPane/>
        <SessionsSection confirm=confirm_at(ConfirmPlace::Sessions)/>
        <GroupsSection id=id.clone()/>
        <AccountSection id=id.clone()/>
        <section class="card" aria-labelledby="recent-title">
            <h2 id="recent-title">"Recent events"</h2>
            <RecentEvents/>
            {move || events_link().map(|href| view! {
                <p><A href=href>"All events of this user"</A></p>
            })}
        </section>
    }
}

/// A setup link just made, shown this once to hand over.
#[component]
fn SetupLinkShown(link: SetupLink, name: String) -> impl IntoView {
    view! {
        <div class="setup-link" role="group" aria-labelledby="setup-link-title">
            <h2 id="setup-link-title">"Setup link"</h2>
            <p>
                "Give this link to "{name.clone()}" in person or by another channel you trust \
                 (it was emailed to them too). With it and their password they set up their \
                 first factor. It works once, until "{local_date_time(link.expires_at)}
                ", and is not shown again."
            </p>
            <label for="setup-link-url">"Setup link for "{name}</label>
            <input id="setup-link-url" type="text" readonly value=link.url
                on:focus=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    {
                        input.select();
                    }
                }
            />
        </div>
    }
}

/// A temporary access code just made, shown this once to hand over.
#[component]
fn CodeShown(code: TemporaryAccess, name: String) -> impl IntoView {
    let works = if code.one_time {
        "once, until "
    } else {
        "as often as needed until "
    };
    view! {
        <div class="setup-link" role="group" aria-labelledby="tap-title">
            <h2 id="tap-title">"Temporary access code"</h2>
            <p>
                "Give this code to "{name.clone()}" after checking it is them (a call back to a \
                 number you know, say). At the login they choose “Use a code from your helpdesk”, \
                 then set up a new factor. It works "
                {works}{local_date_time(code.expires_at)}
                ", and is not shown again."
            </p>
            <label for="tap-code">"Temporary access code for "{name}</label>
            <input id="tap-code" class="code-input" type="text" readonly value=code.code.clone()/>
        </div>
    }
}

/// Status and requirement, in words; a suspended or invited account says
/// so first, a suspended one with the way back beside it.
#[component]
fn MfaSection() -> impl IntoView {
    let view = expect_context::<UserView>();
    let user = Memo::new(move |_| view.detail.with(|d| d.as_ref().map(|d| d.user.clone())));
    let idle = move || matches!(view.step.get(), Step::Idle);
    let status_lines = move || {
        user.get().map(|u| {
            let deadline = match (u.mfa, u.deadline) {
                (MfaStatus::EnrollmentExpired, Some(d)) => {
                    Some(format!("Deadline passed on {}.", local_date_time(d)))
                }
                (_, Some(d)) => Some(format!("Deadline: {}.", local_date_time(d))),
                (MfaStatus::RequiredNoPeriod, None) => {
                    Some("No enrollment period: sets up MFA at the next login.".to_string())
                }
                _ => None,
            };
            let tap_until = view.detail.with(|d| d.as_ref().and_then(|d| d.temporary_access_until));
            let reminder = view.detail.with(|d| {
                d.as_ref()
                    .and_then(|d| d.reminder_sent_at)
                    .map(|t| format!("MFA email last sent {}.", local_date_time(t)))
            });
            let (icon, tone) = status_icon(u.mfa);
            let (suspended_icon, suspended_tone) = account_icon(AccountFilter::Suspended);
            let (invited_icon, invited_tone) = account_icon(AccountFilter::Invited);
            view! {
                {u.suspended.then(|| view! {
                    <div class=format!("account-state {suspended_tone}")>
                        <p class="status-line">
                            <span class="status-icon"><Icon kind=suspended_icon/></span>
                            <strong>"Suspended: "</strong>"cannot sign in until reactivated."
                        </p>
                        <button type="button" class="button secondary inline" disabled=move || !idle()
                            on:click=move |_| view.step.set(Step::Confirm(UserAction::Reactivate))
                        >
                            "Reactivate…"
                        </button>
                    </div>
                })}
                {u.invited.then(|| view! {
                    <p class=format!("status-line {invited_tone}")>
                        <span class="status-icon"><Icon kind=invited_icon/></span>
                        <strong>"Invited: "</strong>
                        "has not opened their invitation yet (no password chosen)."
                    </p>
                })}
                <p class=format!("status-line {tone}")>
                    <span class="status-icon"><Icon kind=icon/></span>
                    <strong>"MFA status: "</strong>{mfa_status_label(u.mfa)}
                </p>
                {tap_until.map(|t| view! {
                    <p>{format!("A temporary access code works until {}.", local_date_time(t))}</p>
                })}
                {deadline.map(|d| view! { <p>{d}</p> })}
                <p>"Last MFA use: "{since_text(u.last_mfa_at)}"."</p>
                {reminder.map(|r| view! { <p>{r}</p> })}
                {u.role.is_admin().then(|| view! {
                    <p class="hint">"Administrators always need MFA."</p>
                })}
            }
        })
    };
    view! {
        <section class="mfa-section" aria-labelledby="mfa-title">
            <h2 id="mfa-title">"Multi-factor authentication"</h2>
            {status_lines}
        </section>
    }
}

/// `action` with what its confirmation asks: the period (`with_period`,
/// the days typed) of Require and Reset MFA, the validity chosen for a
/// temporary access code (`once-<hours>` or `<hours>`).
fn fill(
    action: UserAction,
    with_period: bool,
    period: &str,
    validity: &str,
) -> Result<UserAction, &'static str> {
    let days = || {
        if with_period {
            check_period_days(period).map(Some)
        } else {
            Ok(None)
        }
    };
    Ok(match action {
        UserAction::Require { .. } => UserAction::Require { days: days()? },
        UserAction::Reset { .. } => UserAction::Reset { days: days()? },
        UserAction::TemporaryAccess { .. } => {
            let (hours, one_time) = match validity.strip_prefix("once-") {
                Some(h) => (h.parse().unwrap_or(1), true),
                None => (validity.parse().unwrap_or(1), false),
            };
            UserAction::TemporaryAccess { hours, one_time }
        }
        other => other,
    })
}

/// The enrollment period of a Require or Reset MFA: a number of days, or
/// none (at the next login).
#[component]
fn PeriodFields(
    with_period: RwSignal<bool>,
    period: RwSignal<String>,
    problem: RwSignal<Option<String>>,
    /// While the change runs.
    disabled: bool,
) -> impl IntoView {
    view! {
        <fieldset disabled=disabled>
            <legend>"Enrollment period"</legend>
            <label class="choice">
                <input type="radio" name="user-period"
                    prop:checked=move || with_period.get()
                    on:change=move |_| with_period.set(true)
                />
                "A number of days"
            </label>
            <div class="field days">
                <label for="user-days">"Days to set up MFA (1–365)"</label>
                <input id="user-days" type="text" inputmode="numeric" autocomplete="off"
                    bind:value=period
                    disabled=move || !with_period.get()
                    aria-invalid=move || problem.get().is_some().to_string()
                    aria-describedby="user-days-error"
                />
                <p id="user-days-error" class="field-error">{move || problem.get()}</p>
            </div>
            <label class="choice">
                <input type="radio" name="user-period"
                    prop:checked=move || !with_period.get()
                    on:change=move |_| with_period.set(false)
                />
                "None: at next login"
            </label>
        </fieldset>
    }
}
