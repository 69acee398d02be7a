//! `/security`: everything about how the user signs in. The sign-in
//! methods first (`methods.rs`: the authenticator app, the Protect phone,
//! security keys and passkeys, and adding one), then, in the same row
//! style, recovery codes (`recovery_codes.rs`), the password
//! (`password.rs`), where they are signed in (`sessions.rs`), the browsers
//! that skip the second factor (`trusted_browsers.rs`) and the apps they
//! signed in to (`signed_in_apps.rs`).

use leptos::prelude::*;
use portcullis_api::MfaOverview;

use super::merge_notice::MergeNotice;
use super::methods::SignInMethods;
use super::password::ChangePassword;
use super::recovery_codes::RecoveryCodes;
use super::sessions::{FactorsChanged, Sessions};
use super::signed_in_apps::SignedInApps;
use super::trusted_browsers::TrustedBrowsers;
use crate::api;
use crate::pages::ErrorPage;
use crate::paths::Page;
use crate::state::PageTitle;
use crate::text::status_sentence;

#[component]
pub fn SecurityPage() -> impl IntoView {
    // A session that ended on the server is handled by the API client.
    let overview = api::load(api::mfa());
    provide_context(FactorsChanged(RwSignal::new(false)));
    view! {
        <PageTitle text=Page::Security.title()/>
        {move || match overview.get() {
            // the page's outline while the first answer is on its way
            None => view! {
                <section class="card" aria-busy="true">
                    <h1>"Security"</h1>
                    <p class="loading skeleton-row" role="status">"Loading your security settings…"</p>
                </section>
            }
            .into_any(),
            Some(Ok(o)) => view! { <Sections overview=o/> }.into_any(),
            Some(Err(e)) => view! { <ErrorPage error=e/> }.into_any(),
        }}
    }
}

#[component]
fn Sections(
    /// The user's MFA status and factors.
    overview: MfaOverview,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="security-title">
            <h1 id="security-title">"Security"</h1>
            <p class="status-line">{status_sentence(overview.status)}</p>
            {overview.protect_merged_notice.then(|| view! { <MergeNotice/> })}
        </section>
        <SignInMethods overview=overview/>
        <section class="card"><RecoveryCodes/></section>
        <section class="card"><ChangePassword/></section>
        <section class="card"><Sessions/></section>
        <section class="card"><TrustedBrowsers/></section>
        <SignedInApps/>
    }
}
