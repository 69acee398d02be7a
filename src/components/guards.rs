//! The route tree's guards: parent routes whose view shows the child route
//! (`<Outlet/>`) only to those allowed, so no screen checks for itself.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;

use crate::pages::admin::Refused;
use crate::paths::login_url;
use crate::state::{use_session, SessionState};

/// What a guard shows. Derived in a memo, so a change of the signed-in
/// user's details does not rebuild the screen below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    Wait,
    Open,
    /// Not signed in: log in, then come back.
    LogIn,
    /// Signed in, but not allowed here.
    Refuse,
}

fn loading() -> AnyView {
    view! { <p class="loading" role="status">"Loading…"</p> }.into_any()
}

/// `/login?next=<here>`.
fn login_here() -> String {
    let location = use_location();
    // leptos_router gives the query without its leading '?'.
    let search = location.search.get_untracked();
    let here = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!("{}?{search}", location.pathname.get_untracked())
    };
    login_url(&here)
}

fn gate_view(gate: Memo<Gate>) -> impl IntoView {
    move || match gate.get() {
        Gate::Wait => loading(),
        Gate::Open => view! { <Outlet/> }.into_any(),
        Gate::LogIn => view! { <Redirect path=login_here()/> }.into_any(),
        Gate::Refuse => view! { <Refused/> }.into_any(),
    }
}

/// Signed-in users only; anyone else goes to the login page and back.
#[component]
pub fn SignedInOnly() -> impl IntoView {
    let session = use_session();
    let gate = Memo::new(move |_| match session.state() {
        SessionState::Checking => Gate::Wait,
        SessionState::SignedOut => Gate::LogIn,
        SessionState::SignedIn(_) => Gate::Open,
    });
    gate_view(gate)
}

/// Administrators only (inside [`SignedInOnly`]); anyone else reads that
/// the area is not theirs.
#[component]
pub fn AdminOnly() -> impl IntoView {
    let session = use_session();
    let gate = Memo::new(move |_| match session.state() {
        SessionState::Checking => Gate::Wait,
        SessionState::SignedOut => Gate::LogIn,
        SessionState::SignedIn(me) if me.role.is_admin() => Gate::Open,
        SessionState::SignedIn(_) => Gate::Refuse,
    });
    gate_view(gate)
}
