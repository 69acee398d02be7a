use leptos::prelude::*;
use leptos_router::components::A;
use portcullis_api::MfaStatus;

use crate::api;
use crate::session::use_session;
use crate::text::{role_label, status_sentence};

/// The portal's home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let mfa = api::load(api::mfa());
    view! {
        {move || match mfa.get() {
            Some(Ok(o)) if matches!(o.status, MfaStatus::EnrollmentPeriod { .. } | MfaStatus::RequiredNoPeriod) => {
                Some(view! {
                    <div class="banner" role="status">
                        <p>{status_sentence(o.status)}</p>
                        <A href="/enroll">"Set up MFA now"</A>
                    </div>
                })
            }
            _ => None,
        }}
        {move || {
            session.user().map(|me| {
                view! {
                    <section class="card" aria-labelledby="home-title">
                        <h1 id="home-title">"Welcome, " {me.display_name.clone()}</h1>
                        <dl class="facts">
                            <dt>"Email"</dt>
                            <dd>{me.email.clone()}</dd>
                            <dt>"Role"</dt>
                            <dd>{role_label(me.role)}</dd>
                        </dl>
                        <p><A href="/security">"Security settings"</A></p>
                    </section>
                }
            })
        }}
    }
}
