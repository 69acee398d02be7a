//! `/security`: everything about how the user signs in: the authenticator
//! app, security keys and passkeys (`security_keys.rs`), recovery codes
//! (`recovery_codes.rs`), the password (`password.rs`), where they are signed in (`sessions.rs`) and
//! the browsers that skip the second factor (`trusted_browsers.rs`).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portcullis_api::{MfaOverview, TotpState};

use super::merge_notice::MergeNotice;
use super::password::ChangePassword;
use super::protect::ProtectPush;
use super::recovery_codes::RecoveryCodes;
use super::security_keys::SecurityKeys;
use super::sessions::{FactorsChanged, Sessions};
use super::signed_in_apps::SignedInApps;
use super::trusted_browsers::TrustedBrowsers;
use crate::api::{self, ApiError};
use crate::components::{on_code_submit, CodeField};
use crate::pages::ErrorPage;
use crate::paths::Page;
use crate::state::PageTitle;
use crate::text::status_sentence;
use crate::when::local_date;

#[component]
pub fn SecurityPage() -> impl IntoView {
    // A session that ended on the server is handled by the API client.
    let overview = api::load(api::mfa());
    provide_context(FactorsChanged(RwSignal::new(false)));
    view! {
        <PageTitle text=Page::Security.title()/>
        {move || match overview.get() {
            None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
            Some(Ok(o)) => view! {
                <section class="card" aria-labelledby="security-title">
                    <h1 id="security-title">"Security"</h1>
                    <Factors overview=o/>
                </section>
            }
            .into_any(),
            Some(Err(e)) => view! { <ErrorPage error=e/> }.into_any(),
        }}
    }
}

#[component]
fn Factors(
    /// The user's MFA status and factors.
    overview: MfaOverview,
) -> impl IntoView {
    view! {
        <p class="status-line">{status_sentence(overview.status)}</p>
        {overview.protect_merged_notice.then(|| view! { <MergeNotice/> })}
        <h2 id="totp-title">"Authenticator app"</h2>
        // A group, so that its name reaches assistive technology (a plain
        // `div` may not carry one: axe's aria-prohibited-attr).
        <div class="factor" role="group" aria-labelledby="totp-title">
            {match overview.totp {
                TotpState::Active { since, on_device } => view! {
                    <p>
                        <span class="badge ok">"Active"</span>
                        " Set up on " {local_date(since)}
                        {if on_device { ", on your Protect phone." } else { "." }}
                    </p>
                    <ResetAuthenticator on_device=on_device/>
                }
                .into_any(),
                TotpState::Pending | TotpState::NotSetUp => view! {
                    <p><span class="badge">"Not set up"</span></p>
                    <A href=Page::Enroll.with_next(Page::Security.path())>"Set up an authenticator app"</A>
                }
                .into_any(),
            }}
        </div>
        <ProtectPush/>
        <SecurityKeys/>
        <RecoveryCodes/>
        <ChangePassword/>
        <Sessions/>
        <TrustedBrowsers/>
        <SignedInApps/>
    }
}

/// Where a reset stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ResetStep {
    Closed,
    /// Asking for a current code.
    Asking,
}

/// "Reset Authenticator App": proves the current app with a code, removes
/// it, and goes straight to enrolling a new one. An app on the Protect
/// phone (unified) goes with the phone's push: the server resets both.
#[component]
fn ResetAuthenticator(
    /// The app is the Protect phone.
    on_device: bool,
) -> impl IntoView {
    let navigate = use_navigate();
    let (step, set_step) = signal(ResetStep::Closed);
    let code = RwSignal::new(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let (refused, set_refused) = signal(None::<ApiError>);

    let reset = Action::new_local(move |c: &String| {
        let c = c.clone();
        let navigate = navigate.clone();
        async move {
            match api::totp_reset(&c).await {
                Ok(_) => navigate(
                    &Page::Enroll.with_next(Page::Security.path()),
                    Default::default(),
                ),
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

    move || {
        match step.get() {
        ResetStep::Closed => view! {
            <button type="button" class="button secondary" on:click=move |_| set_step.set(ResetStep::Asking)>
                "Reset Authenticator App"
            </button>
        }
        .into_any(),
        ResetStep::Asking => view! {
            <form class="reset-form" on:submit=on_submit novalidate aria-labelledby="reset-title">
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
                    <button type="button" class="button secondary" on:click=move |_| set_step.set(ResetStep::Closed)>
                        "Cancel"
                    </button>
                </div>
            </form>
        }
        .into_any(),
    }
    }
}
