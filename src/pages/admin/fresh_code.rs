//! The fresh second factor that changes to someone's MFA need when the
//! admin's last one is older than ten minutes: a code form shown in place,
//! after which the action the admin started carries on by itself.

use leptos::prelude::*;

use crate::api;
use crate::components::{on_code_submit, CodeField};

/// Shown while `open`: asks for a current code, proves it, closes, then
/// calls `then` (which runs the action again); Cancel closes and calls
/// `cancel` (which drops the action).
#[component]
pub fn FreshCode(
    /// The code field's element id (unique on the screen).
    id: &'static str,
    /// Whether the form shows; the screen opens it on a
    /// `reauthentication_required` answer.
    open: RwSignal<bool>,
    /// What the verify button says, e.g. "Verify and remove".
    verb: &'static str,
    /// Runs once the code was accepted.
    then: Callback<()>,
    /// Runs when the admin gives up instead.
    cancel: Callback<()>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = on_code_submit(
        code,
        set_problem,
        move || busy.get_untracked(),
        move |c| {
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = api::verify_mfa(&c).await;
                let _ = busy.try_set(false);
                match answer {
                    Ok(()) => {
                        let _ = code.try_set(String::new());
                        let _ = open.try_set(false);
                        then.run(());
                    }
                    Err(e) => {
                        let _ = set_problem.try_set(Some(e.user_message()));
                    }
                }
            });
        },
    );
    move || {
        open.get().then(|| {
            view! {
                <form class="fresh-code" on:submit=on_submit>
                    <p>"This change needs a fresh confirmation that it’s you."</p>
                    <CodeField
                        id=id
                        label="Code from your authenticator app"
                        value=code
                        error=problem
                        autofocus=true
                    />
                    <div class="actions">
                        <button type="submit" class="button primary" aria-busy=move || busy.get().to_string()>
                            {verb}
                        </button>
                        <button type="button" class="button secondary" on:click=move |_| {
                            open.set(false);
                            cancel.run(());
                        }>
                            "Cancel"
                        </button>
                    </div>
                </form>
            }
        })
    }
}
