//! Wake-ups across server instances: `notify(topic, payload)` here, and a
//! request waiting on `topic` — on this instance or another one on the same
//! database — wakes at once.
//!
//! The database row stays the truth. A wake-up only says "look again": a
//! waiter reads the state before it waits, after every wake-up and once more
//! when it times out ([`Notifier::wait_until`]). So a lost wake-up costs
//! latency, never correctness.
//!
//! On PostgreSQL, wake-ups travel by `NOTIFY` on one channel, and every
//! instance keeps one dedicated listening connection. When that connection
//! drops, it connects again and then wakes every waiter with
//! [`Woken::Resync`]: whatever changed during the gap is then read from the
//! database. On SQLite (one process) they stay in memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::error::Internal;
use crate::store::{listen, Backend, Db};

/// How many wake-ups may queue for a slow waiter before it is told to re-read.
const QUEUE: usize = 1024;
/// Waits between attempts to re-open the listening connection.
const RECONNECT_BACKOFF: [Duration; 4] = [
    Duration::from_millis(50),
    Duration::from_millis(200),
    Duration::from_secs(1),
    Duration::from_secs(5),
];

/// What a waiter was woken by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Woken {
    /// A notification on its topic, with its payload.
    Notified(String),
    /// Notifications may have been lost (the listening connection dropped,
    /// or this waiter fell behind): read the state again.
    Resync,
    /// Nothing came before the timeout.
    TimedOut,
}

#[derive(Debug, Clone)]
enum Wake {
    Topic { topic: String, payload: String },
    Resync,
}

/// Sends and waits for wake-ups. Cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    local: broadcast::Sender<Wake>,
    /// `Some` on PostgreSQL: notifications go through the database.
    db: Option<Db>,
    /// Times the listening connection was lost and re-opened.
    reconnects: AtomicU64,
}

/// Refusals of [`Notifier::notify`].
#[derive(Debug)]
pub enum NotifyError {
    /// The topic is empty or holds a line break.
    BadTopic,
    /// Topic and payload are too long for one notification.
    TooLong,
    Internal(Internal),
}

impl From<sqlx::Error> for NotifyError {
    fn from(e: sqlx::Error) -> Self {
        NotifyError::Internal(e.into())
    }
}

impl Notifier {
    /// An in-process notifier: one instance, nothing crosses processes.
    pub fn local() -> Notifier {
        Notifier::with(None)
    }

    /// The notifier for the database at `url` that `db` is a pool of: on
    /// PostgreSQL it starts the listening connection (and fails if it
    /// cannot), on SQLite it is [`Notifier::local`].
    pub async fn start(url: &str, db: &Db) -> anyhow::Result<Notifier> {
        match Backend::of(url)? {
            Backend::Sqlite => Ok(Notifier::local()),
            Backend::Postgres => {
                let notifier = Notifier::with(Some(db.clone()));
                let listener = listen::Listener::connect(url, LISTENER_NAME).await?;
                tokio::spawn(relay(
                    listener,
                    url.to_string(),
                    Arc::downgrade(&notifier.inner),
                ));
                Ok(notifier)
            }
        }
    }

    fn with(db: Option<Db>) -> Notifier {
        let (local, _) = broadcast::channel(QUEUE);
        Notifier {
            inner: Arc::new(Inner {
                local,
                db,
                reconnects: AtomicU64::new(0),
            }),
        }
    }

