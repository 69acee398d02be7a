//! Server-side sessions: a random 256-bit id in an HttpOnly, SameSite=Strict
//! cookie; the database keeps only its SHA-256 and how the session was
//! proven — which methods, when the password and the last second factor
//! were passed — with the times that bound it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portcullis_api::FactorKind;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::client::Client;
use crate::clock::Timestamp;
use crate::config::Settings;
use crate::error::Internal;
use crate::rules::resource::Resource;
use crate::secret::Secret;
use crate::store::sessions::Kind;
use crate::store::{self, Conn, Db, Exec};

/// How a login was proven (stored as short method names, like the `amr`
/// values identity tokens carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The password.
    Password,
    /// A code from an authenticator app.
    Totp,
    /// A WebAuthn security key or passkey.
    Webauthn,
    /// A single-use recovery code (standing in for a lost factor).
    Recovery,
    /// A push approved on the user's Protect device.
    Push,
    /// A browser the user trusted earlier spared the second factor. Not a
    /// second factor itself: what needs a recent one still asks.
    Trusted,
    /// A one-time link (an invitation or a setup link, sent by email or
    /// handed over by an administrator) opened the login. Not a second
    /// factor: it lets an account bind its first one.
    Link,
    /// A helpdesk's temporary access code stood in for a lost factor. Not
    /// a second factor either: the login it opens may only set up a new one.
    Temporary,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Password => "pwd",
            Method::Totp => "otp",
            Method::Webauthn => "key",
            Method::Recovery => "rec",
            Method::Push => "push",
            Method::Trusted => "trust",
            Method::Link => "link",
            Method::Temporary => "tap",
        }
    }

    fn parse(s: &str) -> Option<Method> {
        match s {
            "pwd" => Some(Method::Password),
            "otp" => Some(Method::Totp),
            "key" => Some(Method::Webauthn),
            "rec" => Some(Method::Recovery),
            "push" => Some(Method::Push),
            "trust" => Some(Method::Trusted),
            "link" => Some(Method::Link),
            "tap" => Some(Method::Temporary),
            _ => None,
        }
    }

    pub fn is_second_factor(self) -> bool {
        !matches!(
            self,
            Method::Password | Method::Trusted | Method::Link | Method::Temporary
        )
    }

    /// How a session records a factor of `kind` proven.
    pub fn of(kind: FactorKind) -> Method {
        match kind {
            FactorKind::Totp => Method::Totp,
            FactorKind::Webauthn => Method::Webauthn,
            FactorKind::Push => Method::Push,
            FactorKind::RecoveryCode => Method::Recovery,
        }
    }

    /// The kind of factor this method proves, if it is one.
    pub fn kind(self) -> Option<FactorKind> {
        FactorKind::ALL.into_iter().find(|k| Method::of(*k) == self)
    }
}

/// What a session has proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub methods: Vec<Method>,
    /// When the first step was passed: the password, or a passkey that
    /// signed in without one.
    pub password_at: Timestamp,
    /// When a second factor was last passed in this session.
    pub second_factor_at: Option<Timestamp>,
}

impl Proof {
    pub fn password(at: Timestamp) -> Self {
        Proof {
            methods: vec![Method::Password],
            password_at: at,
            second_factor_at: None,
        }
    }

    /// This proof plus `method`, passed at `at`.
    pub fn with(&self, method: Method, at: Timestamp) -> Self {
        let mut methods = self.methods.clone();
        if !methods.contains(&method) {
            methods.push(method);
        }
        Proof {
            methods,
            password_at: self.password_at,
            second_factor_at: if method.is_second_factor() {
                Some(at)
            } else {
                self.second_factor_at
            },
        }
    }

    /// A passkey sign-in: a key, where a login by password has the
    /// password first. With user verification it proved both steps at
    /// once (`first_key(at, true)`); without, it stood for the password
    /// only, and the second factor must be of another kind.
    pub fn first_key(at: Timestamp, user_verified: bool) -> Self {
        Proof {
            methods: vec![Method::Webauthn],
            password_at: at,
            second_factor_at: user_verified.then_some(at),
        }
    }

    /// A one-time link opened this login.
    pub fn via_link(&self) -> bool {
        self.methods.contains(&Method::Link)
    }

    /// A helpdesk's temporary access code stood in for the second factor.
    pub fn via_temporary_access(&self) -> bool {
        self.methods.contains(&Method::Temporary)
    }

    /// The first step was a key instead of the password.
    pub fn key_was_first(&self) -> bool {
        self.methods.first() == Some(&Method::Webauthn)
    }

    pub fn has_second_factor(&self) -> bool {
        self.second_factor_at.is_some()
    }

    /// A second factor was passed within `max_age` seconds of `now`.
    pub fn second_factor_fresh(&self, now: Timestamp, max_age: i64) -> bool {
        self.second_factor_at.is_some_and(|t| now - t < max_age)
    }

