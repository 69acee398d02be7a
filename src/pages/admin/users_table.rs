//! The users table: sortable headers, a checkbox per row, the MFA status as
//! an icon and words with its details on hover and on keyboard focus, the
//! Protect device, and the pager.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portcullis_api::{AccountFilter, AdminUser, MfaStatus, TotpState, UserPage, UserSort};

use super::status_look::{account_icon, status_icon};
use super::users_view::{show, Picked, UsersView};
use crate::components::{Icon, IconKind};
use crate::paths::{admin_user_confirm_path, admin_user_path};
use crate::text::{days, mfa_status_label, role_label, users_count};
use crate::when::{local_date_time, since_text};

/// The details of a status: deadline and days left, factors set up.
fn status_details(u: &AdminUser) -> String {
    let mut lines = Vec::new();
    match (u.mfa, u.deadline) {
        (MfaStatus::EnrollmentPeriod { days_left }, Some(d)) => lines.push(format!(
            "Deadline {}, {} left.",
            local_date_time(d),
            days(days_left)
        )),
        (MfaStatus::EnrollmentExpired, Some(d)) => {
            lines.push(format!("Deadline passed on {}.", local_date_time(d)))
        }
        (_, Some(d)) => lines.push(format!("Deadline {}.", local_date_time(d))),
        (MfaStatus::RequiredNoPeriod, None) => {
            lines.push("No enrollment period: sets up at the next login.".to_string())
        }
        _ => lines.push(if u.mfa_required {
            "MFA required.".to_string()
        } else {
            "MFA not required.".to_string()
        }),
    }
    match u.totp {
        TotpState::Active { since, .. } => lines.push(format!(
            "Authenticator app set up on {}.",
            local_date_time(since)
        )),
        TotpState::Pending => lines.push("Authenticator app setup started, not finished.".into()),
        TotpState::NotSetUp => {}
    }
    lines.push(format!("Factors set up: {}.", factors_text_of(&u.factors)));
    lines.push(format!("Last MFA use: {}.", since_text(u.last_mfa_at)));
    lines.join(" ")
}

#[component]
pub fn UsersTable(
    /// The page of users to show (the last one loaded). The table itself
    /// stays in the page across loads, so a sort button or the pager keeps
    /// the keyboard focus while the rows change.
    page: Memo<Option<UserPage>>,
    /// A newer page is on its way (the table stays, marked busy).
    busy: RwSignal<bool>,
) -> impl IntoView {
    let view = expect_context::<UsersView>();
    let navigate = use_navigate();
    let on_page = Memo::new(move |_| {
        page.with(|p| {
            p.iter()
                .flat_map(|p| p.users.iter())
                .map(|u| Picked {
                    id: u.id.clone(),
                    name: u.display_name.clone(),
                })
                .collect::<Vec<_>>()
        })
    });
    let n = move || on_page.with(Vec::len);
    let picked_here = move || {
        on_page.with(|here| {
            view.picked.with(|p| {
                p.iter()
                    .filter(|x| here.iter().any(|h| h.id == x.id))
                    .count()
            })
        })
    };
    let all_here = move || n() > 0 && picked_here() == n();
    let some_here = move || picked_here() > 0 && !all_here();
    // Toggled from the state the box shows, not read back from the DOM
    // (one browser call less in the first download's glue).
    let toggle_all = move |_| {
        let on = !all_here();
        let here = on_page.get_untracked();
        view.picked.update(|p| {
            p.retain(|x| !here.iter().any(|h| h.id == x.id));
            if on {
                p.extend(here);
            }
        });
    };

    let header = {
        let navigate = navigate.clone();
        move |sort: UserSort, label: &'static str| {
            let navigate = navigate.clone();
            let aria_sort = move || {
                view.query.with(|q| match (q.sort == sort, q.desc) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                })
            };
            let arrow = move || match aria_sort() {
                "ascending" => IconKind::SortUp,
                "descending" => IconKind::SortDown,
                _ => IconKind::Sortable,
            };
            view! {
                <th scope="col" class="sortable" aria-sort=aria_sort>
                    <button
                        type="button"
                        class="sort"
                        on:click=move |_| show(&navigate, &view.query.get_untracked().sorted_by(sort))
                    >
                        {label}
                        <span class="sort-mark">{move || view! { <Icon kind=arrow()/> }}</span>
                    </button>
                </th>
            }
        }
    };

    let more = Memo::new(move |_| page.with(|p| p.as_ref().and_then(|p| p.next_after.clone())));
    let rows = move || {
        page.with(|p| {
            p.iter()
                .flat_map(|p| p.users.iter().cloned())
                .map(|u| view! { <UserRow user=u/> })
                .collect_view()
        })
    };
    let next = {
        let navigate = navigate.clone();
        move |_| {
            if let Some(after) = more.get_untracked() {
                show(&navigate, &view.query.get_untracked().next_page(&after));
            }
        }
    };
    let previous = move |_| show(&navigate, &view.query.get_untracked().previous_page());
    let page_number = move || view.query.with(|q| q.page_number());

    view! {
        <div class="table-wrap" aria-busy=move || busy.get().to_string()>
            // Focused when a selection is cleared or acted on (the bar that
            // had the focus goes away); on phones each row is a card.
            <table id="users-table" class="users user-list" tabindex="-1">
                <caption>
                    "Users and their MFA status"
                    <span class="hint">{move || format!(", page {}", page_number())}</span>
                </caption>
                <thead>
                    <tr>
                        <th scope="col" class="pick">
                            <input
                                type="checkbox"
                                aria-label="Select all users on this page"
                                prop:checked=all_here
                                prop:indeterminate=some_here
                                disabled=move || n() == 0
                                on:change=toggle_all
                            />
                        </th>
                        {header(UserSort::Name, "Name")}
                        {header(UserSort::Email, "Email")}
                        <th scope="col" class="plain">"Role"</th>
                        {header(UserSort::Status, "MFA status")}
                        <th scope="col" class="plain">"Factors"</th>
                        <th scope="col" class="plain">"Protect"</th>
                        {header(UserSort::Deadline, "Enrollment deadline")}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages of users">
            <button
                type="button"
                class="button secondary"
                disabled=move || page_number() == 1
                on:click=previous
            >
                "Previous page"
            </button>
            <span>{move || format!("Page {}", page_number())}</span>
            <button
                type="button"
                class="button secondary"
                disabled=move || more.with(Option::is_none)
                on:click=next
            >
                "Next page"
            </button>
        </nav>
        <p class="whole-filter">
            <input
                id="whole-filter"
                type="checkbox"
                prop:checked=move || view.whole_filter.get()
                on:change=move |_| view.whole_filter.update(|on| *on = !*on)
            />
            <label for="whole-filter">
                {move || {
                    // Only a list that fits one page knows how many users
                    // the filter matches (the API counts no totals).
                    if more.with(Option::is_none) && page_number() == 1 {
                        format!("Act on all {} matching this filter", users_count(n() as u32))
                    } else {
                        "Act on all users matching this filter, on every page".to_string()
                    }
                }}
            </label>
        </p>
    }
}

