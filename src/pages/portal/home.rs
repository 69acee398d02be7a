//! `/`: the portal's home — who you are, your MFA status, what to do next.

use leptos::prelude::*;
use leptos_router::components::A;
use portcullis_api::{FactorKind, MfaOverview};

use super::my_apps::MyApps;
use crate::api;
use crate::components::{Icon, IconKind};
use crate::pages::ErrorPage;
use crate::paths::Page;
use crate::state::{use_session, PageTitle};
use crate::text::{days, next_step, role_label, status_sentence, NextStep};

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let mfa = api::load(api::mfa());
    view! {
        <PageTitle text=Page::Home.title()/>
        {move || session.user().map(|me| view! {
            <section class="card" aria-labelledby="home-title">
                <h1 id="home-title">"Welcome, " {me.display_name.clone()}</h1>
                <dl class="facts">
                    <dt>"Email"</dt>
                    <dd>{me.email.clone()}</dd>
                    <dt>"Role"</dt>
                    <dd>{role_label(me.role)}</dd>
                </dl>
            </section>
        })}
        <MyApps/>
        {move || match mfa.get() {
            None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
            Some(Ok(o)) => view! { <MfaCard overview=o/> }.into_any(),
            Some(Err(e)) => view! { <ErrorPage error=e/> }.into_any(),
        }}
    }
}

/// The MFA status in a sentence and the one thing to do next.
#[component]
fn MfaCard(
    /// The user's MFA status and factors.
    overview: MfaOverview,
) -> impl IntoView {
    let enroll = Page::Enroll.with_next(Page::Home.path());
    let step = match next_step(&overview) {
        NextStep::SetUpRequired { days_left } => view! {
            <p>
                {match days_left {
                    Some(n) => format!("Set up an authenticator app within {}.", days(n)),
                    None => "Set up an authenticator app now.".to_string(),
                }}
            </p>
            <p><A href=enroll attr:class="button primary inline">"Set up MFA now"</A></p>
        }
        .into_any(),
        NextStep::SetUpOptional => view! {
            <p>"Protect your account with a code from your phone at each login."</p>
            <p><A href=enroll>"Set up an authenticator app"</A></p>
        }
        .into_any(),
        NextStep::Protected { factors } => view! {
            <h3>"Your sign-in methods"</h3>
            <ul class="rows">
                {factors.into_iter().map(|f| view! {
                    <li class="row method">
                        <Icon kind=IconKind::of_factor(f)/>
                        <span>{factor_name(f)}</span>
                    </li>
                }).collect_view()}
            </ul>
            <p><A href=Page::Security.path()>"Manage your sign-in methods or add another"</A></p>
        }
        .into_any(),
        NextStep::AskAdministrator => view! {
            <p>"Ask your administrator to give you a new enrollment period."</p>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="mfa-status-title">
            <h2 id="mfa-status-title">"Multi-factor authentication"</h2>
            <p class="status-line" role="status">{status_sentence(overview.status)}</p>
            {step}
        </section>
    }
}

/// How the home page names a kind of sign-in method (all keys in one line).
fn factor_name(kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::Webauthn => "Security keys or passkeys",
        other => other.label(),
    }
}
