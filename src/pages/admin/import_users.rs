//! "Import users" on `/admin/users`: choose a CSV file, see what it would
//! do (every bad row's line and problem in words), then import all of it,
//! or only its valid rows. The server judges the file; this screen reads it
//! and shows the answer.

use leptos::prelude::*;
use portcullis_api::{ErrorCode, ImportReport, UserImport};
use wasm_bindgen::JsCast;

use super::users_view::UsersView;
use crate::api;
use crate::components::FreshProof;
use crate::text::users_count;

/// Problems listed on screen; the rest are counted (the file is fixed and
/// chosen again anyway).
const SHOWN_PROBLEMS: usize = 100;
/// The largest file the server takes, in bytes (its body limit, roughly).
const MAX_BYTES: f64 = 7.5 * 1024.0 * 1024.0;

/// What the form shows.
#[derive(Clone, PartialEq)]
enum Step {
    /// No file chosen yet.
    Choose,
    /// Reading the file or waiting for the preview.
    Reading,
    /// The preview of the file, ready to import (or not).
    Previewed(String, ImportReport),
}

/// The text of the chosen file.
async fn read_file(input: &web_sys::HtmlInputElement) -> Result<String, String> {
    let file = input
        .files()
        .and_then(|f| f.get(0))
        .ok_or_else(|| "Choose a CSV file.".to_string())?;
    if file.size() > MAX_BYTES {
        return Err(
            "The file is larger than 7.5 MB. Split it into files of at most 10,000 \
                    rows."
                .into(),
        );
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| "The file could not be read. Choose it again.".to_string())?;
    text.as_string()
        .ok_or_else(|| "The file could not be read. Choose it again.".to_string())
}

fn rows_word(n: u32) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{n} rows")
    }
}

fn summary(r: &ImportReport) -> String {
    let bad = r.problems.len();
    let mut s = format!(
        "The file has {}: {} ready to import",
        rows_word(r.rows),
        r.ready
    );
    if bad > 0 {
        s.push_str(&format!(", {bad} with problems"));
    }
    s.push('.');
    if !r.new_groups.is_empty() {
        s.push_str(&format!(
            " New groups it makes: {}.",
            r.new_groups.join(", ")
        ));
    }
    s
}

