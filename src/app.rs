//! The app: session context, layout and routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::{Layout, RequireAuth};
use crate::routes::enroll::EnrollPage;
use crate::routes::home::HomePage;
use crate::routes::login::LoginPage;
use crate::routes::login_mfa::LoginMfaPage;
use crate::routes::not_found::NotFound;
use crate::routes::security::SecurityPage;
use crate::session::provide_session;

#[component]
pub fn App() -> impl IntoView {
    provide_session();
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/login/mfa") view=LoginMfaPage/>
                    // reachable half-signed-in (during login) and signed in
                    <Route path=path!("/enroll") view=EnrollPage/>
                    <Route
                        path=path!("/security")
                        view=|| view! { <RequireAuth><SecurityPage/></RequireAuth> }
                    />
                    <Route
                        path=path!("/")
                        view=|| view! { <RequireAuth><HomePage/></RequireAuth> }
                    />
                </Routes>
            </Layout>
        </Router>
    }
}
