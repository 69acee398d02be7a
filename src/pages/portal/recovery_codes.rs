//! `/security`'s "Recovery codes" section (how many are left, a new set),
//! and the one-time display of a new set, which `/enroll` also shows right
//! after the first factor is set up.

use leptos::prelude::*;
use portcullis_api::{ErrorCode, RecoveryCodesStatus};

use crate::api::{account, ApiError};
use crate::components::{copy_to_clipboard, FreshProof};
use crate::when::local_date;

use crate::text::codes_warning;

/// What the section shows besides the status.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Plain,
    /// "New codes replace the old ones": asked before a new set when
    /// codes exist.
    Confirming,
    /// A new set, shown once.
    Showing(Vec<String>),
}

#[component]
pub fn RecoveryCodes() -> impl IntoView {
    let status = RwSignal::new(None::<Result<RecoveryCodesStatus, ApiError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let _ = status.try_set(Some(account::recovery_codes().await));
        });
    };
    reload();
    let mode = RwSignal::new(Mode::Plain);
    let problem = RwSignal::new(None::<String>);
    let need_proof = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let generate = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let answer = account::new_recovery_codes().await;
            let _ = busy.try_set(false);
            match answer {
                Ok(new) => {
                    let _ = mode.try_set(Mode::Showing(new.codes));
                    reload();
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_proof.try_set(true);
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let has_codes = move || {
        status
            .get()
            .and_then(Result::ok)
            .is_some_and(|s| s.total > 0)
    };
    let ask = move |_| {
        if has_codes() {
            mode.set(Mode::Confirming);
        } else {
            generate();
        }
    };
    view! {
        <h2 id="codes-title">"Recovery codes"</h2>
        <div class="factor" role="group" aria-labelledby="codes-title">
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            {move || match status.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p>{e.user_message()}</p> }.into_any(),
                Some(Ok(s)) => view! { <CodesStatus status=s/> }.into_any(),
            }}
            <FreshProof
                id="codes-code"
                open=need_proof
                verb="Verify and make codes"
                then=Callback::new(move |()| generate())
                cancel=Callback::new(move |()| mode.set(Mode::Plain))
            />
            {move || match mode.get() {
                Mode::Plain => view! {
                    <button type="button" class="button secondary" aria-busy=move || busy.get().to_string()
                        on:click=ask>
                        {move || if has_codes() { "Make new codes…" } else { "Make recovery codes" }}
                    </button>
                }
                .into_any(),
                Mode::Confirming => view! {
                    <div class="confirm" role="group" aria-labelledby="codes-confirm-title">
                        <h3 id="codes-confirm-title">"Make new codes?"</h3>
                        <p>"The new codes replace all your current ones, which stop working."</p>
                        <div class="actions">
                            <button type="button" class="button primary" aria-busy=move || busy.get().to_string()
                                on:click=move |_| generate()>
                                "Make new codes"
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| mode.set(Mode::Plain)>
                                "Cancel"
                            </button>
                        </div>
                    </div>
                }
                .into_any(),
                Mode::Showing(codes) => view! {
                    <NewCodes codes=codes on_done=Callback::new(move |()| mode.set(Mode::Plain))/>
                }
                .into_any(),
            }}
        </div>
    }
}

/// How many codes are left, with a warning when few are.
#[component]
fn CodesStatus(status: RecoveryCodesStatus) -> impl IntoView {
    if status.total == 0 {
        return view! {
            <p>
                <span class="badge">"None made"</span>
                " Recovery codes let you log in when your phone or key is lost. Each works once."
            </p>
        }
        .into_any();
    }
    let made = status
        .generated_at
        .map(|t| format!(" Made on {}.", local_date(t)))
        .unwrap_or_default();
    let warning = codes_warning(status.left);
    let badge = if warning.is_none() {
        "badge ok"
    } else {
        "badge"
    };
    view! {
        <p>
            <span class=badge>
                {format!("{} of {} left", status.left, status.total)}
            </span>
            {made}
        </p>
        {warning.map(|words| view! { <p class="warning" role="status">{words}</p> })}
    }
    .into_any()
}

/// The codes as a text file's contents, one per line.
fn as_text(codes: &[String]) -> String {
    let mut text = String::from(
        "Portcullis recovery codes. Each works once, in place of your second factor.\n\n",
    );
    for c in codes {
        text.push_str(c);
        text.push('\n');
    }
    text
}

/// A `data:` address of `text`, for a download link.
fn data_url(text: &str) -> String {
    let encoded: String = js_sys::encode_uri_component(text).into();
    format!("data:text/plain;charset=utf-8,{encoded}")
}

/// A new set of codes, shown once: copy, download, print, then done.
#[component]
pub fn NewCodes(codes: Vec<String>, on_done: Callback<()>) -> impl IntoView {
    let text = as_text(&codes);
    let copied = RwSignal::new(String::new());
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let copy = {
        let text = text.clone();
        move |_| copy_to_clipboard(text.clone(), "Codes", copied)
    };
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <div class="new-codes" role="region" aria-labelledby="new-codes-title">
            <h3 id="new-codes-title" tabindex="-1" node_ref=heading>"Your recovery codes"</h3>
            <p>
                "Save them now, somewhere safe (a password manager, or on paper): they are shown "
                "only this once. Each code works once, in place of your second factor."
            </p>
            <ol class="codes" aria-label="Recovery codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
            <div class="actions">
                <button type="button" class="button secondary" on:click=copy>"Copy all"</button>
                <a class="button secondary" href=data_url(&text) download="portcullis-recovery-codes.txt">
                    "Download as text"
                </a>
                <button type="button" class="button secondary" on:click=print>"Print"</button>
            </div>
            <p class="status-line" role="status" aria-live="polite">{move || copied.get()}</p>
            <button type="button" class="button primary" on:click=move |_| on_done.run(())>
                "I have saved them"
            </button>
        </div>
    }
}

/// Right after the first factor is set up (`/enroll`): recovery codes,
/// offered once; the user may skip them and make them later on the
/// Security page.
#[component]
pub fn OfferCodes() -> impl IntoView {
    let codes = RwSignal::new(None::<Vec<String>>);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let dismissed = RwSignal::new(false);
    let make = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = account::new_recovery_codes().await;
            let _ = busy.try_set(false);
            match answer {
                Ok(new) => {
                    let _ = codes.try_set(Some(new.codes));
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
        });
    };
    move || {
        if dismissed.get() {
            return None;
        }
        Some(match codes.get() {
            Some(list) => view! {
                <NewCodes codes=list on_done=Callback::new(move |()| dismissed.set(true))/>
            }
            .into_any(),
            None => view! {
                <div class="offer" role="group" aria-labelledby="offer-codes-title">
                    <h2 id="offer-codes-title">"Recovery codes"</h2>
                    <p>
                        "If you lose your phone or key, a recovery code still lets you log in. "
                        "Make a set now and keep it somewhere safe."
                    </p>
                    <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                    <button type="button" class="button secondary" aria-busy=move || busy.get().to_string()
                        on:click=make>
                        "Make recovery codes"
                    </button>
                </div>
            }
            .into_any(),
        })
    }
}
