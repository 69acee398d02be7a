//! The users list: filters, orders and keyset pages, with each user's
//! status as the login would judge it now.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portcullis_api::{
    AccountFilter, AdminUser, FactorKind, StatusFilter, UserPage, UserSort, UserSummary,
};

use super::common::{admin_user, AdminError, FactorFacts, PAGE_DEFAULT, PAGE_MAX};
use crate::app::AppState;
use crate::store::{self, user_list};

/// What the admin asked for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Start of an email or a name, in any case.
    pub search: Option<String>,
    pub status: Option<StatusFilter>,
    pub required: Option<bool>,
    pub factor: Option<FactorKind>,
    /// Only members of the group with this id.
    pub group: Option<String>,
    /// Only invited or only suspended accounts.
    pub account: Option<AccountFilter>,
    pub sort: UserSort,
    pub desc: bool,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
    pub limit: Option<u32>,
}

impl ListQuery {
    /// The store's page of this query.
    pub(crate) fn page(
        &self,
        after: Option<user_list::After>,
        limit: u32,
        now: i64,
    ) -> user_list::Page {
        user_list::Page {
            filter: self.filter(),
            sort: self.sort,
            desc: self.desc,
            after,
            limit,
            now,
        }
    }

    pub(crate) fn filter(&self) -> user_list::Filter {
        user_list::Filter {
            prefix: self
                .search
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_lowercase(),
            status: self.status,
            required: self.required,
            factor: self.factor,
            group: self.group.clone(),
            account: self.account,
        }
    }
}

const STALE: &str = "This page link does not fit this list any more. Start from the first page.";

/// The opaque `next_after` of a page: the order it belongs to, and the
/// last row's sort key and tie-breaker.
fn encode(sort: UserSort, after: &user_list::After) -> String {
    let part = |s: &str| URL_SAFE_NO_PAD.encode(s.as_bytes());
    format!(
        "{}.{}.{}",
        sort_name(sort),
        part(&after.key),
        part(&after.id)
    )
}

fn decode(sort: UserSort, text: &str) -> Result<user_list::After, AdminError> {
    let stale = || AdminError::Missing(STALE.into());
    let mut parts = text.split('.');
    let (Some(name), Some(key), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(stale());
    };
    if name != sort_name(sort) {
        return Err(stale());
    }
    let part = |s: &str| {
        URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(stale)
    };
    Ok(user_list::After {
        key: part(key)?,
        id: part(id)?,
    })
}

fn sort_name(sort: UserSort) -> &'static str {
    match sort {
        UserSort::Email => "email",
        UserSort::Name => "name",
        UserSort::Status => "status",
        UserSort::Deadline => "deadline",
    }
}

/// One page of the list.
pub async fn list(state: &AppState, q: &ListQuery) -> Result<UserPage, AdminError> {
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    // An empty `after` is the first page (a form field left blank).
    let after = q
        .after
        .as_deref()
        .filter(|a| !a.is_empty())
        .map(|a| decode(q.sort, a))
        .transpose()?;
    let now = state.now();
    let rows = user_list::page(&state.db, &q.page(after, limit + 1, now)).await?;
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let ids: Vec<String> = rows.iter().map(|r| r.listed.user.id.clone()).collect();
    let uses = store::factors::uses_of(&state.db, &ids).await?;
    let users: Vec<AdminUser> = rows
        .iter()
        .map(|r| admin_user(&r.listed, now, FactorFacts::of(&uses, &r.listed.user.id)))
        .collect();
    let next_after = match rows.last() {
        Some(last) if more => Some(encode(q.sort, &after_of(q.sort, last))),
        _ => None,
    };
    Ok(UserPage { users, next_after })
}

/// How many users match the query's filter.
pub async fn count(state: &AppState, q: &ListQuery) -> Result<u64, AdminError> {
    let n = user_list::count(&state.db, &q.filter(), state.now()).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// How many users are in each MFA status (judged now, as the list judges
/// them), and how many are invited or suspended.
pub async fn summary(state: &AppState) -> Result<UserSummary, AdminError> {
    let now = state.now();
    let to_u32 = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let mut s = UserSummary::default();
    for (rank, users) in user_list::status_counts(&state.db, now).await? {
        // The ranks are the positions in `StatusFilter::ALL`.
        if let Some(status) = usize::try_from(rank)
            .ok()
            .and_then(|r| StatusFilter::ALL.get(r))
        {
            *s.of_status_mut(*status) = to_u32(users);
            s.total = s.total.saturating_add(to_u32(users));
        }
    }
    for account in AccountFilter::ALL {
        let filter = user_list::Filter {
            account: Some(account),
            ..Default::default()
        };
        let n = to_u32(user_list::count(&state.db, &filter, now).await?);
        match account {
            AccountFilter::Invited => s.invited = n,
            AccountFilter::Suspended => s.suspended = n,
        }
    }
    Ok(s)
}

/// The `next_after` of a page that ends after the first `offset` users of
/// the query: a deep link into the list (benchmarks start there).
pub async fn cursor_at(
    state: &AppState,
    q: &ListQuery,
    offset: u32,
) -> Result<Option<String>, AdminError> {
    let rows = user_list::page(&state.db, &q.page(None, offset, state.now())).await?;
    Ok(rows
        .last()
        .map(|last| encode(q.sort, &after_of(q.sort, last))))
}

/// The database's plan for one page of the query.
pub async fn explain(
    state: &AppState,
    backend: store::Backend,
    q: &ListQuery,
) -> Result<Vec<String>, AdminError> {
    let after = q.after.as_deref().map(|a| decode(q.sort, a)).transpose()?;
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX) + 1;
    let plan =
        user_list::explain_page(&state.db, backend, &q.page(after, limit, state.now())).await?;
    Ok(plan)
}

/// Where the next page starts after `last`.
pub(super) fn after_of(sort: UserSort, last: &user_list::Row) -> user_list::After {
    let tie = if sort == UserSort::Email {
        last.listed.user.id.clone()
    } else {
        last.listed.user.email.clone()
    };
    user_list::After {
        key: last.sort_key.clone(),
        id: tie,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_their_order() {
        let after = user_list::After {
            key: "Zoë. O'Neil".into(),
            id: "a.b@example.com".into(),
        };
        let text = encode(UserSort::Name, &after);
        assert_eq!(decode(UserSort::Name, &text).ok(), Some(after));
        assert!(decode(UserSort::Email, &text).is_err());
        for bad in ["", "name", "name.x", "name.!!.x", "name.a.b.c"] {
            assert!(decode(UserSort::Name, bad).is_err(), "{bad}");
        }
    }
}
