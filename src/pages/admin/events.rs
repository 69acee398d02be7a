//! `/admin/events`: the event log, newest first, a page at a time, with
//! filters by user, kind, outcome and days. Like the users list, the view
//! lives in the URL query ([`EventsQuery`]), so Back and bookmarks work.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use portcullis_api::{AdminEvent, EventOutcome, EventPage};

use crate::api::{self, ApiError};
use crate::components::{Icon, IconKind};
use crate::paths::{by_name, outcome_name, EventsQuery, Page, OUTCOMES};
use crate::state::PageTitle;
use crate::text::{event_kind_label, events_shown, EVENT_KINDS};
use crate::when::{local_date_time, local_instant};

#[derive(Debug, Clone)]
enum Loaded {
    Waiting,
    Page(EventPage),
    Failed(ApiError),
}

fn show(navigate: &impl Fn(&str, NavigateOptions), to: &EventsQuery) {
    navigate(
        &to.url(),
        NavigateOptions {
            scroll: false,
            ..Default::default()
        },
    );
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| {
            EventsQuery::from_params(|k| p.get(k), p.get_all("before").unwrap_or_default())
        })
    });
    let loaded = RwSignal::new(Loaded::Waiting);
    let busy = RwSignal::new(true);
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        let q = query.get();
        let ticket = latest.get_value().wrapping_add(1);
        latest.set_value(ticket);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::admin::events(&q.api_path(local_instant)).await;
            // only the latest request's answer is shown
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
        Loaded::Page(p) if !busy.get() => events_shown(p.events.len(), p.next_before.is_some()),
        _ => String::new(),
    };

    view! {
        <PageTitle text=Page::AdminEvents.title()/>
        <section class="card" aria-labelledby="events-title">
            <h1 id="events-title">"Events"</h1>
            <EventFilters query=query/>
            <p class="result-count" role="status" aria-live="polite">{count}</p>
            {move || match loaded.get() {
                Loaded::Waiting => Some(view! { <p class="loading">"Loading…"</p> }.into_any()),
                Loaded::Failed(e) => Some(
                    view! {
                        <p class="form-error" role="alert">{e.user_message()}</p>
                        <p><A href=Page::AdminEvents.path()>"Show every event, newest first"</A></p>
                    }
                    .into_any(),
                ),
                Loaded::Page(_) => None,
            }}
            <Show when=move || page.with(Option::is_some)>
                <EventsTable page=page busy=busy query=query/>
            </Show>
        </section>
    }
}

