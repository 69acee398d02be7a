//! Opening the database and running migrations.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub type Db = SqlitePool;

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
    if let Some(parent) = opts.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create data directory {}", parent.display()))?;
        }
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
