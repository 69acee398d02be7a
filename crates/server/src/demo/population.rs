//! A large synthetic organisation, for measuring the admin pages at scale:
//! users in a realistic mix of MFA states, the same every time (a fixed
//! pseudo-random sequence), none of whom can sign in.

use portcullis_api::Role;

use crate::app::AppState;
use crate::clock::Timestamp;
use crate::mfa::totp;
use crate::rules::requirement::DAY;
use crate::store;

const FIRST: [&str; 16] = [
    "Ada", "Ben", "Chloé", "Dmitri", "Eve", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kemal",
    "Lena", "Mateo", "Noor", "Olu", "Priya",
];
const LAST: [&str; 12] = [
    "Andersen",
    "Byrne",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
];

/// Users per transaction while seeding.
const BATCH: u32 = 2000;

/// A small deterministic generator (a linear congruential one): the same
/// population on every run, no dependency.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Adds `count` users named `user000000@bench.example` and on: 40 % with
/// no MFA, 20 % active (required, authenticator app), 10 % set up but not
/// required, 15 % in an enrollment period (1–30 days left), 10 % expired,
/// 5 % required with no period. Their password hash matches no password.
pub async fn seed_population(state: &AppState, count: u32, now: Timestamp) -> anyhow::Result<()> {
    let mut seq = Sequence(0x5eed);
    let unusable = "$argon2id$v=19$m=19456,t=2,p=1$bm90LWEtcGFzc3dvcmQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let mut n = 0;
    while n < count {
        let mut tx = state.db.begin().await?;
        for i in n..count.min(n + BATCH) {
            let first = FIRST[seq.next(FIRST.len() as u64) as usize];
            let last = LAST[seq.next(LAST.len() as u64) as usize];
            let user = store::users::User {
                id: uuid::Uuid::new_v4().to_string(),
                email: format!("user{i:06}@bench.example"),
                display_name: format!("{first} {last} {i}"),
                password_hash: unusable.to_string(),
                role: Role::User.as_str().to_string(),
                created_at: now,
                mfa_required: false,
                mfa_deadline: None,
                mfa_required_at: None,
                suspended_at: None,
            };
            store::users::insert(&mut *tx, &user).await?;
            let roll = seq.next(100);
            let days = i64::try_from(seq.next(30)).unwrap_or(0) + 1;
            let (required, deadline, factor) = match roll {
                0..=39 => (false, None, false),
                40..=59 => (true, None, true),
                60..=69 => (false, None, true),
                70..=84 => (true, Some(now + days * DAY), false),
                85..=94 => (true, Some(now - days * DAY), false),
                _ => (true, None, false),
            };
            if required {
                let started = deadline.map_or(now, |d| d - 31 * DAY);
                store::users::set_requirement(&mut *tx, &user.id, deadline, started).await?;
            }
            if factor {
                let sealed = state.secrets.seal(totp::new_secret().expose(), &user.id)?;
                store::totp::begin(&mut *tx, &user.id, &sealed, now).await?;
                store::totp::confirm(&mut tx, &user.id, &sealed, now).await?;
            }
        }
        tx.commit().await?;
        n = count.min(n + BATCH);
    }
    Ok(())
}
