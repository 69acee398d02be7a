use leptos::prelude::*;
use leptos_router::components::A;

use crate::paths::Page;
use crate::state::PageTitle;

/// What a signed-in user who is not an administrator sees under `/admin`.
/// Part of the guard, so it is in the first download (and small): the admin
/// chunk is never fetched for them.
#[component]
pub fn Refused() -> impl IntoView {
    view! {
        <PageTitle text="Administrators only"/>
        <section class="card narrow" aria-labelledby="refused-title">
            <h1 id="refused-title">"Administrators only"</h1>
            <p role="alert">
                "Your account is not an administrator, so administration is not available to you. "
                "If you need it, ask an administrator of your organisation."
            </p>
            <p>
                <A href=Page::Home.path()>"Go to the portal home"</A>
            </p>
        </section>
    }
}
