//! `/welcome#…`: what a one-time link opens. An invitation: choose a
//! password. A setup link: confirm the account's password. Either way the
//! login then goes on where the server says — usually setting up MFA, on
//! `/enroll`, before any signed-in session exists.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_api::{LinkPurpose, LoginResponse, WelcomeInfo};

use crate::api::account;
use crate::components::{PasswordMeter, Rules};
use crate::paths::Page;
use crate::state::{use_session, PageTitle};

/// Where the screen stands; the view is a match on this.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    /// The link works: the form for its password.
    Ready(WelcomeInfo),
    /// The link does not (or the address holds none); the sentence says why.
    Dead(String),
    /// A reset link set the new password: log in with it.
    ResetDone,
}

/// The token after `#`, taken out of the address bar (and so out of the
/// browser's history) at once.
fn take_token() -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let token = window
        .location()
        .hash()
        .unwrap_or_default()
        .trim_start_matches('#')
        .to_string();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(Page::Welcome.path()),
        );
    }
    token
}

const NO_TOKEN: &str = "This page opens with the link from your invitation or setup email. \
     Open that link again (a link works once), or ask your administrator for a new one.";

#[component]
pub fn WelcomePage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let token = StoredValue::new(take_token());
    let (step, set_step) = signal(Step::Loading);
    if token.with_value(String::is_empty) {
        set_step.set(Step::Dead(NO_TOKEN.to_string()));
    } else {
        leptos::task::spawn_local(async move {
            let t = token.get_value();
            let next = match account::welcome_peek(&t).await {
                Ok(info) => Step::Ready(info),
                Err(e) => Step::Dead(e.user_message()),
            };
            let _ = set_step.try_set(next);
        });
    }

    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let follow = move |answer: LoginResponse| match answer {
        LoginResponse::Done { user } => {
            session.signed_in(user);
            navigate(Page::Home.path(), Default::default());
        }
        LoginResponse::Enroll { .. } => {
            session.signed_out();
            navigate(Page::Enroll.path(), Default::default());
        }
        LoginResponse::Mfa { .. } => {
            session.signed_out();
            navigate(Page::LoginMfa.path(), Default::default());
        }
        LoginResponse::Locked { message } => problem.set(Some(message)),
    };
    let follow = StoredValue::new_local(follow);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Step::Ready(info) = step.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let pw = password.get_untracked();
        let min = info.min_password_chars as usize;
        let new_one = info.purpose != LinkPurpose::Setup;
        let refusal = if pw.is_empty() {
            Some("Enter a password.".to_string())
        } else if new_one && pw.chars().count() < min {
            Some(format!("The password must have at least {min} characters."))
        } else if new_one && pw != again.get_untracked() {
            Some("The two passwords are not the same.".to_string())
        } else if info.needs_code && code.with_untracked(|c| c.trim().is_empty()) {
            Some("Enter a code from your authenticator app, or a recovery code.".to_string())
        } else {
            None
        };
        if refusal.is_some() {
            problem.set(refusal);
            return;
        }
        problem.set(None);
        busy.set(true);
        if info.purpose == LinkPurpose::Reset {
            let c = Some(code.get_untracked()).filter(|c| !c.trim().is_empty());
            leptos::task::spawn_local(async move {
                match account::reset_password(&token.get_value(), &pw, c).await {
                    Ok(()) => {
                        let _ = set_step.try_set(Step::ResetDone);
                    }
                    Err(e) => {
                        let _ = code.try_set(String::new());
                        let _ = problem.try_set(Some(e.user_message()));
                    }
                }
                let _ = busy.try_set(false);
            });
            return;
        }
        leptos::task::spawn_local(async move {
            match account::welcome(&token.get_value(), &pw).await {
                Ok(answer) => {
                    let _ = follow.try_with_value(|f| f(answer));
                }
                Err(e) => {
                    let _ = password.try_set(String::new());
                    let _ = again.try_set(String::new());
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
            let _ = busy.try_set(false);
        });
    };

    let form = move |info: WelcomeInfo| {
        let reset = info.purpose == LinkPurpose::Reset;
        // A new password is chosen: an invitation's, or a reset's.
        let invited = info.purpose != LinkPurpose::Setup;
        let needs_code = info.needs_code;
        let (title, lead) = if reset {
            (
                "Choose a new password".to_string(),
                format!(
                    "For {}: at least {} characters. Every session of the account will be \
                     signed out.",
                    info.email, info.min_password_chars
                ),
            )
        } else if invited {
            (
                format!("Welcome, {}", info.display_name),
                format!(
                    "Choose the password of your account, {}: at least {} characters; a \
                     few unrelated words make a long one that is easy to remember.",
                    info.email, info.min_password_chars
                ),
            )
        } else {
            (
                "Set up your second factor".to_string(),
                format!(
                    "Confirm it’s you with the password of {}; then set up \
                     multi-factor authentication.",
                    info.email
                ),
            )
        };
        view! {
            <h1 id="welcome-title">{title}</h1>
            <p>{lead}</p>
            <form on:submit=on_submit novalidate aria-labelledby="welcome-title">
                // The account's name, for password managers.
                <input type="email" name="email" autocomplete="username" value=info.email.clone()
                    hidden readonly aria-hidden="true" tabindex="-1"
                />
                <div class="field">
                    <label for="welcome-password">
                        {if invited { "New password" } else { "Password" }}
                    </label>
                    <input id="welcome-password" name="password" type="password"
                        autocomplete=if invited { "new-password" } else { "current-password" }
                        required bind:value=password
                        aria-describedby=invited.then_some("welcome-meter")
                    />
                    {invited.then(|| view! {
                        <PasswordMeter id="welcome-meter" password=password
                            rules=Rules::Link(token.get_value())/>
                    })}
                </div>
                {invited.then(|| view! {
                    <div class="field">
                        <label for="welcome-again">"New password again"</label>
                        <input id="welcome-again" name="password-again" type="password"
                            autocomplete="new-password" required bind:value=again
                        />
                    </div>
                })}
                {needs_code.then(|| view! {
                    <div class="field">
                        <label for="welcome-code">"Code from your authenticator app, or a recovery code"</label>
                        <input id="welcome-code" name="code" type="text" autocomplete="one-time-code"
                            spellcheck="false" bind:value=code aria-describedby="welcome-code-hint"
                        />
                        <p id="welcome-code-hint" class="hint">
                            "Your account has a second factor: the email alone cannot reset it."
                        </p>
                    </div>
                })}
                <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                <button type="submit" class="button primary" aria-busy=move || busy.get().to_string()>
                    {if reset {
                        "Change the password"
                    } else if invited {
                        "Set password and continue"
                    } else {
                        "Continue"
                    }}
                </button>
            </form>
        }
        .into_any()
    };

    view! {
        <PageTitle text=Page::Welcome.title()/>
        <section class="card narrow" aria-live="polite">
            {move || match step.get() {
                Step::Loading => view! { <p>"Checking your link…"</p> }.into_any(),
                Step::Ready(info) => form(info),
                Step::ResetDone => view! {
                    <h1>"Your password was changed"</h1>
                    <p role="status">"Every session of your account was signed out. Log in with the new password."</p>
                    <a class="button primary" href=Page::Login.path()>"Go to the login"</a>
                }
                .into_any(),
                Step::Dead(why) => view! {
                    <h1>"This link does not work"</h1>
                    <p role="alert">{why}</p>
                    <a class="button secondary" href=Page::Login.path()>"Go to the login"</a>
                }
                .into_any(),
            }}
        </section>
    }
}
