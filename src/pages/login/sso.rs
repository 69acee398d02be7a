//! `/sso/{id}` and `/sso/logout`: single sign-on as the browser walks it.
//! An app sent the browser here; the server says what comes next — back
//! to the app, the login for this app, a second factor the app asks for
//! (step-up), the consent screen — and this screen does it. `/sso/logout`
//! is an app's sign-out request: it signs out (asking first when the
//! request does not carry the user's own ID token) and goes back to the
//! app.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use portcullis_api::{FactorKind, LogoutStep, SsoStep};

use crate::api::{self, ApiError};
use crate::components::FreshProof;
use crate::paths::{encode_component, sso_request_id, Page};
use crate::state::{use_session, PageTitle};

/// Leaves the portal for an app's address (a full page load).
fn go_to(url: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().replace(url);
    }
}

#[component]
pub fn SsoPage() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    match sso_request_id(&path) {
        Some(id) => view! { <SignIn id=id/> }.into_any(),
        None => view! { <SignOut/> }.into_any(),
    }
}

/// Where a sign-in to an app stands on this screen.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Asking,
    /// Leaving for the app.
    Leaving(String),
    /// The app, and whether only a key or passkey will do.
    StepUp(String, bool),
    Consent {
        app: String,
        shares: Vec<String>,
    },
    /// The sign-in cannot go on, in words.
    Stopped(String),
}

