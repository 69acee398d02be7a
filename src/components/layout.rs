use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::LazyUserMenu;
use crate::paths::Page;
use crate::state::{use_session, TitleAnnouncer};

/// The frame of every screen: a skip link, the header with the logo and,
/// once signed in, the main navigation and the user's menu (same height
/// either way), the main region, and the live region that announces each
/// new screen's title.
///
/// `web/index.html` holds a static copy of this frame around the login card
/// (painted before the wasm arrives): keep the two alike.
#[component]
pub fn Layout(
    /// The screen.
    children: Children,
) -> impl IntoView {
    let session = use_session();
    let announcer = expect_context::<TitleAnnouncer>();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href=Page::Home.path() attr:class="brand">
                // the logo mark is drawn by main.css
                <span class="brand-mark"></span>
                <span class="brand-name">"Portcullis"</span>
            </A>
            {move || session.user().map(|me| view! { <LazyUserMenu me=me/> })}
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <p class="visually-hidden" aria-live="polite" aria-atomic="true">
            {move || announcer.text()}
        </p>
    }
}
