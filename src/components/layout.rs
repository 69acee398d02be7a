use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::LazyUserMenu;
use crate::paths::Page;
use crate::state::{use_session, TitleAnnouncer};

/// The logo mark: a portcullis in an accent square. Inline, so that the
/// first paint has it; its bars take the accent's text colour (main.css).
/// `web/index.html` holds the same markup.
pub const LOGO: &str = "<svg viewBox=\"0 0 24 24\" width=\"28\" height=\"28\" \
    focusable=\"false\" aria-hidden=\"true\"><rect width=\"24\" height=\"24\" rx=\"6\"/>\
    <path d=\"M6 19V10a6 6 0 0 1 12 0v9M9.3 5.8V19M12 4.5V19M14.7 5.8V19M6 12h12M6 15.5h12\"/></svg>";

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
                <span class="brand-mark" inner_html=LOGO></span>
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
