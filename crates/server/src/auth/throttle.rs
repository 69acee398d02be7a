//! Throttling of failed attempts with growing delays, kept in the database so
//! that several server instances share the counters.
//!
//! Policy for passwords: three counters per attempt —
//! the account from this client, the client alone, and the account from
//! anywhere. Each allows some free failures, then blocks for a delay that
//! doubles with every further failure, up to a cap. The account-wide counter
//! has a low cap (60 s), so an attacker spraying one account from many
//! addresses slows its owner down but cannot lock them out for a long time;
//! the per-client counters have a high cap (15 min), which makes guessing
//! from one place hopeless. A success clears the account's counters;
//! counters also fall back to zero after a quiet period.
//!
//! On top of the delays, the account counters of the password and of each
//! factor count failures *in a row*, which no quiet period resets: at
//! [`CONSECUTIVE_CAP`] (100, the most that current federal guidance on
//! authenticators allows) the password or
//! factor is suspended until an administrator unlocks it (or an operator,
//! `portcullis-server unlock --email`). The delays below the cap make
//! reaching it take days, and administrators are emailed once when an
//! account reaches [`NEAR_CAP`].
//!
//! The cap must not be a switch anyone can use to lock the owner out: a
//! browser that passed the password before carries a device cookie
//! (`auth::device_cookie`), and its password attempts count on a counter
//! of their own ([`device_counter`], growing delays, no suspension) instead
//! of the account's and the client's. Recovery codes have a counter apart
//! from the authenticator app's, so wrong guesses of one never use up the
//! other's tries.

use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::error::Internal;
use crate::notify;
use crate::store::{self, Db, Exec};

/// Failures in a row after which a password or factor is suspended.
pub const CONSECUTIVE_CAP: i64 = 100;

/// Failures in a row at which administrators are emailed that an account
/// nears [`CONSECUTIVE_CAP`] (once: only one attempt counts this one).
pub const NEAR_CAP: i64 = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before the first delay.
    pub free: i64,
    /// Delay after the first counted failure, doubled for each further one.
    pub base_secs: i64,
    /// Longest delay.
    pub cap_secs: i64,
    /// A failure after this much quiet starts the count again.
    pub reset_after_secs: i64,
    /// Whether failures in a row suspend at [`CONSECUTIVE_CAP`] (the
    /// account counters; never a per-client one, which an attacker could
    /// use to suspend a victim's network).
    pub suspends: bool,
}

impl Policy {
    /// Seconds to block after `failures` consecutive failures.
    pub fn delay(&self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(30) as u32;
        self.base_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.cap_secs)
    }
}

/// Password failures for one account from one client.
pub const PASSWORD_ACCOUNT_CLIENT: Policy = Policy {
    free: 5,
    base_secs: 15,
    cap_secs: 15 * 60,
    reset_after_secs: 24 * 3600,
    suspends: false,
};
/// Password failures from one client, over all accounts (spraying).
pub const PASSWORD_CLIENT: Policy = Policy {
    free: 20,
    base_secs: 15,
    cap_secs: 15 * 60,
    reset_after_secs: 3600,
    suspends: false,
};
/// Password failures for one account from anywhere (distributed guessing).
pub const PASSWORD_ACCOUNT: Policy = Policy {
    free: 10,
    base_secs: 5,
    cap_secs: 60,
    reset_after_secs: 24 * 3600,
    suspends: true,
};

/// Password failures of one account from a browser that passed its
/// password before (a valid device cookie): like the account-and-client
/// counter, it delays, never suspends — whoever stole the cookie guesses
/// no faster than from anywhere else, and the owner's own browser is
/// never locked out by someone else's guesses.
pub const PASSWORD_DEVICE: Policy = Policy {
    free: 5,
    base_secs: 15,
    cap_secs: 15 * 60,
    reset_after_secs: 24 * 3600,
    suspends: false,
};

/// Wrong one-time codes for one factor of one account. Three
/// free tries, then a block that outlasts the current 30-second step and
/// doubles with each further failure up to 15 minutes: at most a few
/// hundred guesses a day against a million codes.
pub const CODE_ACCOUNT: Policy = Policy {
    free: 3,
    base_secs: 30,
    cap_secs: 15 * 60,
    reset_after_secs: 24 * 3600,
    suspends: true,
};

