//! The app: contexts, the frame, and the route tree with its guards.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::boot;
use crate::components::{AdminOnly, Layout, SignedInOnly};
use crate::pages::admin::AdminScreen;
use crate::pages::login::{
    EnrollScreen, ForgotScreen, LoginMfaScreen, LoginPage, SsoScreen, WelcomeScreen,
};
use crate::pages::portal::{HomeScreen, SecurityScreen};
use crate::pages::NotFound;
use crate::paths::Page;
use crate::state::{provide_session, provide_title};

#[component]
pub fn App() -> impl IntoView {
    provide_session();
    provide_title();
    view! {
        <Router>
            <TakeOverElsewhere/>
            <Layout>
                // The `path!` literals are `Page::path()`s (tests/logic.rs
                // checks that every Page is routed here).
                <Routes fallback=NotFound>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route
                        path=path!("/login/mfa")
                        view=LoginMfaScreen
                    />
                    // reachable half-signed-in (during login) and signed in
                    <Route
                        path=path!("/enroll")
                        view=EnrollScreen
                    />
                    // what a one-time link opens (invitation, setup link)
                    <Route
                        path=path!("/welcome")
                        view=WelcomeScreen
                    />
                    <Route
                        path=path!("/forgot")
                        view=ForgotScreen
                    />
                    // single sign-on: an app's sign-in request or sign-out
                    // (one lazy route that picks its screen)
                    <Route
                        path=path!("/sso/*any")
                        view=SsoScreen
                    />
                    <ParentRoute path=path!("") view=SignedInOnly>
                        <Route
                            path=path!("")
                            view=HomeScreen
                        />
                        <Route
                            path=path!("/security")
                            view=SecurityScreen
                        />
                        // One route for the whole admin area (one lazily
                        // loaded part): it picks its screens itself.
                        <ParentRoute path=path!("/admin") view=AdminOnly>
                            <Route path=path!("/*any") view=AdminScreen/>
                        </ParentRoute>
                    </ParentRoute>
                </Routes>
            </Layout>
        </Router>
    }
}

/// On any screen but the login form (which takes the static copy over
/// itself, keeping what was typed), the static copy of the login screen is
/// hidden by the page's own script: remove it once the app runs.
#[component]
fn TakeOverElsewhere() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        if Page::from_path(&location.pathname.get_untracked()) != Some(Page::Login) {
            boot::take_over();
        }
    });
}
