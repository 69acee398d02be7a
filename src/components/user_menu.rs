use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portcullis_api::Me;

use crate::api;
use crate::paths::Page;
use crate::state::use_session;

/// The user's menu, out of its own wasm chunk: a signed-out visitor of
/// `/login` never needs it.
#[cfg(feature = "split")]
#[leptos::lazy]
fn user_menu_view(me: Me) -> AnyView {
    view! { <UserMenu me=me/> }.into_any()
}

/// The signed-in user's menu, loaded when first shown.
#[component]
pub fn LazyUserMenu(
    /// The signed-in user.
    me: Me,
) -> impl IntoView {
    #[cfg(feature = "split")]
    {
        Suspend::new(async move { user_menu_view(me).await })
    }
    #[cfg(not(feature = "split"))]
    {
        view! { <UserMenu me=me/> }
    }
}

/// The signed-in user's menu: a button with their name that opens the list
/// Home, Security, Admin (administrators), Log out. A disclosure, not an
/// ARIA menu: Tab moves through the entries, Escape closes it and gives the
/// focus back to the button, choosing an entry closes it.
#[component]
pub fn UserMenu(
    /// The signed-in user.
    me: Me,
) -> impl IntoView {
    let (open, set_open) = signal(false);
    let button = NodeRef::<html::Button>::new();
    let close = move || set_open.set(false);
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            set_open.set(false);
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let is_admin = me.role.is_admin();
    view! {
        <nav class="user-menu" aria-label="Account" on:keydown=on_key>
            <button
                type="button"
                class="menu-button"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-controls="user-menu-list"
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                <span class="menu-name">{me.display_name.clone()}</span>
                <span class="menu-caret" aria-hidden="true">"▾"</span>
            </button>
            <ul id="user-menu-list" class="menu-list" hidden=move || !open.get()>
                <li><A href=Page::Home.path() on:click=move |_| close()>"Home"</A></li>
                <li><A href=Page::Security.path() on:click=move |_| close()>"Security"</A></li>
                {is_admin.then(|| view! {
                    <li><A href=Page::AdminUsers.path() on:click=move |_| close()>"Admin"</A></li>
                })}
                <li><LogoutButton/></li>
            </ul>
        </nav>
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
                    navigate(Page::Login.path(), Default::default());
                    session.signed_out();
                }
                Err(e) => set_error.set(Some(e.user_message())),
            }
        }
    });
    view! {
        <button
            type="button"
            class="menu-logout"
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
