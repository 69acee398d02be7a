//! The selection bar of the users list: once users are picked (or the
//! whole filter is chosen) it sticks to the bottom of the screen with
//! "3 selected", Require MFA, Reset MFA and Clear. An action first shows a
//! review in the bar: the server's preview in numbers and names, and the
//! enrollment period; then it runs, asking for a fresh code from the
//! authenticator app when the last one is too old, and says it is done in
//! a toast.

use leptos::prelude::*;
use portcullis_api::{BulkAction, BulkOutcome, BulkRequest, BulkTarget, ErrorCode, UserId};

use super::focus::focus_on;
use super::users_view::UsersView;
use crate::api;
use crate::components::{on_code_submit, CodeField};
use crate::state::use_toasts;
use crate::text::{bulk_names, bulk_sentence, check_period_days, users_count};

/// The table takes the focus back when the bar goes away.
const TABLE_ID: &str = "users-table";

/// Where the bar is with an action.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Offering the actions.
    Choose,
    /// The server's preview, waiting for the period and the admin's yes.
    Review {
        req: BulkRequest,
        preview: BulkOutcome,
        /// The server wants a fresh second factor first.
        need_code: bool,
    },
}

fn action_name(a: BulkAction) -> &'static str {
    match a {
        BulkAction::Require => "Require MFA",
        BulkAction::Reset => "Reset MFA",
    }
}

/// The id of the bar's button for an action (the focus returns there when
/// its review is cancelled).
fn button_id(a: BulkAction) -> &'static str {
    match a {
        BulkAction::Require => "bar-require",
        BulkAction::Reset => "bar-reset",
    }
}