    /// Wakes every waiter on `topic`, on every instance. Call it after the
    /// change it announces is committed (or inside that transaction's
    /// commit: PostgreSQL delivers on commit).
    pub async fn notify(&self, topic: &str, payload: &str) -> Result<(), NotifyError> {
        if topic.is_empty() || topic.contains('\n') {
            return Err(NotifyError::BadTopic);
        }
        let message = format!("{topic}\n{payload}");
        match &self.inner.db {
            Some(db) => {
                if message.len() > listen::MAX_MESSAGE_BYTES {
                    return Err(NotifyError::TooLong);
                }
                // This instance's own listener delivers it here too.
                listen::publish(db, &message).await?;
            }
            None => {
                // No receiver is not an error: nobody waits right now.
                let _ = self.inner.local.send(Wake::Topic {
                    topic: topic.to_string(),
                    payload: payload.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Starts listening on `topic`. Subscribe *before* reading the state
    /// you wait on, so a change between the read and the wait still wakes.
    pub fn subscribe(&self, topic: &str) -> Subscription {
        Subscription {
            rx: self.inner.local.subscribe(),
            topic: topic.to_string(),
        }
    }

    /// Makes every waiter in this process read its state again. Only the
    /// test clock needs it: when it jumps, expiries fall due that no change
    /// announced, and a waiter would otherwise see them at its (real-time)
    /// timeout.
    #[cfg(feature = "test-clock")]
    pub fn wake_everyone_here(&self) {
        let _ = self.inner.local.send(Wake::Resync);
    }

    /// Waits up to `timeout` for one wake-up on `topic`.
    pub async fn wait(&self, topic: &str, timeout: Duration) -> Woken {
        self.subscribe(topic).next(Instant::now() + timeout).await
    }

    /// Reads the state with `read` until `done` holds or `timeout` passes,
    /// reading again after every wake-up on `topic`; returns the last state
    /// read (read once more at the timeout, so it is the current one).
    pub async fn wait_until<S, E, R, F>(
        &self,
        topic: &str,
        timeout: Duration,
        mut read: R,
        done: impl Fn(&S) -> bool,
    ) -> Result<S, E>
    where
        R: FnMut() -> F,
        F: std::future::Future<Output = Result<S, E>>,
    {
        let deadline = Instant::now() + timeout;
        let mut sub = self.subscribe(topic);
        loop {
            let state = read().await?;
            if done(&state) {
                return Ok(state);
            }
            if sub.next(deadline).await == Woken::TimedOut {
                return read().await;
            }
        }
    }

    /// How often the listening connection was lost and re-opened.
    pub fn reconnects(&self) -> u64 {
        self.inner.reconnects.load(Ordering::Relaxed)
    }
}

/// The listening connection's name in `pg_stat_activity`.
pub const LISTENER_NAME: &str = "portcullis-wake";

/// Wake-ups of one topic, as they come.
pub struct Subscription {
    rx: broadcast::Receiver<Wake>,
    topic: String,
}

impl Subscription {
    /// The next wake-up for this topic, or [`Woken::TimedOut`] at `deadline`.
    pub async fn next(&mut self, deadline: Instant) -> Woken {
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Err(_) => return Woken::TimedOut,
                Ok(Ok(Wake::Topic { topic, payload })) if topic == self.topic => {
                    return Woken::Notified(payload)
                }
                Ok(Ok(Wake::Topic { .. })) => continue,
                Ok(Ok(Wake::Resync)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    return Woken::Resync
                }
                // The notifier is gone (shutting down): nothing more will come.
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    tokio::time::sleep_until(deadline).await;
                    return Woken::TimedOut;
                }
            }
        }
    }
}

/// Passes what the listening connection receives to the local waiters, and
/// keeps the connection open, for as long as the notifier lives.
async fn relay(mut listener: listen::Listener, url: String, notifier: std::sync::Weak<Inner>) {
    loop {
        let received = listener.recv().await;
        let Some(inner) = notifier.upgrade() else {
            return;
        };
        match received {
            Ok(Some(message)) => {
                if let Some((topic, payload)) = message.split_once('\n') {
                    let _ = inner.local.send(Wake::Topic {
                        topic: topic.to_string(),
                        payload: payload.to_string(),
                    });
                }
            }
            // Lost, and already listening again: re-check the gap.
            Ok(None) => {
                inner.reconnects.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("wake-up connection was lost and is back; waiters re-read");
                let _ = inner.local.send(Wake::Resync);
            }
            Err(e) => {
                tracing::warn!(error = %e, "wake-up connection failed; reconnecting");
                drop(inner);
                let Some(again) = reconnect(&url, &notifier).await else {
                    return;
                };
                listener = again;
                let Some(inner) = notifier.upgrade() else {
                    return;
                };
                inner.reconnects.fetch_add(1, Ordering::Relaxed);
                let _ = inner.local.send(Wake::Resync);
            }
        }
    }
}

/// Opens the listening connection again, backing off; `None` once the
/// notifier is gone.
async fn reconnect(url: &str, notifier: &std::sync::Weak<Inner>) -> Option<listen::Listener> {
    let mut attempt = 0;
    loop {
        let pause = RECONNECT_BACKOFF[attempt.min(RECONNECT_BACKOFF.len() - 1)];
        tokio::time::sleep(pause).await;
        notifier.upgrade()?;
        match listen::Listener::connect(url, LISTENER_NAME).await {
            Ok(listener) => return Some(listener),
            Err(e) => tracing::warn!(error = %e, "wake-up connection: reconnect failed"),
        }
        attempt += 1;
    }
}

impl std::fmt::Display for NotifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotifyError::BadTopic => f.write_str("a wake-up topic must be one non-empty line"),
            NotifyError::TooLong => write!(
                f,
                "a wake-up message is limited to {} bytes",
                listen::MAX_MESSAGE_BYTES
            ),
            NotifyError::Internal(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for NotifyError {}
