//! The challenge store: short-lived, single-use state of a ceremony that
//! spans two requests — a WebAuthn registration or assertion, a push
//! request — kept in the database (so any instance can finish what another
//! started) and bound to the session that started it. Taking a challenge
//! marks it used in the same statement, so it is good exactly once.
//!
//! A session holds at most [`PER_SESSION`] open WebAuthn ceremonies: each
//! is a row until it expires, so a session must not start them without
//! end ([`put_limited`]).

use rand_core::{OsRng, RngCore};

use crate::clock::Timestamp;
use crate::error::Internal;
use crate::store::{self, Db, Exec};

/// Open (unused, unexpired) WebAuthn ceremonies one session may hold at
/// once. A browser runs one at a time; a few more cover prompts cancelled
/// and started again, tabs, and a registration beside a key's proof.
pub const PER_SESSION: i64 = 5;

/// The kinds counted together against a session's limit: those a session
/// starts. A passkey sign-in has no session (its starts are limited per
/// address), and pushes have limits of their own.
const LIMITED: [Kind; 2] = [Kind::WebauthnRegistration, Kind::WebauthnAuthentication];

/// What a challenge is for; a challenge of one kind is never taken as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    WebauthnRegistration,
    WebauthnAuthentication,
    /// A passkey sign-in, started before there is a session.
    PasskeySignIn,
    Push,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::WebauthnRegistration => "webauthn_registration",
            Kind::WebauthnAuthentication => "webauthn_authentication",
            Kind::PasskeySignIn => "passkey_sign_in",
            Kind::Push => "push",
        }
    }
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Stores `payload` for `lifetime_secs`, bound to the session with this id
/// hash; returns the challenge's id.
pub async fn put<'c>(
    db: impl Exec<'c>,
    session_hash: &str,
    kind: Kind,
    payload: &str,
    now: Timestamp,
    lifetime_secs: i64,
) -> Result<String, Internal> {
    let id = new_id();
    store::challenges::insert(
        db,
        &store::challenges::NewChallenge {
            id: &id,
            session_hash,
            kind: kind.as_str(),
            payload,
            created_at: now,
            expires_at: now + lifetime_secs,
        },
    )
    .await?;
    Ok(id)
}

/// What [`put_limited`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Put {
    /// Stored: the challenge's id.
    Stored(String),
    /// The session holds [`PER_SESSION`] open ceremonies already; the
    /// first of them ends in this many seconds.
    Full { retry_after: i64 },
}

/// Stores a WebAuthn ceremony of a session like [`put`], unless the
/// session holds [`PER_SESSION`] open ones already. The count and the
/// insert are one statement (on PostgreSQL, two starts at the same moment
/// may each see the other's row missing: a session can pass the limit by
/// as many starts as it sends at once, never without end).
pub async fn put_limited(
    db: &Db,
    session_hash: &str,
    kind: Kind,
    payload: &str,
    now: Timestamp,
    lifetime_secs: i64,
) -> Result<Put, Internal> {
    let id = new_id();
    let counted = LIMITED.map(Kind::as_str);
    let stored = store::challenges::insert_below(
        db,
        &store::challenges::NewChallenge {
            id: &id,
            session_hash,
            kind: kind.as_str(),
            payload,
            created_at: now,
            expires_at: now + lifetime_secs,
        },
        &counted,
        PER_SESSION,
    )
    .await?;
    if stored {
        return Ok(Put::Stored(id));
    }
    let first_end = store::challenges::first_open_end(db, session_hash, &counted, now)
        .await?
        .unwrap_or(now + 1);
    Ok(Put::Full {
        retry_after: (first_end - now).max(1),
    })
}

/// The payload of a live challenge of this kind and session, used up now;
/// `None` if it is unknown, used, expired, another kind or another
/// session's.
pub async fn take<'c>(
    db: impl Exec<'c>,
    id: &str,
    session_hash: &str,
    kind: Kind,
    now: Timestamp,
) -> Result<Option<String>, Internal> {
    Ok(store::challenges::take(db, id, session_hash, kind.as_str(), now).await?)
}
