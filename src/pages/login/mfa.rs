//! `/login/mfa`: the second factor. The user's factors come from
//! `GET /mfa` (so a reload knows them too): the prompt starts with the
//! kind used last (else a key), and a user with both can switch to the
//! code and back.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_api::{FactorKind, LoginResponse};

use crate::api::{self, ApiError};
use crate::components::CodeField;
use crate::paths::{safe_next, Page};
use crate::state::{use_session, PageTitle};
use crate::text::normalize_code;
use crate::webauthn;

/// The factor shown (one panel at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Code,
    Key,
}

/// Where the code entry stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Idle,
    /// The code is not six digits.
    Invalid(&'static str),
    /// The server refused it (wrong, reused, throttled, unreachable).
    Refused(ApiError),
    /// The half-finished login is gone (expired or never started).
    Expired,
}

#[component]
pub fn LoginMfaPage() -> impl IntoView {
    // `None` until the factors are known; a failed request shows the
    // code, whose own request then says what is wrong.
    let (shown, set_shown) = signal(None::<Shown>);
    let (has_both, set_has_both) = signal(false);
    leptos::task::spawn_local(async move {
        let (factors, last_used) = api::mfa()
            .await
            .map(|o| (o.factors, o.last_used))
            .unwrap_or_default();
        let key = factors.contains(&FactorKind::Webauthn);
        let _ = set_has_both.try_set(key && factors.contains(&FactorKind::Totp));
        let first = match last_used {
            Some(FactorKind::Totp) => Shown::Code,
            Some(FactorKind::Webauthn) => Shown::Key,
            _ if key => Shown::Key,
            _ => Shown::Code,
        };
        let _ = set_shown.try_set(Some(first));
    });
    let switch = move |to: Shown, text: &'static str| {
        view! {
            <Show when=move || has_both.get()>
                <p>
                    <button type="button" class="button secondary" on:click=move |_| set_shown.set(Some(to))>
                        {text}
                    </button>
                </p>
            </Show>
        }
    };
    view! {
        <PageTitle text=Page::LoginMfa.title()/>
        <section class="card narrow" aria-labelledby="mfa-title">
            <h1 id="mfa-title">"Verify it’s you"</h1>
            {move || match shown.get() {
                None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Some(Shown::Code) => view! {
                    <CodePanel/>
                    {switch(Shown::Key, "Use a security key instead")}
                }
                .into_any(),
                Some(Shown::Key) => view! {
                    <KeyPanel/>
                    {switch(Shown::Code, "Use your authenticator app instead")}
                }
                .into_any(),
            }}
        </section>
    }
}

/// Signs in with one of the user's security keys. A failure keeps the
/// button, which tries again; the other factor stays one click away.
#[component]
fn KeyPanel() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let (problem, set_problem) = signal(None::<String>);
    let (expired, set_expired) = signal(false);
    let sign_in = Action::new_local(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            match webauthn::sign_in().await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    let next = safe_next(query.get_untracked().get("next").as_deref());
                    navigate(&next, Default::default());
                }
                Ok(_) => set_expired.set(true),
                Err(p) if p.is_unauthenticated() => set_expired.set(true),
                Err(p) => set_problem.set(Some(p.sentence())),
            }
        }
    });
    let banner = move || {
        if expired.get() {
            Some("Your login has expired. Log in again.".to_string())
        } else {
            problem.get()
        }
    };
    view! {
        <div class="factor-panel" role="group" aria-labelledby="factor-key">
            <h2 id="factor-key">"Security key"</h2>
            <p>"Select the button, then insert or touch your security key, or follow your browser’s prompt."</p>
            <p class="form-error" role="alert" aria-live="assertive">{banner}</p>
            <Show when=move || expired.get()>
                <p>
                    <A href=Page::Login.path()>"Log in again"</A>
                </p>
            </Show>
            <button
                type="button"
                class="button primary"
                aria-busy=move || sign_in.pending().get().to_string()
                on:click=move |_| {
                    if !sign_in.pending().get_untracked() {
                        set_problem.set(None);
                        sign_in.dispatch(());
                    }
                }
            >
                {move || if sign_in.pending().get() { "Waiting for your key…" } else { "Use a security key" }}
            </button>
        </div>
    }
}

/// The code from the authenticator app.
#[component]
fn CodePanel() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let code = RwSignal::new(String::new());
    let (outcome, set_outcome) = signal(Outcome::Idle);

    let verify = Action::new_local(move |code_text: &String| {
        let code_text = code_text.clone();
        let navigate = navigate.clone();
        async move {
            match api::login_totp(&code_text).await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    let next = safe_next(query.get_untracked().get("next").as_deref());
                    navigate(&next, Default::default());
                }
                Ok(_) => set_outcome.set(Outcome::Expired),
                Err(e) if e.is_unauthenticated() => set_outcome.set(Outcome::Expired),
                Err(e) => {
                    code.set(String::new());
                    set_outcome.set(Outcome::Refused(e));
                }
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if verify.pending().get_untracked() {
            return;
        }
        match normalize_code(&code.get_untracked()) {
            Ok(c) => {
                set_outcome.set(Outcome::Idle);
                verify.dispatch(c);
            }
            Err(msg) => set_outcome.set(Outcome::Invalid(msg)),
        }
    };

    let field_error = Signal::derive(move || match outcome.get() {
        Outcome::Invalid(m) => Some(m.to_string()),
        _ => None,
    });
    let banner = move || match outcome.get() {
        Outcome::Refused(e) => Some(e.user_message()),
        Outcome::Expired => Some("Your login has expired. Log in again.".to_string()),
        _ => None,
    };
    let expired = move || outcome.get() == Outcome::Expired;

    view! {
            // A group, so that its name reaches assistive technology (a
            // plain `div` may not carry one).
            <div class="factor-panel" role="group" aria-labelledby="factor-totp">
                <h2 id="factor-totp">"Authenticator app"</h2>
                <p>"Open your authenticator app and enter the 6-digit code shown for Portcullis."</p>
                <form on:submit=on_submit novalidate>
                    <CodeField
                        id="mfa-code"
                        label="Authentication code"
                        value=code
                        error=field_error
                        autofocus=true
                    />
                    <p class="form-error" role="alert" aria-live="assertive">{banner}</p>
                    <Show when=expired>
                        <p>
                            <A href=Page::Login.path()>"Log in again"</A>
                        </p>
                    </Show>
                    <button
                        type="submit"
                        class="button primary"
                        aria-busy=move || verify.pending().get().to_string()
                    >
                        {move || if verify.pending().get() { "Verifying…" } else { "Verify" }}
                    </button>
                </form>
            </div>
    }
}
