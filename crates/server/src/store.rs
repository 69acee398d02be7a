//! The store: every SQL statement of the server lives under this module, and
//! nowhere else. Functions take an executor — the pool, a connection or a
//! transaction — so a domain operation can run several of them in one
//! transaction and write its audit event and emails in the same breath as
//! the change. The domain areas above never see SQL; `http/` never sees the
//! store.
//!
//! One code base serves SQLite (the embedded default) and PostgreSQL
//! (several instances on one database) through sqlx's `Any` driver: the SQL
//! is written once, in the dialect both share — `$n` placeholders, BIGINT
//! Unix seconds, BOOLEAN, TEXT ids, `ON CONFLICT … RETURNING` — and the
//! few places where the two differ are in this module (connection set-up,
//! [`Flag`]).

pub(crate) mod apps;
pub(crate) mod audit;
pub(crate) mod branding;
mod build;
pub(crate) mod challenges;
pub(crate) mod factors;
mod flag;
pub(crate) mod groups;
pub(crate) mod hosts;
pub(crate) mod listen;
pub(crate) mod ops;
pub(crate) mod org_settings;
pub(crate) mod outbox;
pub(crate) mod protect;
pub(crate) mod push_limits;
pub(crate) mod push_mutes;
pub(crate) mod push_requests;
pub(crate) mod radius;
pub(crate) mod recovery_codes;
pub(crate) mod scim;
pub(crate) mod sessions;
pub(crate) mod sso;
pub(crate) mod temporary_access;
pub(crate) mod throttle;
pub(crate) mod totp;
pub(crate) mod trusted_browsers;
pub(crate) mod user_links;
pub(crate) mod user_list;
pub(crate) mod users;
pub(crate) mod webauthn;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::Executor;

pub(crate) use flag::Flag;

/// The database pool.
pub type Db = sqlx::AnyPool;
/// One connection (a transaction derefs to it).
pub type Conn = sqlx::AnyConnection;
/// A transaction on [`Db`].
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Anything a statement can run on: the pool, a connection, a transaction.
pub trait Exec<'c>: sqlx::Executor<'c, Database = sqlx::Any> {}
impl<'c, E: sqlx::Executor<'c, Database = sqlx::Any>> Exec<'c> for E {}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!(
                "unsupported database URL {}: use sqlite://FILE or postgres://USER@HOST/DB",
                redact_url(url)
            )
        }
    }
}

/// The URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The default database: a file in the data directory, created on first start.
pub fn default_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("portcullis.db").display())
}

/// Opens (creating a missing SQLite file) and migrates the database at `url`.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    connect_with(url, 8).await
}

/// As [`connect`], with at most `max_connections` in the pool.
pub async fn connect_with(url: &str, max_connections: u32) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url)?;
    let shown = redact_url(url);
    let mut url = url.to_string();
    if backend == Backend::Sqlite {
        let file = sqlite_file(&url);
        if file.as_os_str() != ":memory:" {
            crate::files::private_file(&file)?;
        }
        if !url.contains("mode=") {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("mode=rwc");
        }
    }
    let opts: AnyConnectOptions = url
        .parse()
        .with_context(|| format!("invalid database URL {shown}"))?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers and one writer work at once; the busy
                    // timeout makes concurrent writers queue instead of failing.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(opts)
        .await
        .with_context(|| format!("cannot open database {shown}"))?;
    MIGRATOR
        .run(&pool)
        .await
        .context("database migration failed")?;
    Ok(pool)
}

/// The migrations compiled into this binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The versions of this binary's migrations that the database has not
/// applied (successfully), in order: empty when the schema is current.
pub async fn missing_migrations<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<i64>> {
    let applied: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE CAST(success AS INTEGER) = 1",
    )
    .fetch_all(db)
    .await?;
    Ok(MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect())
}

/// The file a `sqlite:` URL names (without its query).
fn sqlite_file(url: &str) -> std::path::PathBuf {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    std::path::PathBuf::from(path)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_backend() {
        assert_eq!(
            Backend::of("sqlite://data/p.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(Backend::of("sqlite::memory:").ok(), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::of("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        let refused = Backend::of("mysql://u:hunter2@h/db")
            .err()
            .map(|e| e.to_string());
        let refused = refused.unwrap_or_default();
        assert!(
            refused.contains("use sqlite://FILE or postgres://"),
            "{refused}"
        );
        assert!(!refused.contains("hunter2"), "{refused}");
    }

    #[test]
    fn passwords_are_cut_from_urls_shown() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/p?sslmode=require"),
            "postgres://app:***@db:5432/p?sslmode=require"
        );
        assert_eq!(redact_url("postgres://app@db/p"), "postgres://app@db/p");
        assert_eq!(redact_url("sqlite://data/p.db"), "sqlite://data/p.db");
    }

    #[test]
    fn the_sqlite_file_is_found_in_the_url() {
        assert_eq!(
            sqlite_file("sqlite:///tmp/x/p.db?mode=rwc"),
            Path::new("/tmp/x/p.db")
        );
        assert_eq!(sqlite_file("sqlite://data/p.db"), Path::new("data/p.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), Path::new(":memory:"));
    }
}
