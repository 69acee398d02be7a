//! What every handler can reach.

use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Db;

/// Settings that shape behaviour at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Set cookies with `Secure` and the `__Host-` prefix (served over TLS).
    pub secure_cookies: bool,
    /// Origins besides the server's own that may send state-changing
    /// requests (the `trunk serve` live-reload loop).
    pub allowed_origins: Vec<String>,
    /// A session unused this long ends.
    pub session_idle_secs: i64,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute_secs: i64,
    /// A session that has passed only the password ends this soon.
    pub partial_session_secs: i64,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            allowed_origins: Vec::new(),
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            partial_session_secs: 10 * 60,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// A real Argon2id hash of a random password: checked against when the
    /// email is unknown, so unknown and known emails cost the same time.
    pub dummy_hash: Arc<str>,
    /// Argon2 runs allowed at once (each holds 19 MiB); others wait.
    pub hash_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: Settings) -> anyhow::Result<Self> {
        let mut random = [0u8; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut random);
        let dummy_hash = crate::password::hash(&hex::encode(random))?;
        Ok(AppState {
            db,
            clock,
            settings: Arc::new(settings),
            dummy_hash: dummy_hash.into(),
            hash_slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
            )),
        })
    }

    pub fn now(&self) -> crate::clock::Timestamp {
        self.clock.now()
    }
}
