//! `/login`: email and password.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_api::{ErrorCode, LoginResponse};

use super::passkey;
use crate::api::{self, ApiError};
use crate::boot;
use crate::paths::{safe_next, sso_request_id, Page};
use crate::state::{use_session, PageTitle};
use crate::text::{check_login, LoginProblems};
use crate::webauthn::{self, Failure, Mediation, Problem};

/// Where a submission stands; the view is a match on this.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Nothing sent yet, or the user is editing.
    Idle,
    /// The form has problems the user must fix first.
    Invalid(LoginProblems),
    /// The server said no (wrong credentials, throttled, unreachable…).
    Refused(ApiError),
    /// A passkey sign-in failed; the sentence says why and how to go on.
    Passkey(String),
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    // What was typed into the served page's static copy of this form
    // before the app started (see `boot`).
    let email = RwSignal::new(boot::typed("email"));
    // An app's sign-in request sent the browser here: the login is for
    // that app (its name shown; the address it knows, offered).
    let param = move |k: &str| query.get_untracked().get(k).filter(|v| !v.is_empty());
    let app = param("app");
    if let Some(hint) = param("email").filter(|_| email.get_untracked().is_empty()) {
        email.set(hint);
    }
    let password = RwSignal::new(boot::typed("password"));
    // Once this form is in the page, it replaces the static copy.
    Effect::new(move |_| boot::take_over());
    let (outcome, set_outcome) = signal(Outcome::Idle);
    // Seconds left before a throttled login may be retried.
    let (wait, set_wait) = signal(0_u64);

    let next = move || safe_next(query.get_untracked().get("next").as_deref());
    // A plain task and a flag rather than an `Action`: this screen is the
    // first download, and nothing else in it needs the Action machinery.
    let (sending, set_sending) = signal(false);
    // Where a login step's answer leads, by password or by passkey (one
    // navigation for all: each call site costs the first download).
    let follow = move |answer: LoginResponse| {
        set_outcome.set(Outcome::Idle);
        let to = match answer {
            LoginResponse::Done { user } => {
                session.signed_in(user);
                next()
            }
            // An account that may not sign in (its enrollment period over,
            // suspended): the calm locked-out card of `/login/mfa`'s lazily
            // loaded chunk, with the server's words.
            LoginResponse::Locked { message } => {
                session.locked_out(message);
                Page::LoginMfa.path().to_string()
            }
            // Only half signed in: whatever the page thought before is gone.
            LoginResponse::Mfa { .. } => {
                session.signed_out();
                Page::LoginMfa.with_next(&next())
            }
            LoginResponse::Enroll { .. } => {
                session.signed_out();
                Page::Enroll.with_next(&next())
            }
        };
        navigate(&to, Default::default());
    };
    let follow = StoredValue::new_local(follow);
    let send = move |req: portcullis_api::LoginRequest| {
        set_sending.set(true);
        leptos::task::spawn_local(async move {
            match api::login(&req).await {
                Ok(answer) => follow.with_value(|f| f(answer)),
                // A suspended account is locked out like any other.
                Err(ApiError::Server {
                    code: ErrorCode::Suspended,
                    message,
                    ..
                }) => follow.with_value(|f| f(LoginResponse::Locked { message })),
                Err(e) => {
                    password.set(String::new());
                    if let Some(secs) = e.retry_after() {
                        count_down(secs, set_wait).await;
                    }
                    set_outcome.set(Outcome::Refused(e));
                }
            }
            let _ = set_sending.try_set(false);
        });
    };

    // A passkey: from the button (the browser's dialog), or picked from
    // the email field's suggestions (autofill, waiting from the start).
    let (waiting_for_key, set_waiting_for_key) = signal(false);
    let with_passkey = move |mediation: Mediation| {
        leptos::task::spawn_local(async move {
            if mediation == Mediation::Dialog {
                let _ = set_waiting_for_key.try_set(true);
                let _ = set_outcome.try_set(Outcome::Idle);
            }
            let result = passkey::sign_in(mediation).await;
            let _ = set_waiting_for_key.try_set(false);
            match result {
                Ok(answer) => {
                    let _ = follow.try_with_value(|f| f(answer));
                }
                // Replaced by another request, or the screen has gone.
                Err(Problem::Browser(Failure::Superseded)) => {}
                // Dismissing the suggestions is no failure.
                Err(Problem::Browser(Failure::Cancelled)) if mediation == Mediation::Autofill => {}
                Err(p) => {
                    let _ = set_outcome.try_set(Outcome::Passkey(p.passkey_sentence()));
                }
            }
        });
    };
    leptos::task::spawn_local(async move {
        if webauthn::offer_autofill().await && follow.try_with_value(|_| ()).is_some() {
            with_passkey(Mediation::Autofill);
        }
    });
    // Leaving the screen ends a passkey request still waiting in autofill.
    on_cleanup(webauthn::stop_waiting);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() || wait.get_untracked() > 0 {
            return;
        }
        match check_login(&email.get_untracked(), &password.get_untracked()) {
            Ok(mut req) => {
                set_outcome.set(Outcome::Idle);
                req.sso = sso_request_id(&next());
                send(req);
            }
            Err(problems) => set_outcome.set(Outcome::Invalid(problems)),
        }
    };

    let problems = move || match outcome.get() {
        Outcome::Invalid(p) => p,
        _ => LoginProblems::default(),
    };
    let email_error = move || problems().email;
    let password_error = move || problems().password;
    let banner = move || match outcome.get() {
        Outcome::Refused(e) => Some(e.user_message()),
        Outcome::Passkey(m) => Some(m),
        _ => None,
    };
    let busy = move || sending.get();

    // `web/index.html` holds a static copy of this card (painted before the
    // wasm arrives): keep the two alike.
    view! {
        <PageTitle text=Page::Login.title()/>
        <section class="card narrow" aria-labelledby="login-title">
            <h1 id="login-title">"Log in to Portcullis"</h1>
            {app.map(|a| view! { <p class="hint">"to continue to " <strong>{a}</strong></p> })}
            <form on:submit=on_submit novalidate>
                <div class="field">
                    <label for="login-email">"Email"</label>
                    <input
                        id="login-email"
                        name="email"
                        type="email"
                        autocomplete="username webauthn"
                        required
                        bind:value=email
                        aria-invalid=move || email_error().is_some().to_string()
                        aria-describedby="login-email-error"
                    />
                    <p id="login-email-error" class="field-error">{email_error}</p>
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input
                        id="login-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        bind:value=password
                        aria-invalid=move || password_error().is_some().to_string()
                        aria-describedby="login-password-error"
                    />
                    <p id="login-password-error" class="field-error">{password_error}</p>
                    <p class="forgot"><a href=Page::Forgot.path()>"Forgot password?"</a></p>
                </div>
                // Announced as soon as it changes; empty when all is well.
                <p class="form-error" role="alert" aria-live="assertive">{banner}</p>
                <button type="submit" class="button primary" aria-busy=move || busy().to_string()>
                    {move || {
                        if busy() {
                            "Logging in…".to_string()
                        } else if wait.get() > 0 {
                            format!("Log in (wait {} s)", wait.get())
                        } else {
                            "Log in".to_string()
                        }
                    }}
                </button>
            </form>
            <div class="other-way">
                <p class="or" aria-hidden="true">"or"</p>
                <button
                    type="button"
                    class="button secondary"
                    aria-busy=move || waiting_for_key.get().to_string()
                    on:click=move |_| {
                        if !waiting_for_key.get_untracked() {
                            with_passkey(Mediation::Dialog);
                        }
                    }
                >
                    {move || if waiting_for_key.get() { "Waiting for your passkey…" } else { "Sign in with a passkey" }}
                </button>
            </div>
        </section>
    }
}

/// Counts `secs` down to zero in `set_wait`, one step a second, in the
/// background; stops early if the page has gone away.
async fn count_down(secs: u64, set_wait: WriteSignal<u64>) {
    set_wait.set(secs);
    leptos::task::spawn_local(async move {
        let mut left = secs;
        while left > 0 {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
            left -= 1;
            if set_wait.try_set(left).is_some() {
                break;
            }
        }
    });
}
