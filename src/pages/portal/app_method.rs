//! The authenticator app's row among the sign-in methods, and "Reset
//! authenticator app": prove the current app with a code, remove it, and
//! go straight to setting up the new one ("Replace your app"). An app on
//! the Protect phone goes with the phone's push: the server resets both.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_api::TotpState;

use crate::api::{self, ApiError};
use crate::components::{on_code_submit, ActionsMenu, CodeField, Icon, IconKind};
use crate::paths::Page;
use crate::when::local_date;

/// Where a reset stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResetStep {
    Closed,
    /// Asking for a current code.
    Asking,
}

#[component]
pub fn AppRow(
    /// The app's state (the row is only shown for an active one).
    app: TotpState,
) -> impl IntoView {
    let TotpState::Active { since, on_device } = app else {
        return ().into_any();
    };
    let step = RwSignal::new(ResetStep::Closed);
    view! {
        <li class="row method">
            <div class="method-name">
                <Icon kind=IconKind::App/>
                <strong>"Authenticator app"</strong>
                <span class="badge">"Authenticator app"</span>
            </div>
            <ActionsMenu label="Actions for the authenticator app".to_string()>
                <button type="button" class="menu-item" on:click=move |_| step.set(ResetStep::Asking)>
                    "Reset authenticator app…"
                </button>
            </ActionsMenu>
            <p class="hint">
                {format!(
                    "Added {}{}",
                    local_date(since),
                    if on_device { " · on your Protect phone" } else { "" }
                )}
            </p>
            <Show when=move || step.get() == ResetStep::Asking>
                <ResetAuthenticator on_device=on_device step=step/>
            </Show>
        </li>
    }
    .into_any()
}

/// The reset's form, in the row: a current code, then on to the new app.
#[component]
fn ResetAuthenticator(
    /// The app is the Protect phone.
    on_device: bool,
    step: RwSignal<ResetStep>,
) -> impl IntoView {
    let navigate = use_navigate();
    let code = RwSignal::new(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let (refused, set_refused) = signal(None::<ApiError>);

    let reset = Action::new_local(move |c: &String| {
        let c = c.clone();
        let navigate = navigate.clone();
        async move {
            match api::totp_reset(&c).await {
                // on to "Replace your app"
                Ok(_) => navigate(&Page::Enroll.replacing_app(), Default::default()),
                Err(e) => {
                    code.set(String::new());
                    set_refused.set(Some(e));
                }
            }
        }
    });

    let on_submit = on_code_submit(
        code,
        set_problem,
        move || reset.pending().get_untracked(),
        move |c| {
            set_refused.set(None);
            reset.dispatch(c);
        },
    );

    view! {
        <form class="confirm reset-form" on:submit=on_submit novalidate aria-labelledby="reset-title">
            <h3 id="reset-title">"Reset authenticator app"</h3>
            <p>
                {if on_device {
                    "To move to another phone, first prove you still have this one with a code from \
                     Protect. This phone then stops working for Portcullis, for codes and for push, \
                     and you set up the new one right away, with one QR code."
                } else {
                    "To move to another app, first prove you still have this one. The current app stops \
                     working for Portcullis, and you set up the new one right away."
                }}
            </p>
            <CodeField
                id="reset-code"
                label="Current code from your app"
                value=code
                error=problem
                autofocus=true
            />
            <p class="form-error" role="alert" aria-live="assertive">
                {move || refused.get().map(|e| e.user_message())}
            </p>
            <div class="actions">
                <button type="submit" class="button primary" aria-busy=move || reset.pending().get().to_string()>
                    "Reset and set up a new app"
                </button>
                <button type="button" class="button secondary" on:click=move |_| step.set(ResetStep::Closed)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
