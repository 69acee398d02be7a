use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::session::use_session;

/// The frame of every page: a skip link, the header with the signed-in
/// user and log-out, and the main region.
#[component]
pub fn Layout(
    /// The page.
    children: Children,
) -> impl IntoView {
    let session = use_session();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"▦"</span>
                " Portcullis"
            </A>
            {move || session.user().map(|me| view! { <UserMenu name=me.display_name/> })}
        </header>
        <main id="main" tabindex="-1">{children()}</main>
    }
}

/// The signed-in user's name and the log-out button.
#[component]
fn UserMenu(
    /// Display name of the signed-in user.
    name: String,
) -> impl IntoView {
    view! {
        <div class="user-menu">
            <span class="user-name">{name}</span>
            <LogoutButton/>
        </div>
    }
}

/// Ends the session on the server, then goes to the login page.
#[component]
pub fn LogoutButton() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let (error, set_error) = signal(None::<String>);
    let logout = Action::new_local(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            match api::logout().await {
                Ok(()) => {
                    // Leave the page first, so the guard of the page being
                    // left does not remember it as the place to come back to.
                    navigate("/login", Default::default());
                    session.signed_out();
                }
                Err(e) => set_error.set(Some(e.user_message())),
            }
        }
    });
    view! {
        <button
            type="button"
            class="button secondary"
            on:click=move |_| {
                logout.dispatch(());
            }
            disabled=move || logout.pending().get()
        >
            "Log out"
        </button>
        <span class="inline-error" role="alert">{move || error.get()}</span>
    }
}
