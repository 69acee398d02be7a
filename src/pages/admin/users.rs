use leptos::prelude::*;
use portcullis_api::UserPage;

use crate::api;
use crate::pages::ErrorPage;
use crate::paths::Page;
use crate::state::PageTitle;
use crate::text::{mfa_status_label, role_label};

/// `/admin/users`: the people of the organisation and their MFA status.
/// (A first, read-only version; the admin screens come later.)
#[component]
pub fn UsersPage() -> impl IntoView {
    let users = api::load(api::admin::users());
    view! {
        <PageTitle text=Page::AdminUsers.title()/>
        {move || match users.get() {
            None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
            Some(Ok(page)) => view! { <UserTable page=page/> }.into_any(),
            Some(Err(e)) => view! { <ErrorPage error=e/> }.into_any(),
        }}
    }
}

#[component]
fn UserTable(
    /// One page of users, from the server.
    page: UserPage,
) -> impl IntoView {
    let count = page.users.len();
    view! {
        <section class="card" aria-labelledby="users-title">
            <h1 id="users-title">"Users"</h1>
            <p class="hint" role="status">{format!("{count} shown")}</p>
            <div class="table-wrap">
                <table class="users">
                    <caption class="visually-hidden">"Users and their MFA status"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"MFA"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.users.into_iter().map(|u| view! {
                            <tr>
                                <td>{u.display_name}</td>
                                <td>{u.email}</td>
                                <td>{role_label(u.role)}</td>
                                <td>{mfa_status_label(u.mfa)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