#[component]
pub fn ImportUsers() -> impl IntoView {
    let view = expect_context::<UsersView>();
    let open = RwSignal::new(false);
    let step = RwSignal::new(Step::Choose);
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let need_code = RwSignal::new(false);
    // Whether the pending import leaves the bad rows out (for a retry
    // after a fresh second factor).
    let valid_only = RwSignal::new(false);
    let file_input = NodeRef::<leptos::html::Input>::new();
    // Where the focus goes once the form closes after an import.
    let toggle = NodeRef::<leptos::html::Button>::new();

    let on_file = move |_| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        let input: web_sys::HtmlInputElement = input.unchecked_into();
        step.set(Step::Reading);
        problem.set(None);
        done.set(None);
        leptos::task::spawn_local(async move {
            let text = match read_file(&input).await {
                Ok(t) => t,
                Err(p) => {
                    let _ = problem.try_set(Some(p));
                    let _ = step.try_set(Step::Choose);
                    return;
                }
            };
            let body = UserImport {
                csv: text.clone(),
                valid_rows_only: false,
            };
            match api::admin::import_preview(&body).await {
                Ok(report) => {
                    let _ = step.try_set(Step::Previewed(text, report));
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                    let _ = step.try_set(Step::Choose);
                }
            }
        });
    };

    let run = move || {
        let Step::Previewed(text, _) = step.get_untracked() else {
            return;
        };
        let body = UserImport {
            csv: text,
            valid_rows_only: valid_only.get_untracked(),
        };
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            match api::admin::import_users(&body).await {
                Ok(report) => {
                    let _ = done.try_set(Some(format!(
                        "Imported {}. Each was emailed an invitation; its link works once.",
                        users_count(report.imported)
                    )));
                    let _ = step.try_set(Step::Choose);
                    let _ = open.try_set(false);
                    if let Some(b) = toggle.get_untracked() {
                        let _ = b.focus();
                    }
                    view.reload.update(|n| *n = n.wrapping_add(1));
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_code.try_set(true);
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let import = move |only_valid: bool| {
        if busy.get_untracked() {
            return;
        }
        valid_only.set(only_valid);
        run();
    };
    let again = Callback::new(move |()| run());

    let preview = move || {
        let Step::Previewed(_, report) = step.get() else {
            return None;
        };
        if let Some(file_problem) = &report.file_problem {
            return Some(
                view! { <p class="form-error" role="alert">{file_problem.clone()}</p> }.into_any(),
            );
        }
        let bad = report.problems.len();
        let ready = report.ready;
        let hidden = bad.saturating_sub(SHOWN_PROBLEMS);
        let rows = report
            .problems
            .iter()
            .take(SHOWN_PROBLEMS)
            .cloned()
            .map(|p| {
                view! {
                    <tr>
                        <td>{p.line}</td>
                        <td class="email">{p.email}</td>
                        <td>{p.message}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(
            view! {
                // Only the summary is announced; the rows are read at will.
                <p class="status-line" role="status">{summary(&report)}</p>
                {(bad > 0).then(|| view! {
                    <div class="table-wrap">
                        <table class="users import-problems">
                            <caption>"Rows that cannot be imported"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Line"</th>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Problem"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    {(hidden > 0).then(|| view! {
                        <p class="hint">{format!("And {hidden} more rows with problems.")}</p>
                    })}
                })}
                <Show when=move || !need_code.get()>
                    <div class="actions">
                        {if bad == 0 {
                            view! {
                                <button type="button" class="button primary"
                                    aria-busy=move || busy.get().to_string()
                                    on:click=move |_| import(false)
                                >
                                    {format!("Import {} and invite them", users_count(ready))}
                                </button>
                            }
                            .into_any()
                        } else if ready > 0 {
                            view! {
                                <button type="button" class="button primary"
                                    aria-busy=move || busy.get().to_string()
                                    on:click=move |_| import(true)
                                >
                                    {if ready == 1 {
                                        "Import only the valid row".to_string()
                                    } else {
                                        format!("Import only the {ready} valid rows")
                                    }}
                                </button>
                            }
                            .into_any()
                        } else {
                            view! { <p class="hint">"No row can be imported: correct the file and choose it again."</p> }
                                .into_any()
                        }}
                    </div>
                </Show>
            }
            .into_any(),
        )
    };

    view! {
        <div class="import-users">
            <p class="status-line" role="status" aria-live="polite">{move || done.get()}</p>
            <button type="button" class="button secondary" aria-expanded=move || open.get().to_string()
                aria-controls="import-users-form" node_ref=toggle
                on:click=move |_| {
                    open.update(|o| *o = !*o);
                    done.set(None);
                }
            >
                "Import users"
            </button>
            <div id="import-users-form" role="group" aria-labelledby="import-users-title" hidden=move || !open.get()>
                <h2 id="import-users-title" class="visually-hidden">"Import users from a CSV file"</h2>
                <div class="field">
                    <label for="import-users-file">"CSV file"</label>
                    <input id="import-users-file" type="file" accept=".csv,text/csv"
                        aria-describedby="import-users-hint" node_ref=file_input on:change=on_file
                    />
                </div>
                <p id="import-users-hint" class="hint">
                    "The first line names the columns: name, email, role and groups. Role is user, \
                     admin or billing_admin (empty: user); groups are separated by semicolons, and \
                     new ones are made. Up to 10,000 rows. Each person is invited by email. You see \
                     every row's problem before anything is imported."
                </p>
                {move || (step.get() == Step::Reading).then(|| view! { <p class="loading" role="status">"Checking the file…"</p> })}
                {preview}
                <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            </div>
            <FreshProof id="import-users-code" open=need_code verb="Verify and import" then=again
                cancel=Callback::new(move |()| need_code.set(false))
            />
        </div>
    }
}
