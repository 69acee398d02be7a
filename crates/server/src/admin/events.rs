//! The event log for administrators: newest first, filtered by user, kind,
//! outcome and time, a page at a time.

use portcullis_api::{AdminEvent, EventOutcome, EventPage};

use super::common::{AdminError, PAGE_DEFAULT, PAGE_MAX};
use crate::app::AppState;
use crate::audit::EventKind;
use crate::clock::Timestamp;
use crate::store;

/// What the admin asked for.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// The email of the user the events are about.
    pub user: Option<String>,
    pub kind: Option<String>,
    pub outcome: Option<EventOutcome>,
    /// Unix seconds, inclusive.
    pub from: Option<Timestamp>,
    /// Unix seconds, exclusive.
    pub to: Option<Timestamp>,
    /// The `next_before` of the previous page.
    pub before: Option<String>,
    pub limit: Option<u32>,
}

const STALE: &str = "This page link does not fit the event log. Start from the newest events.";

fn outcome_of(kind: &str) -> EventOutcome {
    match EventKind::parse(kind) {
        Some(k) if k.is_failure() => EventOutcome::Failure,
        _ => EventOutcome::Success,
    }
}

/// An event as the log shows it (the user details page shows the same).
pub(super) fn admin_event(r: &store::audit::Listed) -> AdminEvent {
    AdminEvent {
        id: r.id.clone(),
        at: r.at,
        kind: r.kind.clone(),
        outcome: outcome_of(&r.kind),
        subject_id: r.subject_id.clone(),
        subject_email: r.subject_email.clone(),
        actor_kind: r.actor_kind.clone(),
        actor_email: r.actor_email.clone(),
        client_ip: r.client_ip.clone(),
        detail: r.detail.clone(),
        resource: r.resource.clone(),
    }
}

/// One page of the log.
pub async fn events(state: &AppState, q: &EventQuery) -> Result<EventPage, AdminError> {
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let mut kinds: Vec<EventKind> = match q.kind.as_deref().map(str::trim) {
        None | Some("") => EventKind::ALL.to_vec(),
        Some(name) => vec![EventKind::parse(name)
            .ok_or_else(|| AdminError::Missing(format!("There is no event kind \"{name}\".")))?],
    };
    if let Some(outcome) = q.outcome {
        kinds.retain(|k| k.is_failure() == (outcome == EventOutcome::Failure));
    }
    // A range that ends before it starts holds no events.
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            kinds.clear();
        }
    }
    let before = match q.before.as_deref().filter(|b| !b.is_empty()) {
        None => None,
        Some(text) => {
            let (at, id) = text
                .split_once('.')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id)))
                .filter(|(_, id)| !id.is_empty())
                .ok_or_else(|| AdminError::Missing(STALE.into()))?;
            Some((at, id.to_string()))
        }
    };
    if kinds.is_empty() {
        return Ok(EventPage {
            events: Vec::new(),
            next_before: None,
        });
    }
    let filter = store::audit::Filter {
        subject_email: q
            .user
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty()),
        involving: None,
        // Every kind is the same as no kind filter (and a shorter query).
        kinds: if kinds.len() == EventKind::ALL.len() {
            Vec::new()
        } else {
            kinds.iter().map(|k| k.as_str()).collect()
        },
        from: q.from,
        to: q.to,
    };
    let before_ref = before.as_ref().map(|(at, id)| (*at, id.as_str()));
    let rows = store::audit::page(&state.db, &filter, before_ref, limit + 1).await?;
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_before = match rows.last() {
        Some(last) if more => Some(format!("{}.{}", last.at, last.id)),
        _ => None,
    };
    let events = rows.iter().map(admin_event).collect();
    Ok(EventPage {
        events,
        next_before,
    })
}
