//! `/security`'s "Password": change it with the current one (and a second
//! factor from the last minutes, asked in place when needed); the other
//! sessions are signed out.

use leptos::prelude::*;
use portcullis_api::ErrorCode;

use crate::api::account;
use crate::components::{FreshProof, PasswordMeter, Rules};

#[component]
pub fn ChangePassword() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let need_proof = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let run = move || {
        busy.set(true);
        done.set(None);
        problem.set(None);
        let (c, n) = (current.get_untracked(), new.get_untracked());
        leptos::task::spawn_local(async move {
            match account::change_password(&c, &n).await {
                Ok(e) => {
                    let _ = current.try_set(String::new());
                    let _ = new.try_set(String::new());
                    let _ = done.try_set(Some(match e.ended {
                        0 => "Your password was changed.".to_string(),
                        1 => "Your password was changed, and 1 other session was signed out."
                            .to_string(),
                        n => format!(
                            "Your password was changed, and {n} other sessions were signed out."
                        ),
                    }));
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_proof.try_set(true);
                }
                Err(e) => {
                    let _ = problem.try_set(Some(e.user_message()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if current.with_untracked(String::is_empty) {
            problem.set(Some("Enter your current password.".to_string()));
            return;
        }
        if new.with_untracked(String::is_empty) {
            problem.set(Some("Enter the new password.".to_string()));
            return;
        }
        run();
    };
    view! {
        <h2 id="password-title">"Password"</h2>
        <div class="factor" role="group" aria-labelledby="password-title">
            <p class="status-line" role="status" aria-live="polite">{move || done.get()}</p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            <form novalidate aria-label="Change your password" on:submit=on_submit>
                <div class="field">
                    <label for="password-current">"Current password"</label>
                    <input id="password-current" name="current-password" type="password"
                        autocomplete="current-password" bind:value=current
                    />
                </div>
                <div class="field">
                    <label for="password-new">"New password"</label>
                    <input id="password-new" name="new-password" type="password"
                        autocomplete="new-password" bind:value=new
                        aria-describedby="password-new-hint password-new-meter"
                    />
                    <p id="password-new-hint" class="hint">
                        "15 characters or more (8 once you have a second factor); a few \
                         unrelated words make a long one that is easy to remember. Your other \
                         sessions will be signed out."
                    </p>
                    <PasswordMeter id="password-new-meter" password=new rules=Rules::SignedIn/>
                </div>
                <button type="submit" class="button secondary" aria-busy=move || busy.get().to_string()>
                    "Change password"
                </button>
            </form>
            // Its own form, so outside the one above.
            <FreshProof
                id="password-code"
                open=need_proof
                verb="Verify and change the password"
                then=Callback::new(move |()| run())
                cancel=Callback::new(move |()| busy.set(false))
            />
        </div>
    }
}