#[component]
fn UserRow(
    /// The user this row shows.
    user: AdminUser,
) -> impl IntoView {
    let view = expect_context::<UsersView>();
    // A suspended or invited account says so first: until that changes,
    // its MFA status does not matter to a sign-in.
    let (icon, tone) = if user.suspended {
        account_icon(AccountFilter::Suspended)
    } else if user.invited {
        account_icon(AccountFilter::Invited)
    } else {
        status_icon(user.mfa)
    };
    let details = status_details(&user);
    let tip_id = format!("tip-{}", user.id);
    let id = user.id.clone();
    let name = user.display_name.clone();
    let checked = {
        let id = id.clone();
        move || view.picked.with(|p| p.iter().any(|x| x.id == id))
    };
    let on_change = {
        let (id, name) = (id.clone(), name.clone());
        move |_| {
            view.picked.update(|p| {
                let was = p.iter().any(|x| x.id == id);
                p.retain(|x| x.id != id);
                if !was {
                    p.push(Picked {
                        id: id.clone(),
                        name: name.clone(),
                    });
                }
            });
        }
    };
    // Escape hides the details until the pointer or focus leaves (they
    // must be dismissible without moving away).
    let dismissed = RwSignal::new(false);
    // Only a user still in their enrollment period has a deadline to
    // watch; the others' (passed, or kept from before) are in the details.
    let deadline = match user.mfa {
        MfaStatus::EnrollmentPeriod { .. } => user.deadline.map(local_date_time),
        _ => None,
    };
    let no_deadline = deadline.is_none();
    // A suspended account can be given back from here: the user's page
    // opens with that confirmation.
    let reactivate = user.suspended.then(|| {
        view! {
            <a class="row-action" href=admin_user_confirm_path(&user.id, "reactivate")>
                "Reactivate…"
                <span class="visually-hidden">{format!(" {}", user.display_name)}</span>
            </a>
        }
    });
    view! {
        <tr>
            <td class="pick">
                <input
                    type="checkbox"
                    aria-label=format!("Select {}", user.display_name)
                    prop:checked=checked
                    on:change=on_change
                />
            </td>
            <td class="name"><A href=admin_user_path(&user.id)>{user.display_name.clone()}</A></td>
            <td class="email">{user.email}</td>
            <td data-label="Role">{role_label(user.role)}</td>
            <td class="status-cell" class:dismissed=move || dismissed.get()
                on:mouseleave=move |_| dismissed.set(false)
            >
                <button
                    type="button"
                    class=format!("status {tone}")
                    aria-describedby=tip_id.clone()
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            dismissed.set(true);
                        }
                    }
                    on:blur=move |_| dismissed.set(false)
                >
                    <span class="status-icon"><Icon kind=icon/></span>
                    // Invited: no password chosen yet, so nothing else applies yet.
                    {if user.suspended {
                        "Suspended".to_string()
                    } else if user.invited {
                        "Invited".to_string()
                    } else {
                        mfa_status_label(user.mfa)
                    }}
                </button>
                <span class="tip" role="tooltip" id=tip_id>{details}</span>
                {reactivate}
            </td>
            <td data-label="Factors">{factors_text_of(&user.factors)}</td>
            <td data-label="Protect">{protect_cell(user.protect_device)}</td>
            <td data-label="Deadline" class="deadline" class:empty=no_deadline>{deadline}</td>
        </tr>
    }
}

/// The Protect device's label, or a dash that a screen reader reads as
/// "Not enrolled" (a bare dash is read as "dash", or not at all).
fn protect_cell(label: Option<String>) -> AnyView {
    match label {
        Some(label) => label.into_any(),
        None => view! {
            <span aria-hidden="true">"—"</span>
            <span class="visually-hidden">"Not enrolled"</span>
        }
        .into_any(),
    }
}

/// The factors a user has set up, in words.
pub fn factors_text_of(f: &[portcullis_api::FactorKind]) -> String {
    if f.is_empty() {
        "None".to_string()
    } else {
        f.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")
    }
}
