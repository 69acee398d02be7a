use leptos::prelude::*;
use leptos_router::components::A;

use crate::paths::Page;
use crate::state::PageTitle;

/// No screen at this address.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <PageTitle text="Page not found"/>
        <section class="card narrow" aria-labelledby="nf-title">
            <h1 id="nf-title">"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <p>
                <A href=Page::Home.path()>"Go to the portal home"</A>
            </p>
        </section>
    }
}
