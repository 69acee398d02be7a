//! Trusted browsers: "Don't ask again on this browser for N days". A
//! successful second step may trust the browser it came from: the browser
//! gets a random 256-bit token in a long-lived cookie of its own (not the
//! session's), and the database keeps only a keyed hash of it, bound to
//! the user. At a later password login of that same user, a valid token
//! completes the login without the second factor — the password is always
//! checked first, and the session it makes holds no second factor, so
//! what needs a recent one still asks.
//!
//! Only while the organisation allows it (`OrgSettings::
//! trusted_browser_days`) and never for administrators: their powers need
//! a second factor at every login.

use portcullis_api::user_agent::browser_in_words;
use portcullis_api::{Role, TrustedBrowser};

use super::client::Client;
use super::Authed;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::notify::{self, format_utc, Kind};
use crate::rules::org_settings::{self, OrgSettings};
use crate::rules::requirement::DAY;
use crate::secret::Secret;
use crate::store::{self, users::User, Exec};

/// Why a change to the user's trusted browsers was refused.
#[derive(Debug)]
pub enum TrustError {
    /// The user has no trusted browser with this id.
    NotFound,
    Internal(Internal),
}

impl From<Internal> for TrustError {
    fn from(e: Internal) -> Self {
        TrustError::Internal(e)
    }
}

impl From<sqlx::Error> for TrustError {
    fn from(e: sqlx::Error) -> Self {
        TrustError::Internal(e.into())
    }
}

/// The cookie's value: only the browser ever holds it.
pub type TrustToken = Secret<String>;

/// A browser just trusted: the token for its cookie and for how long.
pub struct Issued {
    pub token: TrustToken,
    pub days: u32,
}

/// What a login does with the trust cookie it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognised {
    /// Valid for this user: the second factor is spared. The row's id.
    Trusted(String),
    /// Not for this login (another user's, or the user may not have one
    /// now): asked as usual, the cookie left alone.
    Ignored,
    /// Expired, revoked or switched off: asked as usual, and the browser
    /// is told to drop the cookie.
    Forget,
}

// The keyed hash's context: a token is looked up before its user is known.
const CONTEXT: &str = "trusted-browser";

fn hash(state: &AppState, token: &str) -> String {
    state.secrets.keyed_hash(CONTEXT, token)
}

use crate::secret::new_token;

/// For how many days a browser of a user with `role` may be trusted under
/// `settings`; `None`: not at all.
pub fn days_for(settings: &OrgSettings, role: Role) -> Option<u32> {
    if role.is_admin() {
        None
    } else {
        settings.trusted_browser_days
    }
}

/// When trust given at `created_at` ends now: its own end, or sooner if
/// the organisation has shortened the days since.
fn ends_at(settings_days: u32, created_at: Timestamp, expires_at: Timestamp) -> Timestamp {
    expires_at.min(created_at + i64::from(settings_days) * DAY)
}

/// The days "Don't ask again" offers `user` now; `None`: not offered.
pub async fn offered_days<'c>(db: impl Exec<'c>, user: &User) -> Result<Option<u32>, Internal> {
    let settings = org_settings::get(db).await?;
    Ok(days_for(&settings, user.role()))
}

/// Trusts the browser of `client` for `user`, who just passed a second
/// factor, if the organisation allows it for them: the row, its event and
/// its email, in the transaction of the login that passed it. `None`: not
/// allowed, nothing done.
pub async fn remember_in(
    tx: &mut store::Tx,
    state: &AppState,
    user: &User,
    client: &Client,
) -> Result<Option<Issued>, Internal> {
    let now = state.now();
    let Some(days) = offered_days(&mut **tx, user).await? else {
        return Ok(None);
    };
    let token = new_token();
    let browser = browser_in_words(&client.user_agent);
    let expires_at = now + i64::from(days) * DAY;
    store::trusted_browsers::insert(
        &mut **tx,
        &store::trusted_browsers::Row {
            id: uuid::Uuid::new_v4().to_string(),
            token_hash: hash(state, &token),
            user_id: user.id.clone(),
            browser: browser.clone(),
            ip: client.ip.clone(),
            created_at: now,
            last_used_at: None,
            expires_at,
        },
    )
    .await?;
    let detail = format!("{browser} trusted for {}", day_words(days));
    audit::record(
        &mut **tx,
        now,
        Event::by_user(EventKind::BrowserTrusted, &user.id, client, &detail),
    )
    .await?;
    let until = format!("\nTrusted until: {}\n", format_utc(expires_at));
    notify::queue_from(&mut **tx, now, Kind::BrowserTrusted, user, client, &until).await?;
    Ok(Some(Issued {
        token: Secret::new(token),
        days,
    }))
}

