//! The challenge store: short-lived, single-use state of a ceremony that
//! spans two requests — a WebAuthn registration or assertion, a push
//! request — kept in the database (so any instance can finish what another
//! started) and bound to the session that started it. Taking a challenge
//! marks it used in the same statement, so it is good exactly once.

use rand_core::{OsRng, RngCore};

use crate::clock::Timestamp;
use crate::error::Internal;
use crate::store::{self, Exec};

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
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let id = hex::encode(bytes);
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
