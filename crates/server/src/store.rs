//! The store: every SQL statement of the server lives under this module, and
//! nowhere else. Functions take an executor — the pool, a connection or a
//! transaction — so a domain operation can run several of them in one
//! transaction and write its audit event and emails in the same breath as
//! the change. The domain areas above never see SQL; `http/` never sees the
//! store.

pub(crate) mod audit;
pub(crate) mod challenges;
pub(crate) mod factors;
pub(crate) mod outbox;
pub(crate) mod sessions;
pub(crate) mod throttle;
pub(crate) mod totp;
pub(crate) mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The database pool.
pub type Db = sqlx::SqlitePool;
/// One connection (a transaction derefs to it).
pub type Conn = sqlx::SqliteConnection;
/// A transaction on [`Db`].
pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

/// Anything a statement can run on: the pool, a connection, a transaction.
/// (The PostgreSQL port swaps the database type here and nowhere else.)
pub trait Exec<'c>: sqlx::Executor<'c, Database = sqlx::Sqlite> {}
impl<'c, E: sqlx::Executor<'c, Database = sqlx::Sqlite>> Exec<'c> for E {}

/// The default database: a file in the data directory, created on first start.
pub fn default_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("portcullis.db").display())
}

/// Opens (creating if missing) and migrates the database at `url`.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    if !url.starts_with("sqlite:") {
        anyhow::bail!(
            "unsupported database URL {url:?}: this build supports sqlite: URLs (PostgreSQL is planned)"
        );
    }
    let opts = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {url:?}"))?
        .create_if_missing(true)
        .foreign_keys(true)
        // WAL lets readers and one writer work at once; the busy timeout
        // makes concurrent writers queue instead of failing.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
    let file = opts.get_filename().to_path_buf();
    if file.as_os_str() != ":memory:" {
        crate::files::private_file(&file)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await
        .with_context(|| format!("cannot open database {url:?}"))?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("database migration failed")?;
    Ok(pool)
}

/// `LIKE` pattern for "starts with `prefix`", with the wildcards in it escaped
/// (use with `ESCAPE '\'`).
pub(crate) fn prefix_pattern(prefix: &str) -> String {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}%")
}
