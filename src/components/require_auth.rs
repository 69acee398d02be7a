use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::nav::login_url;
use crate::session::{use_session, SessionState};

/// Shows its children to a signed-in user; sends anyone else to the login
/// page, which brings them back here afterwards.
#[component]
pub fn RequireAuth(
    /// The protected page.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || match session.state() {
        SessionState::Checking => view! {
            <p class="loading" role="status">"Loading…"</p>
        }
        .into_any(),
        SessionState::SignedOut => {
            // leptos_router gives the query without its leading '?'.
            let search = location.search.get_untracked();
            let here = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            view! { <Redirect path=login_url(&here)/> }.into_any()
        }
        SessionState::SignedIn(_) => children().into_any(),
    }
}