/// What the password login of `user` makes of the trust cookie `token`.
/// A row found expired (or no longer allowed) is deleted on the way.
pub async fn recognise(
    state: &AppState,
    token: &str,
    user: &User,
    now: Timestamp,
) -> Result<Recognised, Internal> {
    let token_hash = hash(state, token);
    let Some(row) = store::trusted_browsers::find(&state.db, &token_hash).await? else {
        return Ok(Recognised::Forget);
    };
    if row.user_id != user.id {
        // Someone else's on a shared browser: theirs to keep.
        return Ok(Recognised::Ignored);
    }
    let settings = org_settings::get(&state.db).await?;
    let Some(days) = settings.trusted_browser_days else {
        store::trusted_browsers::delete_by_hash(&state.db, &token_hash).await?;
        return Ok(Recognised::Forget);
    };
    if now >= ends_at(days, row.created_at, row.expires_at) {
        store::trusted_browsers::delete_by_hash(&state.db, &token_hash).await?;
        return Ok(Recognised::Forget);
    }
    if days_for(&settings, user.role()).is_none() {
        // Made an administrator since: asked every time, like any admin.
        return Ok(Recognised::Ignored);
    }
    Ok(Recognised::Trusted(row.id))
}

/// Records that the trusted browser `id` spared a second factor at `now`.
pub async fn used<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> Result<(), Internal> {
    store::trusted_browsers::touch(db, id, now).await?;
    Ok(())
}

/// The signed-in user's trusted browsers that still count, newest first;
/// `token` (this request's cookie) marks the current one.
pub async fn list(
    state: &AppState,
    authed: &Authed,
    token: Option<&str>,
) -> Result<Vec<TrustedBrowser>, Internal> {
    let settings = org_settings::get(&state.db).await?;
    let Some(days) = settings.trusted_browser_days else {
        return Ok(Vec::new());
    };
    let now = state.now();
    let current = token.map(|t| hash(state, t));
    let rows = store::trusted_browsers::for_user(&state.db, &authed.user.id).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let expires_at = ends_at(days, r.created_at, r.expires_at);
            (now < expires_at).then(|| TrustedBrowser {
                current: current.as_deref() == Some(r.token_hash.as_str()),
                id: r.id,
                browser: r.browser,
                ip: r.ip,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                expires_at,
            })
        })
        .collect())
}

/// Revokes one of the user's trusted browsers. Answers whether it was the
/// browser of `token` (this request's), whose cookie is then cleared.
pub async fn revoke(
    state: &AppState,
    authed: &Authed,
    id: &str,
    token: Option<&str>,
    client: &Client,
) -> Result<bool, TrustError> {
    let user_id = &authed.user.id;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let Some(row) = store::trusted_browsers::for_user(&mut *tx, user_id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
    else {
        return Err(TrustError::NotFound);
    };
    store::trusted_browsers::delete(&mut *tx, user_id, id).await?;
    let detail = format!("revoked the trust of {} ({})", row.browser, row.ip);
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::BrowserTrustRevoked, user_id, client, &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(token.is_some_and(|t| hash(state, t) == row.token_hash))
}

/// Revokes every trusted browser of the user.
pub async fn revoke_all(
    state: &AppState,
    authed: &Authed,
    client: &Client,
) -> Result<(), TrustError> {
    let user_id = &authed.user.id;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let n = store::trusted_browsers::delete_for_user(&mut *tx, user_id).await?;
    let detail = format!("revoked all trusted browsers ({n})");
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::BrowserTrustRevoked, user_id, client, &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets every trusted browser of the user, inside the transaction of a
/// change to their factors (their own app reset, a key removed, an
/// administrator's Reset MFA or removal): whoever the trust was given to
/// proved a factor that may now be in someone else's hands.
pub async fn forget_all<'c>(db: impl Exec<'c>, user_id: &str) -> Result<u64, Internal> {
    Ok(store::trusted_browsers::delete_for_user(db, user_id).await?)
}

fn day_words(days: u32) -> String {
    if days == 1 {
        "1 day".to_string()
    } else {
        format!("{days} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(days: Option<u32>) -> OrgSettings {
        OrgSettings {
            trusted_browser_days: days,
            ..crate::rules::org_settings::DEFAULTS
        }
    }

    #[test]
    fn administrators_are_never_offered_it_and_off_means_off() {
        assert_eq!(days_for(&settings(Some(30)), Role::User), Some(30));
        assert_eq!(days_for(&settings(Some(30)), Role::Admin), None);
        assert_eq!(days_for(&settings(Some(30)), Role::BillingAdmin), None);
        assert_eq!(days_for(&settings(None), Role::User), None);
    }

    #[test]
    fn fewer_days_in_the_settings_shorten_earlier_trust() {
        let t = 1_000_000;
        assert_eq!(ends_at(30, t, t + 30 * DAY), t + 30 * DAY);
        assert_eq!(ends_at(7, t, t + 30 * DAY), t + 7 * DAY);
        assert_eq!(ends_at(90, t, t + 30 * DAY), t + 30 * DAY);
    }

    #[test]
    fn tokens_are_256_bits_and_distinct() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
    }
}
