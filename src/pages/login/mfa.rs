//! `/login/mfa`: the second factor.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_api::LoginResponse;

use crate::api::{self, ApiError};
use crate::components::CodeField;
use crate::paths::{safe_next, Page};
use crate::state::{use_session, PageTitle};
use crate::text::normalize_code;

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
        <PageTitle text=Page::LoginMfa.title()/>
        <section class="card narrow" aria-labelledby="mfa-title">
            <h1 id="mfa-title">"Verify it’s you"</h1>
            // One panel per enrolled factor; push, security keys and
            // recovery codes join the authenticator app here. A group, so
            // that its name reaches assistive technology (a plain `div` may
            // not carry one).
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
        </section>
    }
}
