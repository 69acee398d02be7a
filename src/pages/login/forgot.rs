//! `/forgot`: ask for a reset link by email. The answer is the same for
//! every address (the page never says whether an account exists); the
//! link opens `/welcome`, which asks for the new password and, when the
//! account has one, its second factor.

use leptos::prelude::*;

use crate::api::account;
use crate::paths::Page;
use crate::state::PageTitle;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Asking,
    /// Sent (or not: the page cannot know), to this address.
    Sent(String),
}

#[component]
pub fn ForgotPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let step = RwSignal::new(Step::Asking);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let address = email.get_untracked().trim().to_string();
        if address.is_empty() {
            problem.set(Some("Enter your email address.".to_string()));
            return;
        }
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            match account::forgot_password(&address).await {
                Ok(()) => {
                    let _ = step.try_set(Step::Sent(address));
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <PageTitle text=Page::Forgot.title()/>
        <section class="card narrow" aria-labelledby="forgot-title">
            <h1 id="forgot-title">"Forgot your password?"</h1>
            {move || match step.get() {
                Step::Asking => view! {
                    <p>"Enter the email address of your account. We send it a link to choose a \
                        new password; if your account has a second factor, you need it too."</p>
                    <form on:submit=on_submit novalidate>
                        <div class="field">
                            <label for="forgot-email">"Email"</label>
                            <input id="forgot-email" name="email" type="email" autocomplete="username"
                                required bind:value=email
                            />
                        </div>
                        <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                        <button type="submit" class="button primary" aria-busy=move || busy.get().to_string()>
                            "Send the link"
                        </button>
                    </form>
                }
                .into_any(),
                Step::Sent(address) => view! {
                    <p role="status">
                        "If "{address}" is the address of an account, an email with a link is on its \
                         way. The link works once, for 15 minutes. Nothing came? Check the spam \
                         folder, or ask your administrator."
                    </p>
                }
                .into_any(),
            }}
            <p><a href=Page::Login.path()>"Back to the login"</a></p>
        </section>
    }
}
