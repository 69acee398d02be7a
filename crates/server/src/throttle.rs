//! Throttling of failed attempts with growing delays, kept in the database so
//! that several server instances share the counters.
//!
//! Policy for passwords (README "Throttling"): three counters per attempt —
//! the account from this client, the client alone, and the account from
//! anywhere. Each allows some free failures, then blocks for a delay that
//! doubles with every further failure, up to a cap. The account-wide counter
//! has a low cap (60 s), so an attacker spraying one account from many
//! addresses slows its owner down but can never lock them out for good; the
//! per-client counters have a high cap (15 min), which makes guessing from
//! one place hopeless. A success clears the account's counters; counters
//! also fall back to zero after a quiet period.

use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::db::Db;

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
};
/// Password failures from one client, over all accounts (spraying).
pub const PASSWORD_CLIENT: Policy = Policy {
    free: 20,
    base_secs: 15,
    cap_secs: 15 * 60,
    reset_after_secs: 3600,
};
/// Password failures for one account from anywhere (distributed guessing).
pub const PASSWORD_ACCOUNT: Policy = Policy {
    free: 10,
    base_secs: 5,
    cap_secs: 60,
    reset_after_secs: 24 * 3600,
};

/// Wrong one-time codes for one account (TOTP, later recovery codes). Three
/// free tries, then a block that outlasts the current 30-second step and
/// doubles with each further failure up to 15 minutes: at most a few
/// hundred guesses a day against a million codes.
pub const CODE_ACCOUNT: Policy = Policy {
    free: 3,
    base_secs: 30,
    cap_secs: 15 * 60,
    reset_after_secs: 24 * 3600,
};

/// A counter: what is counted, under which policy.
#[derive(Debug, Clone)]
pub struct Counter {
    key: String,
    policy: Policy,
}

impl Counter {
    /// `parts` name what is counted, e.g. `["pw-acct", email]`. Only a hash is
    /// stored, so mistyped emails (or passwords typed into the email field)
    /// do not sit in the database.
    pub fn new(parts: &[&str], policy: Policy) -> Self {
        let mut h = Sha256::new();
        for p in parts {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p.as_bytes());
        }
        Counter {
            key: hex::encode(h.finalize()),
            policy,
        }
    }
}

/// Seconds until all `counters` allow another attempt, if any blocks now.
pub async fn blocked_for(
    db: &Db,
    counters: &[Counter],
    now: Timestamp,
) -> sqlx::Result<Option<u64>> {
    let mut wait = 0_i64;
    for c in counters {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT blocked_until FROM throttle WHERE key = ?")
                .bind(&c.key)
                .fetch_optional(db)
                .await?;
        if let Some(until) = until {
            wait = wait.max(until - now);
        }
    }
    Ok((wait > 0).then_some(wait as u64))
}

/// Takes one attempt on every counter before the secret is checked: the
/// attempt counts as a failure up front, in one atomic statement per
/// counter that also refuses it while the counter blocks. So a burst of
/// parallel requests cannot all pass the check before any failure is
/// written. Returns the seconds to wait when refused. A success then gives
/// the attempt back with [`succeeded`].
pub async fn begin_attempt(
    db: &Db,
    counters: &[Counter],
    now: Timestamp,
) -> sqlx::Result<Result<(), u64>> {
    if let Some(wait) = blocked_for(db, counters, now).await? {
        return Ok(Err(wait));
    }
    for c in counters {
        // Count and block in one transaction: the row stays locked between
        // the two statements, so no parallel attempt sees the new count
        // without its block.
        let mut tx = db.begin().await?;
        let failures: Option<i64> = sqlx::query_scalar(
            "INSERT INTO throttle (key, failures, last_failure_at, blocked_until) VALUES (?, 1, ?, 0)
             ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN throttle.last_failure_at < ? THEN 1 ELSE throttle.failures + 1 END,
               last_failure_at = excluded.last_failure_at
             WHERE throttle.blocked_until <= ?
             RETURNING failures",
        )
        .bind(&c.key)
        .bind(now)
        .bind(now - c.policy.reset_after_secs)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(failures) = failures else {
            drop(tx);
            // A parallel attempt got the block in first.
            let wait = blocked_for(db, std::slice::from_ref(c), now)
                .await?
                .unwrap_or(1);
            return Ok(Err(wait));
        };
        let delay = c.policy.delay(failures);
        if delay > 0 {
            sqlx::query("UPDATE throttle SET blocked_until = ? WHERE key = ?")
                .bind(now + delay)
                .bind(&c.key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(Ok(()))
}

/// After a success: forgets the `clear` counters and gives back this
/// attempt on the `release` ones (which keep their other failures: an
/// attacker must not reset a per-client counter by logging in to an
/// account of their own between guesses).
pub async fn succeeded(db: &Db, clear: &[Counter], release: &[Counter]) -> sqlx::Result<()> {
    for c in clear {
        sqlx::query("DELETE FROM throttle WHERE key = ?")
            .bind(&c.key)
            .execute(db)
            .await?;
    }
    for c in release {
        sqlx::query(
            "UPDATE throttle SET failures = failures - 1,
               blocked_until = CASE WHEN failures - 1 < ? THEN 0 ELSE blocked_until END
             WHERE key = ? AND failures > 0",
        )
        .bind(c.policy.free)
        .bind(&c.key)
        .execute(db)
        .await?;
    }
    Ok(())
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
