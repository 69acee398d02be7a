use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="nf-title">
            <h1 id="nf-title">"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <p>
                <A href="/">"Go to the portal home"</A>
            </p>
        </section>
    }
}