    fn methods_text(&self) -> String {
        self.methods
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn parse_methods(s: &str) -> Vec<Method> {
        s.split_whitespace().filter_map(Method::parse).collect()
    }
}

/// A live session, as the domain sees it. `Debug` leaves the id hash out.
#[derive(Clone)]
pub struct Session {
    id_hash: Secret<String>,
    pub user_id: String,
    /// `false` while the login is still in progress (password passed, a
    /// second factor or enrollment pending).
    pub signed_in: bool,
    pub proof: Proof,
    /// What its login was for.
    pub resource: Resource,
    /// Its login came from a browser that held the user's device cookie
    /// (`auth::device_cookie`): it signed in as them before.
    pub known_browser: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("signed_in", &self.signed_in)
            .field("proof", &self.proof)
            .field("resource", &self.resource)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn id_hash(&self) -> &str {
        self.id_hash.expose()
    }
}

/// A new session's cookie value. Only the browser ever holds it.
pub type SessionId = Secret<String>;

fn hash_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

fn new_id() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether a session with these times is still alive at `now`.
pub fn is_alive(
    settings: &Settings,
    last_seen_at: Timestamp,
    expires_at: Timestamp,
    now: Timestamp,
) -> bool {
    now < expires_at && now < last_seen_at + settings.session_idle_secs
}

/// The absolute end of a session started at `now`.
fn lifetime(settings: &Settings, signed_in: bool) -> i64 {
    if signed_in {
        settings.session_absolute_secs
    } else {
        settings.partial_session_secs
    }
}

/// What a new session is for.
pub struct NewSession<'a> {
    pub user_id: &'a str,
    pub signed_in: bool,
    pub proof: Proof,
    /// Ends no later than this (e.g. the end of the enrollment period that
    /// alone allowed it).
    pub not_after: Option<Timestamp>,
    pub client: &'a Client,
    /// What the login is for.
    pub resource: Resource,
    /// From a browser with the user's device cookie.
    pub known_browser: bool,
}

/// Logins in progress (the password passed, a second factor or enrollment
/// pending) one user may hold at once from unknown browsers, and again from
/// browsers with their device cookie; a newer one ends the oldest of its
/// kind. They are counted apart from signed-in sessions, and apart from
/// each other, so someone who knows only the password can never sign the
/// owner out, nor end the owner's own login in progress, by logging in
/// again and again.
pub const HALF_SESSIONS_PER_USER: u32 = 3;

/// Starts a session and returns its cookie value: a fresh id every time
/// (never reuse the one the browser came with: session fixation). The
/// user's oldest sessions of the same kind beyond the allowed number end:
/// a signed-in session may end the oldest signed-in one, a login in
/// progress only the oldest login in progress.
pub async fn start(
    conn: &mut Conn,
    settings: &Settings,
    new: NewSession<'_>,
    now: Timestamp,
) -> Result<SessionId, Internal> {
    let id = new_id();
    let mut expires_at = now + lifetime(settings, new.signed_in);
    if let Some(limit) = new.not_after {
        expires_at = expires_at.min(limit);
    }
    store::sessions::insert(
        &mut *conn,
        &store::sessions::Row {
            id_hash: hash_id(&id),
            user_id: new.user_id.to_string(),
            signed_in: new.signed_in,
            methods: new.proof.methods_text(),
            password_at: new.proof.password_at,
            second_factor_at: new.proof.second_factor_at,
            created_at: now,
            last_seen_at: now,
            expires_at,
            client_ip: new.client.ip.clone(),
            user_agent: new.client.user_agent.clone(),
            resource: new.resource.stored(),
            known_browser: new.known_browser,
        },
    )
    .await?;
    let (kind, max) = if new.signed_in {
        (Kind::SignedIn, settings.max_sessions_per_user)
    } else {
        let known_browser = new.known_browser;
        (Kind::InProgress { known_browser }, HALF_SESSIONS_PER_USER)
    };
    store::sessions::trim(&mut *conn, new.user_id, kind, max, &hash_id(&id)).await?;
    Ok(Secret::new(id))
}

/// Finds the live session for a cookie value, extending its idle time.
pub async fn lookup(
    db: &Db,
    settings: &Settings,
    cookie: &str,
    now: Timestamp,
) -> Result<Option<Session>, Internal> {
    let id_hash = hash_id(cookie);
    let Some(row) = store::sessions::find(db, &id_hash).await? else {
        return Ok(None);
    };
    if !is_alive(settings, row.last_seen_at, row.expires_at, now) {
        store::sessions::delete(db, &id_hash).await?;
        return Ok(None);
    }
    // Touch at most once a minute: fewer writes, same idle timeout to the minute.
    if now - row.last_seen_at >= 60 {
        store::sessions::touch(db, &id_hash, now).await?;
    }
    Ok(Some(Session {
        id_hash: Secret::new(id_hash),
        user_id: row.user_id,
        signed_in: row.signed_in,
        proof: Proof {
            methods: Proof::parse_methods(&row.methods),
            password_at: row.password_at,
            second_factor_at: row.second_factor_at,
        },
        resource: Resource::parse(&row.resource)
            .ok_or_else(|| Internal::new(format!("session resource {:?}", row.resource)))?,
        known_browser: row.known_browser,
        created_at: row.created_at,
        expires_at: row.expires_at,
    }))
}