#[component]
pub fn SelectionBar() -> impl IntoView {
    let view = expect_context::<UsersView>();
    let toasts = use_toasts();
    let with_period = RwSignal::new(true);
    let period = RwSignal::new("7".to_string());
    // The organisation's default period, once known (unless already edited).
    leptos::task::spawn_local(async move {
        if let Ok(s) = api::admin::settings().await {
            if period.try_get_untracked().as_deref() == Some("7") {
                let _ = period.try_set(s.default_period_days.to_string());
            }
        }
    });
    let period_problem = RwSignal::new(None::<String>);
    let step = RwSignal::new(Step::Choose);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let (code_problem, set_code_problem) = signal(None::<String>);
    let review_heading = NodeRef::<leptos::html::H2>::new();

    let active = move || view.whole_filter.get() || view.picked.with(|p| !p.is_empty());
    let choosing = move || matches!(step.get(), Step::Choose);
    // The review takes the focus when it opens, so that keyboard and
    // screen-reader users land on what they must decide.
    Effect::new(move |_| {
        if matches!(step.get(), Step::Review { .. }) {
            if let Some(h) = review_heading.get() {
                let _ = h.focus();
            }
        }
    });
    // Nothing picked any more (e.g. the last box unticked): no review left
    // open for nobody.
    Effect::new(move |_| {
        if !active() {
            step.set(Step::Choose);
            failure.set(None);
        }
    });

    let count_text = move || {
        if view.whole_filter.get() {
            if view.query.with(|q| q.is_filtered()) {
                "All users matching the filter (on every page)".to_string()
            } else {
                "Every user (no filter is applied)".to_string()
            }
        } else {
            format!("{} selected", view.picked.with(Vec::len))
        }
    };

    // Asks the server what the action would do (the period changes no
    // number of it, so the preview asks with none).
    let review = move |action: BulkAction| {
        if busy.get_untracked() {
            return;
        }
        toasts.clear();
        failure.set(None);
        period_problem.set(None);
        let target = if view.whole_filter.get_untracked() {
            BulkTarget::Filter(view.query.with_untracked(|q| q.filter()))
        } else {
            let ids: Vec<UserId> = view
                .picked
                .with_untracked(|p| p.iter().map(|x| UserId(x.id.clone())).collect());
            BulkTarget::Ids(ids)
        };
        let req = BulkRequest {
            action,
            period_days: None,
            target,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::admin::bulk_preview(&req).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(preview) => {
                    let _ = step.try_set(Step::Review {
                        req,
                        preview,
                        need_code: false,
                    });
                }
                Err(e) => {
                    let _ = failure.try_set(Some(e.user_message()));
                }
            }
        });
    };

    let clear = move |_| {
        view.picked.update(Vec::clear);
        view.whole_filter.set(false);
        step.set(Step::Choose);
        failure.set(None);
        focus_on(TABLE_ID.to_string());
    };

    // Runs the confirmed action; `fresh_code` proves the second factor
    // first when the server asked for it.
    let run = move |req: BulkRequest, preview: BulkOutcome, fresh_code: Option<String>| {
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            if let Some(c) = fresh_code {
                if let Err(e) = api::verify_mfa(&c).await {
                    let _ = busy.try_set(false);
                    let _ = set_code_problem.try_set(Some(e.user_message()));
                    return;
                }
                let _ = code.try_set(String::new());
            }
            let answer = api::admin::bulk_apply(&req).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(done) => {
                    toasts.show(format!(
                        "{}: {}",
                        action_name(req.action),
                        bulk_sentence(req.action, &done, true)
                    ));
                    // (the `try_` forms: the admin may have left the screen)
                    let _ = step.try_set(Step::Choose);
                    let _ = view.picked.try_update(Vec::clear);
                    let _ = view.whole_filter.try_set(false);
                    let _ = view.reload.try_update(|n| *n = n.wrapping_add(1));
                    focus_on(TABLE_ID.to_string());
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = step.try_set(Step::Review {
                        req,
                        preview,
                        need_code: true,
                    });
                }
                Err(e) => {
                    let _ = failure.try_set(Some(e.user_message()));
                }
            }
        });
    };

    // The period as chosen in the review, or its problem shown.
    let chosen_period = move || -> Option<Option<u32>> {
        if !with_period.get_untracked() {
            period_problem.set(None);
            return Some(None);
        }
        match check_period_days(&period.get_untracked()) {
            Ok(n) => {
                period_problem.set(None);
                Some(Some(n))
            }
            Err(m) => {
                period_problem.set(Some(m.to_string()));
                None
            }
        }
    };

    let cancel = move |_| {
        if let Step::Review { req, .. } = step.get_untracked() {
            focus_on(button_id(req.action).to_string());
        }
        step.set(Step::Choose);
        failure.set(None);
        period_problem.set(None);
    };

    let review_panel = move || match step.get() {
        Step::Choose => None,
        Step::Review {
            req,
            preview,
            need_code,
        } => {
            let title = format!("Confirm: {}", action_name(req.action));
            let sentence = bulk_sentence(req.action, &preview, false);
            let whom = bulk_names(&preview.names, preview.changed);
            let skipped = preview.skipped.clone();
            let changes = preview.changed > 0;
            let apply_label = format!(
                "{} for {}",
                action_name(req.action),
                users_count(preview.changed)
            );
            let on_apply = {
                let (req, preview) = (req.clone(), preview.clone());
                move |_| {
                    if busy.get_untracked() {
                        return;
                    }
                    if let Some(period_days) = chosen_period() {
                        let req = BulkRequest {
                            period_days,
                            ..req.clone()
                        };
                        run(req, preview.clone(), None);
                    }
                }
            };
            let on_code = on_code_submit(
                code,
                set_code_problem,
                move || busy.get_untracked(),
                move |c| {
                    if let Step::Review { req, preview, .. } = step.get_untracked() {
                        // (the period was checked before the server asked)
                        if let Some(period_days) = chosen_period() {
                            run(BulkRequest { period_days, ..req }, preview, Some(c));
                        }
                    }
                },
            );
            Some(view! {
                <div class="confirm review" role="group" aria-labelledby="bulk-review-title">
                    <h2 id="bulk-review-title" tabindex="-1" node_ref=review_heading>{title}</h2>
                    <p class="status-line">{sentence}</p>
                    {(!whom.is_empty()).then(|| view! { <p class="whom">{whom}</p> })}
                    {(!skipped.is_empty()).then(|| view! {
                        <p>{format!("Left unchanged: {}.", users_count(skipped.len() as u32))}</p>
                        <ul class="skipped">
                            {skipped.into_iter().map(|s| view! {
                                <li>{s.email}": "{s.reason}</li>
                            }).collect_view()}
                        </ul>
                    })}
                    {changes.then(|| view! {
                        <fieldset disabled=move || need_code || busy.get()>
                            <legend>"Enrollment period"</legend>
                            <label class="choice">
                                <input type="radio" name="bulk-period"
                                    prop:checked=move || with_period.get()
                                    on:change=move |_| with_period.set(true)
                                />
                                "A number of days"
                            </label>
                            <div class="field days">
                                <label for="bulk-days">"Days to set up MFA (1–365)"</label>
                                <input id="bulk-days" type="text" inputmode="numeric" autocomplete="off"
                                    bind:value=period
                                    disabled=move || !with_period.get()
                                    aria-invalid=move || period_problem.get().is_some().to_string()
                                    aria-describedby="bulk-days-error"
                                />
                                <p id="bulk-days-error" class="field-error">{move || period_problem.get()}</p>
                            </div>
                            <label class="choice">
                                <input type="radio" name="bulk-period"
                                    prop:checked=move || !with_period.get()
                                    on:change=move |_| with_period.set(false)
                                />
                                "None: at next login"
                            </label>
                        </fieldset>
                    })}
                    {if need_code {
                        view! {
                            <form on:submit=on_code>
                                <p>"This change needs a fresh confirmation that it’s you."</p>
                                <CodeField
                                    id="bulk-code"
                                    label="Code from your authenticator app"
                                    value=code
                                    error=code_problem
                                    autofocus=true
                                />
                                <div class="actions">
                                    <button type="submit" class="button primary" aria-busy=move || busy.get().to_string()>
                                        "Verify and apply"
                                    </button>
                                    <button type="button" class="button secondary" on:click=cancel>"Cancel"</button>
                                </div>
                            </form>
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="actions">
                                {changes.then(|| view! {
                                    <button type="button" class="button primary"
                                        aria-busy=move || busy.get().to_string()
                                        on:click=on_apply
                                    >
                                        {apply_label.clone()}
                                    </button>
                                })}
                                <button type="button" class="button secondary" on:click=cancel>"Cancel"</button>
                            </div>
                        }
                        .into_any()
                    }}
                </div>
            })
        }
    };

    view! {
        // A region, so that a screen reader's list of landmarks finds it;
        // its count is said as it changes.
        <section class="selection-bar" aria-label="Selected users" hidden=move || !active()>
            {review_panel}
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <div class="bar-row">
                <p class="bar-count" role="status">{count_text}</p>
                <Show when=choosing>
                    <div class="bar-actions">
                        <button type="button" id=button_id(BulkAction::Require) class="button primary"
                            aria-busy=move || busy.get().to_string()
                            on:click=move |_| review(BulkAction::Require)
                        >
                            "Require MFA"
                        </button>
                        <button type="button" id=button_id(BulkAction::Reset) class="button secondary"
                            aria-busy=move || busy.get().to_string()
                            on:click=move |_| review(BulkAction::Reset)
                        >
                            "Reset MFA"
                        </button>
                        <button type="button" class="button secondary" on:click=clear>
                            "Clear"
                            <span class="visually-hidden">" the selection"</span>
                        </button>
                    </div>
                </Show>
            </div>
        </section>
    }
}
