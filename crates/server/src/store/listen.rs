//! PostgreSQL's `LISTEN`/`NOTIFY`, the transport of the cross-instance
//! wake-ups in `crate::wake`. Only used on PostgreSQL: SQLite is one process,
//! where wake-ups stay in memory.

use sqlx::postgres::PgListener;

use super::Exec;

/// The one channel every instance listens on; messages carry their topic.
pub const CHANNEL: &str = "portcullis_wake";

/// PostgreSQL refuses longer notification payloads.
pub const MAX_MESSAGE_BYTES: usize = 7999;

/// Sends `message` to every listening instance (delivered when the
/// surrounding transaction, if any, commits).
pub async fn publish<'c>(db: impl Exec<'c>, message: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(message)
        .execute(db)
        .await?;
    Ok(())
}

/// A dedicated connection that listens on [`CHANNEL`].
pub struct Listener(PgListener);

impl Listener {
    /// Connects to `url` and starts listening. The connection is named
    /// `application_name` in `pg_stat_activity`.
    pub async fn connect(url: &str, application_name: &str) -> sqlx::Result<Listener> {
        let sep = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{sep}application_name={application_name}");
        let mut listener = PgListener::connect(&url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Listener(listener))
    }

    /// The next message. `Ok(None)`: the connection was lost and is listening
    /// again — messages sent in the gap are gone, so re-check. An error: the
    /// connection is gone (connect again, then re-check).
    pub async fn recv(&mut self) -> sqlx::Result<Option<String>> {
        Ok(self.0.try_recv().await?.map(|n| n.payload().to_string()))
    }
}