/// The filters, applied together by one button (as on the users list).
#[component]
fn EventFilters(query: Memo<EventsQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let user = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    Effect::new(move |_| {
        let q = query.get();
        user.set(q.user.clone());
        kind.set(q.kind.clone());
        outcome.set(q.outcome.map(outcome_name).unwrap_or_default().to_string());
        from.set(q.from.clone());
        to.set(q.to.clone());
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = EventsQuery {
            user: user.get_untracked().trim().to_string(),
            kind: kind.get_untracked(),
            outcome: by_name(&OUTCOMES, outcome_name, &outcome.get_untracked()),
            from: from.get_untracked(),
            to: to.get_untracked(),
            cursors: Vec::new(),
        };
        show(&navigate, &q);
    };
    view! {
        <form class="filters" role="search" aria-label="Filter events" on:submit=on_submit>
            <div class="field">
                <label for="events-user">"User’s email"</label>
                <input id="events-user" type="search" autocomplete="off" spellcheck="false" bind:value=user/>
            </div>
            <div class="field">
                <label for="events-kind">"Kind of event"</label>
                <select id="events-kind" bind:value=kind>
                    <option value="">"Any event"</option>
                    {EVENT_KINDS
                        .into_iter()
                        .map(|(k, words)| view! { <option value=k>{words}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="events-outcome">"Outcome"</label>
                <select id="events-outcome" bind:value=outcome>
                    <option value="">"Any outcome"</option>
                    <option value="success">"Succeeded"</option>
                    <option value="failure">"Refused"</option>
                </select>
            </div>
            <div class="field">
                <label for="events-from">"From (day)"</label>
                <input id="events-from" type="date" bind:value=from/>
            </div>
            <div class="field">
                <label for="events-to">"To (day, included)"</label>
                <input id="events-to" type="date" bind:value=to/>
            </div>
            <div class="filter-actions">
                <button type="submit" class="button primary">"Apply filters"</button>
                {move || query.with(|q| q.is_filtered()).then(|| {
                    view! { <A href=Page::AdminEvents.path()>"Clear filters"</A> }
                })}
            </div>
        </form>
    }
}

#[component]
fn EventsTable(
    page: Memo<Option<EventPage>>,
    busy: RwSignal<bool>,
    query: Memo<EventsQuery>,
) -> impl IntoView {
    let navigate = use_navigate();
    let more = Memo::new(move |_| page.with(|p| p.as_ref().and_then(|p| p.next_before.clone())));
    let rows = move || {
        page.with(|p| {
            p.iter()
                .flat_map(|p| p.events.iter().cloned())
                .map(|e| view! { <EventRow event=e/> })
                .collect_view()
        })
    };
    let page_number = move || query.with(|q| q.page_number());
    let next = {
        let navigate = navigate.clone();
        move |_| {
            if let Some(before) = more.get_untracked() {
                show(&navigate, &query.get_untracked().next_page(&before));
            }
        }
    };
    let previous = move |_| show(&navigate, &query.get_untracked().previous_page());
    view! {
        <div class="table-wrap" aria-busy=move || busy.get().to_string()>
            <table class="users events">
                <caption>
                    "Events, newest first"
                    <span class="hint">{move || format!(", page {}", page_number())}</span>
                </caption>
                <EventsHead/>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages of events">
            <button type="button" class="button secondary"
                disabled=move || page_number() == 1 on:click=previous
            >
                "Newer events"
            </button>
            <span>{move || format!("Page {}", page_number())}</span>
            <button type="button" class="button secondary"
                disabled=move || more.with(Option::is_none) on:click=next
            >
                "Older events"
            </button>
        </nav>
    }
}

/// Who did it, in words: never a bare "someone". A caller who was not
/// signed in is known by their address (the account they tried, if any,
/// is what the event is about, shown beside what happened).
fn actor_text(e: &AdminEvent) -> String {
    match (e.actor_kind.as_str(), &e.actor_email) {
        ("system", _) => "Portcullis".to_string(),
        ("anonymous", _) if e.client_ip.is_empty() => "Unknown visitor".to_string(),
        ("anonymous", _) => format!("Unknown visitor from {}", e.client_ip),
        ("admin", Some(email)) if Some(email) != e.subject_email.as_ref() => {
            format!("Admin {email}")
        }
        (_, Some(email)) => email.clone(),
        (_, None) => "A deleted account".to_string(),
    }
}

/// The head of an events table: time, who, what, outcome.
#[component]
pub fn EventsHead() -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th scope="col">"Time"</th>
                <th scope="col">"Who"</th>
                <th scope="col">"What"</th>
                <th scope="col">"Outcome"</th>
            </tr>
        </thead>
    }
}

/// One event: when, who (and from where), what happened to whom with its
/// details, and whether it succeeded, as an icon and words.
#[component]
pub fn EventRow(event: AdminEvent) -> impl IntoView {
    let (mark, tone, outcome) = match event.outcome {
        EventOutcome::Success => (IconKind::Ok, "ok", "Succeeded"),
        EventOutcome::Failure => (IconKind::Locked, "bad", "Refused"),
    };
    let actor = actor_text(&event);
    // The address is in the actor's words already for a visitor.
    let from = (event.actor_kind != "anonymous" && !event.client_ip.is_empty())
        .then(|| format!("from {}", event.client_ip));
    // A login's event names what it was for (User or Admin Portal, later
    // an app or a host).
    let detail = match &event.resource {
        Some(resource) => format!("{} — {resource}", event.detail),
        None => event.detail.clone(),
    };
    view! {
        <tr>
            <td class="when">{local_date_time(event.at)}</td>
            <td class="who">
                {actor}
                {from.map(|f| view! { <span class="event-more">{f}</span> })}
            </td>
            <td class="what">
                <span class="event-kind">{event_kind_label(&event.kind)}</span>
                {event.subject_email.map(|s| view! { " · "<span class="event-subject">{s}</span> })}
                {(!detail.is_empty()).then(|| view! { <span class="event-more">{detail}</span> })}
            </td>
            <td class=format!("result {tone}")>
                <span class="status-icon"><Icon kind=mark/></span>
                {outcome}
            </td>
        </tr>
    }
}
