use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_location;

use crate::pages::NotFound;
use crate::paths::{admin_user_id, Page, ADMIN_PREFIX};

use super::apps::AppsPage;
use super::events::EventsPage;
use super::groups::GroupsPage;
use super::settings::SettingsPage;
use super::systems::SystemsPage;
use super::user::UserPage;
use super::users::UsersPage;

/// The screen a path of the area names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    Users,
    User(String),
    Mfa,
    Events,
    Groups,
    Apps,
    Systems,
    /// `/admin` itself: the first screen of the area.
    Home,
    Unknown,
}

fn screen_of(path: &str) -> Screen {
    match Page::from_path(path) {
        Some(Page::AdminUsers) => Screen::Users,
        Some(Page::AdminUser) => admin_user_id(path).map_or(Screen::Unknown, Screen::User),
        Some(Page::AdminMfa) => Screen::Mfa,
        Some(Page::AdminEvents) => Screen::Events,
        Some(Page::AdminGroups) => Screen::Groups,
        Some(Page::AdminApps) => Screen::Apps,
        Some(Page::AdminSystems) => Screen::Systems,
        _ if path.trim_end_matches('/') == ADMIN_PREFIX => Screen::Home,
        _ => Screen::Unknown,
    }
}

/// The administration area: its navigation and the screen the path names.
/// It picks the screen itself through [`Page`] instead of nested routes, so
/// that the router tables in the first download never grow with it.
#[component]
pub fn AdminArea() -> impl IntoView {
    let location = use_location();
    let screen = Memo::new(move |_| screen_of(&location.pathname.get()));
    // The area's own stylesheet (style/admin.css), loaded with it; the
    // screens wait for it, so that nothing shows unstyled (tooltips, for
    // one, are hidden by it).
    let styled = RwSignal::new(false);
    view! {
        <link
            rel="stylesheet"
            href=stylesheet_url()
            on:load=move |_| styled.set(true)
            // without it the area still works, only plainer
            on:error=move |_| styled.set(true)
        />
        <Show
            when=move || styled.get()
            fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }
        >
            <div class="admin">
                <nav class="admin-nav" aria-label="Administration">
                    // `A` marks the current screen's link with aria-current
                    <A href=Page::AdminUsers.path()>"Users"</A>
                    <A href=Page::AdminGroups.path()>"Groups"</A>
                    <A href=Page::AdminApps.path()>"Apps"</A>
                    <A href=Page::AdminSystems.path()>"Systems"</A>
                    <A href=Page::AdminEvents.path()>"Events"</A>
                    <A href=Page::AdminMfa.path()>"MFA settings"</A>
                </nav>
                {move || match screen.get() {
                    Screen::Users => view! { <UsersPage/> }.into_any(),
                    Screen::User(id) => view! { <UserPage id=id/> }.into_any(),
                    Screen::Mfa => view! { <SettingsPage/> }.into_any(),
                    Screen::Events => view! { <EventsPage/> }.into_any(),
                    Screen::Groups => view! { <GroupsPage/> }.into_any(),
                    Screen::Apps => view! { <AppsPage/> }.into_any(),
                    Screen::Systems => view! { <SystemsPage/> }.into_any(),
                    Screen::Home => view! { <Redirect path=Page::AdminUsers.path()/> }.into_any(),
                    Screen::Unknown => view! { <NotFound/> }.into_any(),
                }}
            </div>
        </Show>
    }
}

/// The admin stylesheet's address: beside the wasm chunks.
fn stylesheet_url() -> String {
    crate::styles::beside_chunks("admin.css")
}