/// Wrong current passwords at a password change: delays as for codes, but
/// never a suspension (the session is signed in already; nothing to
/// unlock).
pub const PASSWORD_CHANGE: Policy = Policy {
    suspends: false,
    ..CODE_ACCOUNT
};

/// Whose account a suspending counter guards, so administrators can be
/// told when it nears the cap.
#[derive(Debug, Clone)]
enum Owner {
    /// The typed email (maybe of nobody).
    Email(String),
    UserId(String),
}

/// A counter: what is counted, under which policy.
#[derive(Debug, Clone)]
pub struct Counter {
    key: String,
    policy: Policy,
    /// The account and what of it is counted, in words ("password").
    owner: Option<(Owner, &'static str)>,
}

impl Counter {
    /// `parts` name what is counted, e.g. `["pw-acct", email]`.
    pub fn new(parts: &[&str], policy: Policy) -> Self {
        Counter {
            key: key_of(parts),
            policy,
            owner: None,
        }
    }

    fn owned(mut self, owner: Owner, what: &'static str) -> Self {
        self.owner = Some((owner, what));
        self
    }

    /// What of the account is counted, in words.
    pub fn what(&self) -> &'static str {
        self.owner.as_ref().map_or("attempts", |(_, w)| w)
    }
}

/// Only a hash of what is counted is stored, so mistyped emails (or
/// passwords typed into the email field) do not sit in the database.
/// Lengths are hashed too, so `["ab", "c"]` and `["a", "bc"]` differ.
fn key_of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The three counters of a password attempt: (account from this client,
/// this client, account from anywhere). `email` is normalised.
pub fn password_counters(email: &str, client_key: &str) -> [Counter; 3] {
    [
        Counter::new(
            &["pw-acct-client", email, client_key],
            PASSWORD_ACCOUNT_CLIENT,
        ),
        Counter::new(&["pw-client", client_key], PASSWORD_CLIENT),
        password_account(email),
    ]
}

/// The account-wide password counter (the one that suspends).
pub fn password_account(email: &str) -> Counter {
    Counter::new(&["pw-acct", email], PASSWORD_ACCOUNT)
        .owned(Owner::Email(email.to_string()), "password")
}

/// The password counter of one browser that holds a valid device cookie
/// of the user (`device` is the cookie's id).
pub fn device_counter(user_id: &str, device: &str) -> Counter {
    Counter::new(&["pw-device", user_id, device], PASSWORD_DEVICE)
}

/// The counter of wrong codes for one factor of one user.
pub fn factor_counter(factor: &str, user_id: &str) -> Counter {
    let what = match factor {
        TOTP => "authenticator app",
        RECOVERY => "recovery codes",
        TEMPORARY => "temporary access codes",
        _ => "second factor",
    };
    Counter::new(&["code", factor, user_id], CODE_ACCOUNT)
        .owned(Owner::UserId(user_id.to_string()), what)
}

/// The counter of wrong current passwords typed to change the password,
/// in a signed-in session: its own, so that a session someone found open
/// cannot spend the login's attempts, nor the other way round.
pub fn password_change_counter(user_id: &str) -> Counter {
    Counter::new(&["pw-change", user_id], PASSWORD_CHANGE)
}

/// The name of the authenticator app in throttle keys.
pub const TOTP: &str = "totp";

/// The name of recovery codes in throttle keys: their own counter, apart
/// from the authenticator app's.
pub const RECOVERY: &str = "recovery";

/// The name of helpdesk temporary access codes in throttle keys.
pub const TEMPORARY: &str = "temporary";

/// Every counter of an account that can suspend it: what an unlock clears.
pub fn account_counters(email: &str, user_id: &str) -> [Counter; 4] {
    [
        password_account(email),
        factor_counter(TOTP, user_id),
        factor_counter(RECOVERY, user_id),
        factor_counter(TEMPORARY, user_id),
    ]
}

/// The window of completed logins of one account (keyed by its
/// normalised email).
pub fn login_window(email: &str) -> String {
    key_of(&["login-ok", email])
}

/// Reset emails asked for one address, and by one client: a few an hour,
/// so nobody floods a mailbox, whether or not the address is an account's.
pub const RESET_PER_ADDRESS: RateLimit = RateLimit {
    max: 3,
    window_secs: 3600,
};
pub const RESET_PER_CLIENT: RateLimit = RateLimit {
    max: 10,
    window_secs: 3600,
};

/// The windows of reset emails: by the typed (normalised) address, by client.
pub fn reset_windows(email: &str, client_key: &str) -> [(String, RateLimit); 2] {
    [
        (key_of(&["reset-addr", email]), RESET_PER_ADDRESS),
        (key_of(&["reset-client", client_key]), RESET_PER_CLIENT),
    ]
}

/// The limit on completed logins per account under `settings`.
pub fn login_limit(settings: &crate::config::Settings) -> RateLimit {
    RateLimit {
        max: settings.logins_per_window,
        window_secs: settings.login_window_secs,
    }
}

/// Counts a completed login of `email` (in the transaction that completes
/// it). Logins still in progress never count: whoever knows only the
/// password must not fill the window and keep the owner out.
pub async fn count_login<'c>(
    db: impl Exec<'c>,
    settings: &crate::config::Settings,
    email: &str,
    now: Timestamp,
) -> Result<(), Internal> {
    let limit = login_limit(settings);
    store::throttle::hit_window(db, &login_window(email), now, now - limit.window_secs).await?;
    Ok(())
}

