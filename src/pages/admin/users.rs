//! `/admin/users`: every user with their MFA status, a page at a time, with
//! counts by status that filter it, filters, sorting, and bulk Require MFA
//! / Reset MFA from a bar that sticks to the bottom of the screen. Filter,
//! order and page live in the URL query ([`UsersQuery`]): the list follows
//! the address, and every change of view is a navigation, so Back and
//! bookmarks work.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use portcullis_api::UserPage;

use super::add_user::AddUser;
use super::bulk::SelectionBar;
use super::import_users::ImportUsers;
use super::users_filters::UsersFilters;
use super::users_summary::SummaryTiles;
use super::users_table::UsersTable;
use super::users_view::UsersView;
use crate::api::{self, ApiError};
use crate::paths::{Page, UsersQuery};
use crate::state::PageTitle;
use crate::text::users_shown;

/// The list as last asked for.
#[derive(Debug, Clone)]
enum Loaded {
    Waiting,
    Page(UserPage),
    Failed(ApiError),
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params
            .with(|p| UsersQuery::from_params(|k| p.get(k), p.get_all("after").unwrap_or_default()))
    });
    let view = UsersView {
        query,
        picked: RwSignal::new(Vec::new()),
        whole_filter: RwSignal::new(false),
        reload: RwSignal::new(0),
    };
    provide_context(view);

    let loaded = RwSignal::new(Loaded::Waiting);
    let busy = RwSignal::new(true);
    // Answers can arrive out of order (quick clicks on Next): only the
    // latest request's answer is shown.
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        let q = query.get();
        view.reload.track();
        let ticket = latest.get_value().wrapping_add(1);
        latest.set_value(ticket);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::admin::users(&q).await;
            if latest.try_get_value() == Some(ticket) {
                let _ = busy.try_set(false);
                let _ = loaded.try_set(match answer {
                    Ok(page) => Loaded::Page(page),
                    Err(e) => Loaded::Failed(e),
                });
            }
        });
    });

    let page = Memo::new(move |_| match loaded.get() {
        Loaded::Page(p) => Some(p),
        _ => None,
    });
    let count = move || match loaded.get() {
        Loaded::Page(p) if !busy.get() => users_shown(p.users.len(), p.next_after.is_some()),
        _ => String::new(),
    };

    view! {
        <PageTitle text=Page::AdminUsers.title()/>
        <section class="card" aria-labelledby="users-title">
            <h1 id="users-title">"Users"</h1>
            <SummaryTiles/>
            <div class="list-tools">
                <AddUser/>
                <ImportUsers/>
            </div>
            <UsersFilters/>
            // Announces the count after every load (filter, order, page,
            // bulk action), politely: it never interrupts.
            <p class="result-count" role="status" aria-live="polite">{count}</p>
            {move || match loaded.get() {
                Loaded::Waiting => Some(view! { <p class="loading">"Loading…"</p> }.into_any()),
                Loaded::Failed(e) => Some(
                    view! {
                        <p class="form-error" role="alert">{e.user_message()}</p>
                        <p><A href=Page::AdminUsers.path()>"Show every user, first page"</A></p>
                    }
                    .into_any(),
                ),
                Loaded::Page(_) => None,
            }}
            // Rendered once, then kept: see `UsersTable`.
            <Show when=move || page.with(Option::is_some)>
                <UsersTable page=page busy=busy/>
            </Show>
            // Last in the list's card: it sticks to the bottom of the
            // screen while the list is in view.
            <SelectionBar/>
        </section>
    }
}
