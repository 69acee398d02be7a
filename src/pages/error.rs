use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::ApiError;
use crate::paths::Page;
use crate::state::PageTitle;

/// A screen whose data could not be loaded: what went wrong, in words, and
/// the ways on.
#[component]
pub fn ErrorPage(
    /// Why the screen cannot be shown.
    error: ApiError,
) -> impl IntoView {
    view! {
        <PageTitle text="Something went wrong"/>
        <section class="card narrow" aria-labelledby="error-title">
            <h1 id="error-title">"Something went wrong"</h1>
            <p class="form-error" role="alert">{error.user_message()}</p>
            <p>"Reload the page to try again, or go to the portal home."</p>
            <p>
                <A href=Page::Home.path()>"Go to the portal home"</A>
            </p>
        </section>
    }
}
