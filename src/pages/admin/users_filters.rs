//! The filters of the users list, and the CSV export of what they match.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portcullis_api::UserFilter;
use portcullis_api::{AccountFilter, FactorKind};

use super::users_view::{show, UsersView};
use crate::paths::{by_name, status_name, FACTOR_KINDS, STATUS_FILTERS};
use crate::text::{account_filter_label, status_filter_label};

/// One form for every filter, applied together by its button: a select that
/// reloaded the list at each arrow key would move a keyboard user's page
/// under them while they look for an option.
#[component]
pub fn UsersFilters() -> impl IntoView {
    let view = expect_context::<UsersView>();
    let navigate = use_navigate();
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let required = RwSignal::new(String::new());
    let factor = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let account = RwSignal::new(String::new());
    // The groups to filter by (none yet: the field is left out).
    let groups = crate::api::load(crate::api::admin::groups());
    // The fields show the view the URL names, also after Back.
    Effect::new(move |_| {
        let q = view.query.get();
        search.set(q.search.clone());
        status.set(q.status.map(status_name).unwrap_or_default().to_string());
        required.set(q.required.map(|r| r.to_string()).unwrap_or_default());
        factor.set(
            q.factor
                .map(FactorKind::wire)
                .unwrap_or_default()
                .to_string(),
        );
        group.set(q.group.clone().unwrap_or_default());
        account.set(
            q.account
                .map(AccountFilter::wire)
                .unwrap_or_default()
                .to_string(),
        );
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let filter = UserFilter {
            search: Some(search.get_untracked().trim().to_string()).filter(|s| !s.is_empty()),
            status: by_name(&STATUS_FILTERS, status_name, &status.get_untracked()),
            required: match required.get_untracked().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            factor: by_name(&FACTOR_KINDS, FactorKind::wire, &factor.get_untracked()),
            group: Some(group.get_untracked()).filter(|g| !g.is_empty()),
            account: by_name(
                &AccountFilter::ALL,
                AccountFilter::wire,
                &account.get_untracked(),
            ),
        };
        show(&navigate, &view.query.get_untracked().with_filter(filter));
    };

    view! {
        <form class="filters" role="search" aria-label="Filter users" on:submit=on_submit>
            <div class="field">
                <label for="users-search">"Name or email starts with"</label>
                <input id="users-search" type="search" autocomplete="off" spellcheck="false" bind:value=search/>
            </div>
            <div class="field">
                <label for="users-status">"MFA status"</label>
                <select id="users-status" bind:value=status>
                    <option value="">"Any status"</option>
                    {STATUS_FILTERS
                        .into_iter()
                        .map(|s| view! { <option value=status_name(s)>{status_filter_label(s)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="users-account">"Account state"</label>
                <select id="users-account" bind:value=account>
                    <option value="">"Any state"</option>
                    {AccountFilter::ALL
                        .into_iter()
                        .map(|a| view! { <option value=a.wire()>{account_filter_label(a)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="users-required">"MFA required"</label>
                <select id="users-required" bind:value=required>
                    <option value="">"Required or not"</option>
                    <option value="true">"Required"</option>
                    <option value="false">"Not required"</option>
                </select>
            </div>
            <div class="field">
                <label for="users-factor">"Factor set up"</label>
                <select id="users-factor" bind:value=factor>
                    <option value="">"Any or none"</option>
                    {FACTOR_KINDS
                        .into_iter()
                        .map(|f| view! { <option value=f.wire()>{f.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            {move || {
                let list = groups.get().and_then(Result::ok).unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="field">
                        <label for="users-group">"Group"</label>
                        <select id="users-group" bind:value=group>
                            <option value="">"Any group or none"</option>
                            {list
                                .into_iter()
                                .map(|g| view! { <option value=g.id.clone()>{g.name.clone()}</option> })
                                .collect_view()}
                        </select>
                    </div>
                })
            }}
            <div class="filter-actions">
                <button type="submit" class="button primary">"Apply filters"</button>
                {move || {
                    view.query
                        .with(|q| q.is_filtered())
                        .then(|| {
                            let all = view.query.with(|q| q.with_filter(UserFilter::default()).url());
                            view! { <A href=all>"Clear filters"</A> }
                        })
                }}
                // The browser downloads it: `download` also keeps the
                // router from taking the click for a screen of the app.
                <a
                    class="export"
                    href=move || view.query.with(|q| q.csv_url())
                    download="users.csv"
                    rel="external"
                >
                    "Export CSV"
                    <span class="visually-hidden">" of the users this filter matches"</span>
                </a>
            </div>
        </form>
    }
}
