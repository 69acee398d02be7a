use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portcullis_api::Me;

use crate::api;
use crate::components::{Icon, IconKind};
use crate::paths::{Page, ADMIN_PREFIX};
use crate::state::{use_session, ToastRegion};

/// The user's menu, out of its own wasm chunk: a signed-out visitor of
/// `/login` never needs it.
#[cfg(feature = "split")]
#[leptos::lazy]
fn user_menu_view(me: Me) -> AnyView {
    // styled by app.css: shown once it is in
    let styles = crate::styles::app_styles();
    Suspend::new(async move {
        let _ = styles.await;
        view! { <UserMenu me=me/> }
    })
    .into_any()
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

/// What a signed-in user has in the header: the main navigation (Home,
/// Security, Admin for administrators; the current one marked) and their
/// menu, a button with their name that opens their email and Sign out. The
/// menu is a disclosure, not an ARIA menu: Tab moves through it, Escape
/// closes it and gives the focus back to the button.
#[component]
pub fn UserMenu(
    /// The signed-in user.
    me: Me,
) -> impl IntoView {
    let (open, set_open) = signal(false);
    let button = NodeRef::<html::Button>::new();
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
        <nav class="primary-nav" aria-label="Main">
            // `A` marks the current page's link with aria-current; Home
            // only on its own address, Admin on all of the area's
            <A href=Page::Home.path() exact=true>"Home"</A>
            <A href=Page::Security.path()>"Security"</A>
            {is_admin.then(|| view! { <A href=ADMIN_PREFIX>"Admin"</A> })}
        </nav>
        <nav class="user-menu" aria-label="Account" on:keydown=on_key>
            <button
                type="button"
                class="menu-button"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-controls="user-menu-list"
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                <span class="menu-initial" aria-hidden="true">{initial(&me.display_name)}</span>
                <span class="menu-name">{me.display_name.clone()}</span>
                <Icon kind=IconKind::ChevronDown/>
            </button>
            <ul id="user-menu-list" class="menu-list" hidden=move || !open.get()>
                <li class="menu-email">{me.email.clone()}</li>
                <li><LogoutButton/></li>
            </ul>
        </nav>
        // signed-in screens' toasts (here: none before signing in)
        <ToastRegion/>
    }
}

/// The first letter of a name, for the round mark beside it.
fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default()
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
            "Sign out"
        </button>
        <span class="inline-error" role="alert">{move || error.get()}</span>
    }
}
