//! Bulk Require MFA / Reset MFA: for the picked users or for every user the
//! filter matches. The server says first what the action will do (preview);
//! the admin confirms; then it runs, asking for a fresh code from the
//! authenticator app when the last one is too old.

use leptos::prelude::*;
use portcullis_api::{BulkAction, BulkOutcome, BulkRequest, BulkTarget, ErrorCode, UserId};

use super::users_view::UsersView;
use crate::api;
use crate::components::{on_code_submit, CodeField};
use crate::text::{bulk_sentence, check_period_days, users_count};

/// Where the bulk form is.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Choosing the action and its period.
    Choose,
    /// The server's preview, waiting for the admin's yes.
    Confirm {
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

#[component]
pub fn BulkPanel() -> impl IntoView {
    let view = expect_context::<UsersView>();
    let action = RwSignal::new(BulkAction::Require);
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
    let outcome = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let (code_problem, set_code_problem) = signal(None::<String>);
    let confirm_heading = NodeRef::<leptos::html::H3>::new();
    let panel_heading = NodeRef::<leptos::html::H2>::new();

    // The confirmation takes the focus when it opens, so that keyboard and
    // screen-reader users land on what they must decide.
    Effect::new(move |_| {
        if matches!(step.get(), Step::Confirm { .. }) {
            if let Some(h) = confirm_heading.get() {
                let _ = h.focus();
            }
        }
    });

    let target_text = move || {
        if view.whole_filter.get() {
            if view.query.with(|q| q.is_filtered()) {
                "For every user matching the filter (on every page).".to_string()
            } else {
                "For every user (no filter is applied).".to_string()
            }
        } else {
            match view.picked.with(|p| p.len()) {
                0 => "No user selected: select users in the table, or choose to act on all users matching the filter.".to_string(),
                n => format!("For the {} selected.", users_count(n as u32)),
            }
        }
    };

    let review = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        failure.set(None);
        outcome.set(String::new());
        let period_days = if with_period.get_untracked() {
            match check_period_days(&period.get_untracked()) {
                Ok(n) => Some(n),
                Err(m) => {
                    period_problem.set(Some(m.to_string()));
                    return;
                }
            }
        } else {
            None
        };
        period_problem.set(None);
        let target = if view.whole_filter.get_untracked() {
            BulkTarget::Filter(view.query.with_untracked(|q| q.filter()))
        } else {
            let ids: Vec<UserId> = view
                .picked
                .with_untracked(|p| p.iter().map(|x| UserId(x.id.clone())).collect());
            if ids.is_empty() {
                failure.set(Some(
                    "Select at least one user, or choose to act on all users matching the filter."
                        .to_string(),
                ));
                return;
            }
            BulkTarget::Ids(ids)
        };
        let req = BulkRequest {
            action: action.get_untracked(),
            period_days,
            target,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::admin::bulk_preview(&req).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(preview) => {
                    let _ = step.try_set(Step::Confirm {
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
                    let _ = outcome.try_set(format!(
                        "{}: {}",
                        action_name(req.action),
                        bulk_sentence(req.action, &done, true)
                    ));
                    let _ = step.try_set(Step::Choose);
                    // (the `try_` forms: the admin may have left the screen)
                    let _ = view.picked.try_update(|p| p.clear());
                    let _ = view.whole_filter.try_set(false);
                    let _ = view.reload.try_update(|n| *n = n.wrapping_add(1));
                    if let Some(h) = panel_heading.get_untracked() {
                        let _ = h.focus();
                    }
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = step.try_set(Step::Confirm {
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

    let cancel = move |_| {
        step.set(Step::Choose);
        failure.set(None);
    };

    let confirmation = move || match step.get() {
        Step::Choose => None,
        Step::Confirm {
            req,
            preview,
            need_code,
        } => {
            let title = format!("Confirm: {}", action_name(req.action));
            let sentence = bulk_sentence(req.action, &preview, false);
            let period = match req.period_days {
                Some(d) => format!("Enrollment period: {}.", crate::text::days(d)),
                None => "No enrollment period: they set up MFA at their next login.".to_string(),
            };
            let skipped = preview.skipped.clone();
            let changes = preview.changed > 0;
            let apply_label = format!(
                "{} for {}",
                action_name(req.action),
                users_count(preview.changed)
            );
            let on_apply = {
                let (req, preview) = (req.clone(), preview.clone());
                move |_| run(req.clone(), preview.clone(), None)
            };
            let on_code = on_code_submit(
                code,
                set_code_problem,
                move || busy.get_untracked(),
                move |c| {
                    if let Step::Confirm { req, preview, .. } = step.get_untracked() {
                        run(req, preview, Some(c));
                    }
                },
            );
            Some(view! {
                <div class="confirm" role="group" aria-labelledby="confirm-title">
                    <h3 id="confirm-title" tabindex="-1" node_ref=confirm_heading>{title}</h3>
                    <p class="status-line">{sentence}</p>
                    {changes.then(|| view! { <p>{period}</p> })}
                    {(!skipped.is_empty()).then(|| view! {
                        <p>{format!("Left unchanged: {}.", users_count(skipped.len() as u32))}</p>
                        <ul class="skipped">
                            {skipped.into_iter().map(|s| view! {
                                <li>{s.email}": "{s.reason}</li>
                            }).collect_view()}
                        </ul>
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

    let choosing = move || matches!(step.get(), Step::Choose);

    view! {
        <section class="card bulk" aria-labelledby="bulk-title">
            <h2 id="bulk-title" tabindex="-1" node_ref=panel_heading>"Bulk action"</h2>
            <p>{target_text}</p>
            <form novalidate on:submit=review>
                <fieldset disabled=move || !choosing()>
                    <legend>"Action"</legend>
                    <label class="choice">
                        <input type="radio" name="bulk-action"
                            prop:checked=move || action.get() == BulkAction::Require
                            on:change=move |_| action.set(BulkAction::Require)
                        />
                        "Require MFA"
                    </label>
                    <label class="choice">
                        <input type="radio" name="bulk-action"
                            prop:checked=move || action.get() == BulkAction::Reset
                            on:change=move |_| action.set(BulkAction::Reset)
                        />
                        "Reset MFA (removes their factors)"
                    </label>
                </fieldset>
                <fieldset disabled=move || !choosing()>
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
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || !choosing()
                        aria-busy=move || (busy.get() && choosing()).to_string()
                    >
                        "Review…"
                    </button>
                </div>
            </form>
            {confirmation}
            <p class="outcome" role="status" aria-live="polite">{move || outcome.get()}</p>
        </section>
    }
}
