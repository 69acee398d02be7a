//! One user as the admin details page shows them: the requirement and
//! status, each factor with when it was added and last used, the live
//! sessions, the latest "set up MFA" email and the latest events.

use portcullis_api::{AdminFactor, AdminSession, FactorKind, UserDetail};

use super::common::{admin_user, AdminError, FactorFacts};
use super::events::admin_event;
use super::export::factor_words;
use crate::app::AppState;
use crate::auth::session;
use crate::notify::Kind;
use crate::store;

/// How many of the user's events the page shows (the event log has the rest).
pub const EVENTS: u32 = 20;

/// The emails that ask the user to set up MFA by their deadline: the "MFA
/// required" one (also what an administrator's reminder sends), the
/// 24-hour reminder, and the one after a reset.
const SETUP_EMAILS: [Kind; 3] = [Kind::MfaRequired, Kind::MfaReminder, Kind::MfaReset];

/// The user with this id, or `NotFound`.
pub async fn detail(state: &AppState, id: &str) -> Result<UserDetail, AdminError> {
    let now = state.now();
    let row = store::users::listed(&state.db, id)
        .await?
        .ok_or(AdminError::NotFound)?;
    let confirmed = store::factors::confirmed(&state.db, id).await?;
    let facts = FactorFacts::new(confirmed.iter().map(|f| (f.kind, f.last_used_at)));
    let user = admin_user(&row, now, facts);
    // Security keys are told apart by the names their users gave them.
    let keys = store::webauthn::for_user(&state.db, id).await?;
    let factors = confirmed
        .into_iter()
        .map(|f| AdminFactor {
            label: match keys
                .iter()
                .find(|k| f.kind == FactorKind::Webauthn && k.id == f.id)
            {
                Some(key) => format!("{} “{}”", factor_words(f.kind), key.name),
                None => factor_words(f.kind).to_string(),
            },
            id: f.id,
            kind: f.kind,
            added_at: f.since,
            last_used_at: f.last_used_at,
        })
        .collect();
    // Only emails for the current requirement count: each new requirement
    // (Require MFA, Reset MFA) starts with its own email. An administrator,
    // required by role, may have no start: then every such email counts.
    let reminder_sent_at = if user.mfa_required {
        let kinds: Vec<&str> = SETUP_EMAILS.iter().map(|k| k.as_str()).collect();
        let since = row.user.mfa_required_at.unwrap_or(0);
        store::outbox::last_queued(&state.db, id, &kinds, since).await?
    } else {
        None
    };
    let sessions = store::sessions::for_user(&state.db, id)
        .await?
        .into_iter()
        .filter(|s| session::is_alive(&state.settings, s.last_seen_at, s.expires_at, now))
        .map(|s| AdminSession {
            signed_in: s.signed_in,
            methods: s.methods.split_whitespace().map(str::to_string).collect(),
            started_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            client_ip: s.client_ip,
            user_agent: s.user_agent,
        })
        .collect();
    let filter = store::audit::Filter {
        involving: Some(id.to_string()),
        ..Default::default()
    };
    let events = store::audit::page(&state.db, &filter, None, EVENTS)
        .await?
        .iter()
        .map(admin_event)
        .collect();
    let protect_device = crate::mfa::push::factor::device(state, id).await?;
    let groups = store::groups::of_user(&state.db, id)
        .await?
        .into_iter()
        .map(|g| portcullis_api::Group {
            id: g.id,
            name: g.name,
            members: u64::try_from(g.members).unwrap_or(0),
        })
        .collect();
    let temporary_access_until =
        store::temporary_access::valid_until(&state.db, id, state.now()).await?;
    Ok(UserDetail {
        user,
        factors,
        reminder_sent_at,
        sessions,
        events,
        protect_device,
        groups,
        temporary_access_until,
    })
}