/// Ends the session with this cookie value (logout, or replaced at login).
pub async fn end(db: &Db, cookie: &str) -> Result<(), Internal> {
    store::sessions::delete(db, &hash_id(cookie)).await?;
    Ok(())
}

/// Replaces a login in progress by a signed-in session with a new id (an
/// id seen before MFA is worthless after it), inside the caller's
/// transaction. `None` when the login in progress is not there any more:
/// something ended it while its last step was being checked (logout, "end
/// all sessions", Reset MFA), and that wins.
pub async fn complete(
    conn: &mut Conn,
    settings: &Settings,
    old: &Session,
    proof: Proof,
    not_after: Option<Timestamp>,
    client: &Client,
    now: Timestamp,
) -> Result<Option<SessionId>, Internal> {
    if !store::sessions::take_half(&mut *conn, old.id_hash()).await? {
        return Ok(None);
    }
    let id = start(
        conn,
        settings,
        NewSession {
            user_id: &old.user_id,
            signed_in: true,
            proof,
            not_after,
            client,
            // The login in progress decided what it is for.
            resource: old.resource.clone(),
            known_browser: old.known_browser,
        },
        now,
    )
    .await?;
    Ok(Some(id))
}

/// Records a second factor passed again in a signed-in session.
pub async fn prove_again<'c>(
    db: impl Exec<'c>,
    session: &Session,
    method: Method,
    now: Timestamp,
) -> Result<(), Internal> {
    let proof = session.proof.with(method, now);
    store::sessions::prove_again(db, session.id_hash(), &proof.methods_text(), now).await?;
    Ok(())
}

/// Records `method` in a login in progress without counting it as a
/// second factor (a temporary access code: the login goes on to set one up).
pub async fn add_method<'c>(
    db: impl Exec<'c>,
    session: &Session,
    method: Method,
) -> Result<(), Internal> {
    let proof = session.proof.with(method, session.proof.password_at);
    store::sessions::set_methods(db, session.id_hash(), &proof.methods_text()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_long_random_and_distinct() {
        let a = new_id();
        assert_eq!(a.len(), 43); // 32 bytes, base64url without padding
        assert_ne!(a, new_id());
        assert_ne!(hash_id(&a), a);
    }

    #[test]
    fn timeouts() {
        let s = Settings::default();
        let t0 = 1_000_000;
        let end = t0 + s.session_absolute_secs;
        assert!(is_alive(&s, t0, end, t0 + s.session_idle_secs - 1));
        assert!(!is_alive(&s, t0, end, t0 + s.session_idle_secs));
        assert!(!is_alive(&s, end - 1, end, end));
    }

    #[test]
    fn proofs_record_methods_and_times() {
        let p = Proof::password(100);
        assert!(!p.has_second_factor());
        let q = p.with(Method::Totp, 200);
        assert_eq!(q.methods, vec![Method::Password, Method::Totp]);
        assert_eq!(q.second_factor_at, Some(200));
        assert!(q.second_factor_fresh(799, 600));
        assert!(!q.second_factor_fresh(800, 600));
        assert_eq!(Proof::parse_methods(&q.methods_text()), q.methods);
        assert_eq!(q.with(Method::Totp, 300).methods.len(), 2);
        let r = p.with(Method::Recovery, 400);
        assert!(r.has_second_factor(), "a recovery code is a second factor");
        assert_eq!(Proof::parse_methods(&r.methods_text()), r.methods);
        let t = p.with(Method::Trusted, 500);
        assert!(
            !t.has_second_factor(),
            "a trusted browser is no second factor"
        );
        assert_eq!(Proof::parse_methods(&t.methods_text()), t.methods);
    }

    #[test]
    fn each_factor_kind_has_its_method_and_back() {
        for k in FactorKind::ALL {
            assert_eq!(Method::of(k).kind(), Some(k));
            assert!(Method::of(k).is_second_factor());
        }
        assert_eq!(Method::Password.kind(), None);
        assert_eq!(Method::Trusted.kind(), None);
    }

    #[test]
    fn debug_output_has_no_id() {
        let s = Session {
            id_hash: Secret::new("abcdef0123".into()),
            user_id: "u".into(),
            signed_in: true,
            proof: Proof::password(1),
            resource: Resource::UserPortal,
            known_browser: false,
            created_at: 1,
            expires_at: 2,
        };
        assert!(!format!("{s:?}").contains("abcdef0123"));
    }
}
