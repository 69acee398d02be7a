use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_location;

use crate::pages::NotFound;
use crate::paths::{Page, ADMIN_PREFIX};

use super::users::UsersPage;

/// The administration area: its navigation and the screen the path names.
/// It picks the screen itself through [`Page`] instead of nested routes, so
/// that the router tables in the first download never grow with it.
#[component]
pub fn AdminArea() -> impl IntoView {
    let location = use_location();
    let screen = Memo::new(move |_| {
        let path = location.pathname.get();
        match Page::from_path(&path) {
            Some(page @ Page::AdminUsers) => Ok(page),
            _ if path.trim_end_matches('/') == ADMIN_PREFIX => Err(true),
            _ => Err(false),
        }
    });
    view! {
        <div class="admin">
            <nav class="admin-nav" aria-label="Administration">
                <A href=Page::AdminUsers.path()>"Users"</A>
            </nav>
            {move || match screen.get() {
                Ok(Page::AdminUsers) => view! { <UsersPage/> }.into_any(),
                // `/admin` itself: the first screen of the area.
                Err(true) => view! { <Redirect path=Page::AdminUsers.path()/> }.into_any(),
                _ => view! { <NotFound/> }.into_any(),
            }}
        </div>
    }
}