#[component]
fn SignIn(id: String) -> impl IntoView {
    let navigate = use_navigate();
    let shown = RwSignal::new(Shown::Asking);
    let busy = RwSignal::new(false);
    let need_proof = RwSignal::new(false);
    let id = StoredValue::new(id);
    let follow = move |answer: Result<SsoStep, ApiError>| {
        let navigate = navigate.clone();
        let _ = busy.try_set(false);
        let next = match answer {
            Ok(SsoStep::Redirect { url }) => {
                go_to(&url);
                Shown::Leaving(url)
            }
            Ok(SsoStep::Login { app, login_hint }) => {
                let here = format!("{}{}", crate::paths::SSO_PREFIX, id.get_value());
                let mut to = format!(
                    "{}&app={}",
                    Page::Login.with_next(&here),
                    encode_component(&app)
                );
                if let Some(hint) = login_hint {
                    to.push_str(&format!("&email={}", encode_component(&hint)));
                }
                navigate(
                    &to,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
                Shown::Asking
            }
            Ok(SsoStep::StepUp { app, factors }) => {
                let _ = need_proof.try_set(true);
                let keys_only = factors.iter().all(|f| *f == FactorKind::Webauthn);
                Shown::StepUp(app, keys_only)
            }
            Ok(SsoStep::Consent { app, shares }) => Shown::Consent { app, shares },
            Ok(SsoStep::Refused { message }) => Shown::Stopped(message),
            Err(e) => Shown::Stopped(e.user_message()),
        };
        let _ = shown.try_set(next);
    };
    let follow = StoredValue::new_local(follow);
    let ask = move || {
        leptos::task::spawn_local(async move {
            let answer = api::sso::next(&id.get_value()).await;
            let _ = follow.try_with_value(|f| f(answer));
        });
    };
    ask();
    let answer = move |allow: bool| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::sso::consent(&id.get_value(), allow).await;
            let _ = follow.try_with_value(|f| f(answer));
        });
    };
    view! {
        <PageTitle text=Page::Sso.title()/>
        <section class="card narrow" aria-labelledby="sso-title">
            {move || match shown.get() {
                Shown::Asking => view! {
                    <h1 id="sso-title">"Signing you in…"</h1>
                    <p class="loading" role="status">"Checking your sign-in…"</p>
                }
                .into_any(),
                Shown::Leaving(_) => view! {
                    <h1 id="sso-title">"Signed in"</h1>
                    <p role="status">"Returning to the app…"</p>
                }
                .into_any(),
                Shown::StepUp(app, keys_only) => view! {
                    <h1 id="sso-title">{if keys_only {
                        format!("{app} asks for a security key or passkey")
                    } else {
                        format!("{app} asks for a second factor")
                    }}</h1>
                    <p>"Confirm it’s you to continue. You stay signed in to the portal as you are."</p>
                    <FreshProof id="sso-code" open=need_proof verb="Verify and continue" keys_only=keys_only
                        then=Callback::new(move |()| ask())
                        cancel=Callback::new(move |()| {
                            shown.set(Shown::Stopped("You did not confirm it’s you, so you were not signed in to the app.".into()));
                        })
                    />
                }
                .into_any(),
                Shown::Consent { app, shares } => view! {
                    <h1 id="sso-title">{format!("Sign in to {app}?")}</h1>
                    <p>{format!("{app} would like to know:")}</p>
                    <ul class="shares">
                        {shares.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                    </ul>
                    <p class="hint">"You can revoke this later on your Security page."</p>
                    <div class="actions">
                        <button type="button" class="button primary inline"
                            aria-busy=move || busy.get().to_string()
                            on:click=move |_| answer(true)>
                            "Allow and continue"
                        </button>
                        <button type="button" class="button secondary"
                            on:click=move |_| answer(false)>
                            "Cancel"
                        </button>
                    </div>
                }
                .into_any(),
                Shown::Stopped(message) => view! {
                    <h1 id="sso-title">"You were not signed in to the app"</h1>
                    <p class="form-error" role="alert">{message}</p>
                    <p><a href=Page::Home.path()>"Go to the portal"</a></p>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Where an app's sign-out request stands on this screen.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Asking,
    Confirm(Option<String>),
    Done,
    Problem(String),
}

#[component]
fn SignOut() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let query = location
        .search
        .get_untracked()
        .trim_start_matches('?')
        .to_string();
    let query = StoredValue::new(query);
    let out = RwSignal::new(Out::Asking);
    let send = move |confirmed: bool| {
        leptos::task::spawn_local(async move {
            let next = match api::sso::logout(&query.get_value(), confirmed).await {
                Ok(LogoutStep::Done { redirect }) => {
                    session.signed_out();
                    if let Some(url) = redirect {
                        go_to(&url);
                    }
                    Out::Done
                }
                Ok(LogoutStep::Confirm { app }) => Out::Confirm(app),
                Err(e) => Out::Problem(e.user_message()),
            };
            let _ = out.try_set(next);
        });
    };
    send(false);
    view! {
        <PageTitle text=Page::SsoLogout.title()/>
        <section class="card narrow" aria-labelledby="out-title">
            {move || match out.get() {
                Out::Asking => view! {
                    <h1 id="out-title">"Signing out…"</h1>
                    <p class="loading" role="status">"One moment…"</p>
                }
                .into_any(),
                Out::Confirm(app) => view! {
                    <h1 id="out-title">"Sign out of Portcullis?"</h1>
                    <p>
                        {match app {
                            Some(a) => format!("{a} asks to sign you out of the portal and its apps."),
                            None => "An app asks to sign you out of the portal and its apps.".to_string(),
                        }}
                    </p>
                    <div class="actions">
                        <button type="button" class="button primary inline" on:click=move |_| send(true)>
                            "Sign out"
                        </button>
                        <a class="button secondary" href=Page::Home.path()>"Stay signed in"</a>
                    </div>
                }
                .into_any(),
                Out::Done => view! {
                    <h1 id="out-title">"You’ve signed out"</h1>
                    <p role="status">"You are signed out of the portal."</p>
                    <p><a href=Page::Login.path()>"Log in again"</a></p>
                }
                .into_any(),
                Out::Problem(m) => view! {
                    <h1 id="out-title">"This sign-out did not work"</h1>
                    <p class="form-error" role="alert">{m}</p>
                    <p><a href=Page::Home.path()>"Go to the portal"</a></p>
                }
                .into_any(),
            }}
        </section>
    }
}
