//! What every part of the server reaches: the database, the clock, the
//! settings, the password hasher, the box that seals stored secrets and the
//! cross-instance wake-ups. No
//! axum here: the domain areas take this, and `http/` wraps it.

use std::sync::Arc;

use crate::auth::password::Hasher;
use crate::clock::{Clock, Timestamp};
use crate::config::Settings;
use crate::secret::SecretBox;
use crate::store::Db;
use crate::wake::Notifier;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub hasher: Hasher,
    pub secrets: SecretBox,
    pub wake: Notifier,
    /// The browsers' push waits this process may hold at once
    /// (`Settings::max_push_waits`): a process resource, so counted here.
    pub push_waits: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        settings: Settings,
        secrets: SecretBox,
        wake: Notifier,
    ) -> anyhow::Result<Self> {
        let hasher = Hasher::new(settings.hash_concurrency, settings.hash_queue)?;
        let push_waits = Arc::new(tokio::sync::Semaphore::new(settings.max_push_waits));
        Ok(AppState {
            push_waits,
            db,
            clock,
            settings: Arc::new(settings),
            hasher,
            secrets,
            wake,
        })
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