/// Why an attempt was refused before its secret was checked.
#[derive(Debug)]
pub enum Refused {
    /// Blocked for this many seconds.
    Wait(u64),
    /// Failures in a row reached the cap: an administrator must unlock.
    Suspended,
    Internal(Internal),
}

impl From<sqlx::Error> for Refused {
    fn from(e: sqlx::Error) -> Self {
        Refused::Internal(e.into())
    }
}

fn cap(c: &Counter) -> i64 {
    if c.policy.suspends {
        CONSECUTIVE_CAP
    } else {
        i64::MAX
    }
}

/// Refuses when any counter is suspended or blocks now.
async fn check(db: &Db, counters: &[Counter], now: Timestamp) -> Result<(), Refused> {
    let mut wait = 0_i64;
    for c in counters {
        if let Some((until, consecutive)) = store::throttle::state(db, &c.key).await? {
            if consecutive >= cap(c) {
                return Err(Refused::Suspended);
            }
            wait = wait.max(until - now);
        }
    }
    if wait > 0 {
        Err(Refused::Wait(wait as u64))
    } else {
        Ok(())
    }
}

/// Takes one attempt on every counter before the secret is checked: the
/// attempt counts as a failure up front, in one atomic statement per
/// counter that also refuses it while the counter blocks. So a burst of
/// parallel requests cannot all pass the check before any failure is
/// written. A success then gives the attempt back with [`succeeded`].
/// The attempt that brings an account's counter to [`NEAR_CAP`] failures
/// in a row emails the administrators, in the same transaction.
pub async fn begin_attempt(db: &Db, counters: &[Counter], now: Timestamp) -> Result<(), Refused> {
    check(db, counters, now).await?;
    for c in counters {
        // Count and block in one transaction: the row stays locked between
        // the two statements, so no parallel attempt sees the new count
        // without its block.
        let mut tx = db.begin().await?;
        let counted = store::throttle::count_failure(
            &mut *tx,
            &c.key,
            now,
            now - c.policy.reset_after_secs,
            cap(c),
        )
        .await?;
        let Some((failures, consecutive)) = counted else {
            drop(tx);
            // A parallel attempt got the block (or the cap) in first.
            check(db, std::slice::from_ref(c), now).await?;
            return Err(Refused::Wait(1));
        };
        let delay = c.policy.delay(failures);
        if delay > 0 {
            store::throttle::block_until(&mut *tx, &c.key, now + delay).await?;
        }
        if c.policy.suspends && consecutive == NEAR_CAP {
            if let Some((owner, what)) = &c.owner {
                warn_administrators(&mut tx, owner, what, now)
                    .await
                    .map_err(Refused::Internal)?;
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Emails every administrator that `owner`'s `what` nears suspension.
/// An email that belongs to nobody has no one to warn about.
async fn warn_administrators(
    tx: &mut store::Tx,
    owner: &Owner,
    what: &str,
    now: Timestamp,
) -> Result<(), Internal> {
    let user = match owner {
        Owner::Email(email) => store::users::find_by_email(&mut **tx, email).await?,
        Owner::UserId(id) => store::users::find_by_id(&mut **tx, id).await?,
    };
    let Some(user) = user else {
        return Ok(());
    };
    let about = format!(
        "\nUser: {} <{}>\nWhat: {what}\nFailures in a row: {NEAR_CAP} (suspended at {CONSECUTIVE_CAP})\nWhen: {}\n",
        user.display_name,
        user.email,
        notify::format_utc(now),
    );
    for admin in store::users::administrators(&mut **tx).await? {
        notify::queue_with(&mut **tx, now, notify::Kind::LockoutNear, &admin, &about).await?;
    }
    Ok(())
}

/// After a success: forgets the `clear` counters and gives back this
/// attempt on the `release` ones (which keep their other failures: an
/// attacker must not reset a per-client counter by logging in to an
/// account of their own between guesses).
pub async fn succeeded(db: &Db, clear: &[Counter], release: &[Counter]) -> Result<(), Internal> {
    for c in clear {
        store::throttle::clear(db, &c.key).await?;
    }
    for c in release {
        store::throttle::release(db, &c.key, c.policy.free).await?;
    }
    Ok(())
}

/// An administrator's unlock: forgets the counters, suspension included.
pub async fn unlock(conn: &mut store::Conn, counters: &[Counter]) -> Result<(), Internal> {
    for c in counters {
        store::throttle::clear(&mut *conn, &c.key).await?;
    }
    Ok(())
}

/// Failures in a row that `counter` holds now (0 when it has none).
pub async fn in_a_row<'c>(db: impl Exec<'c>, counter: &Counter) -> Result<i64, Internal> {
    Ok(store::throttle::state(db, &counter.key)
        .await?
        .map_or(0, |(_, consecutive)| consecutive))
}

/// A limit on successes: at most `max` per window of `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub max: i64,
    pub window_secs: i64,
}

/// Seconds to wait if the window of `key` is full now.
pub async fn window_full(
    db: &Db,
    key: &str,
    limit: RateLimit,
    now: Timestamp,
) -> Result<Option<u64>, Internal> {
    let window = store::throttle::window(db, key, now - limit.window_secs).await?;
    Ok(window.and_then(|(hits, start)| {
        // Wait until this window ends, not a whole window from now.
        (hits >= limit.max).then_some((start + limit.window_secs - now).max(1) as u64)
    }))
}

/// Counts a success in the window of `key`.
pub async fn hit(db: &Db, key: &str, limit: RateLimit, now: Timestamp) -> Result<(), Internal> {
    store::throttle::hit_window(db, key, now, now - limit.window_secs).await?;
    Ok(())
}

/// Counts one reset email asked for in each of `windows`, unless one is
/// full: then the seconds to wait, and nothing is counted.
pub async fn take_reset_slot(
    db: &Db,
    windows: &[(String, RateLimit)],
    now: Timestamp,
) -> Result<Option<u64>, Internal> {
    for (key, limit) in windows {
        if let Some(wait) = window_full(db, key, *limit, now).await? {
            return Ok(Some(wait));
        }
    }
    for (key, limit) in windows {
        store::throttle::hit_window(db, key, now, now - limit.window_secs).await?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_free_failures_grow_and_cap() {
        let p = PASSWORD_ACCOUNT_CLIENT;
        assert_eq!(p.delay(4), 0);
        assert_eq!(p.delay(5), 15);
        assert_eq!(p.delay(6), 30);
        assert_eq!(p.delay(7), 60);
        assert_eq!(p.delay(11), 900);
        assert_eq!(p.delay(1_000), 900);
        assert_eq!(PASSWORD_ACCOUNT.delay(10_000), 60);
    }

    #[test]
    fn keys_hash_their_parts_unambiguously() {
        let a = Counter::new(&["ab", "c"], PASSWORD_ACCOUNT);
        let b = Counter::new(&["a", "bc"], PASSWORD_ACCOUNT);
        assert_ne!(a.key, b.key);
        assert_eq!(a.key.len(), 64);
    }
}
