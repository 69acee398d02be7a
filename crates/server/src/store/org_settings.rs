//! The `org_settings` table: the organisation's MFA settings, one row
//! (id 1), created by its migration.

use portcullis_api::FactorKind;
use sqlx::FromRow;

use super::{Exec, Tx};
use crate::clock::Timestamp;

/// The row, with the email of whoever changed it last.
#[derive(Debug, Clone, FromRow)]
pub struct Row {
    pub default_period_days: i64,
    #[sqlx(try_from = "super::Flag")]
    pub require_new_users: bool,
    pub new_user_period_days: Option<i64>,
    /// The kinds users may set up: their wire names, space-separated.
    pub allowed_factors: String,
    pub trusted_browser_days: Option<i64>,
    #[sqlx(try_from = "super::Flag")]
    pub push_limit_enabled: bool,
    pub push_max_concurrent: i64,
    pub push_biometric: String,
    pub protect_mode: String,
    pub protect_merged_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub updated_by_email: Option<String>,
}

/// The values a change writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Values {
    pub default_period_days: i64,
    pub require_new_users: bool,
    pub new_user_period_days: Option<i64>,
    pub allowed_factors: String,
    pub trusted_browser_days: Option<i64>,
    pub push_limit_enabled: bool,
    pub push_max_concurrent: i64,
    pub push_biometric: &'static str,
    pub protect_mode: &'static str,
    pub protect_merged_at: Option<Timestamp>,
}

pub async fn get<'c>(db: impl Exec<'c>) -> sqlx::Result<Row> {
    sqlx::query_as(
        "SELECT s.default_period_days, CAST(s.require_new_users AS INTEGER) AS require_new_users,
                s.new_user_period_days, s.allowed_factors, s.trusted_browser_days,
                CAST(s.push_limit_enabled AS INTEGER) AS push_limit_enabled,
                s.push_max_concurrent, s.push_biometric, s.protect_mode, s.protect_merged_at,
                s.updated_at,
                u.email AS updated_by_email
           FROM org_settings s LEFT JOIN users u ON u.id = s.updated_by
          WHERE s.id = 1",
    )
    .fetch_one(db)
    .await
}

/// Takes the row for this transaction before it is read, so two changes
/// made at once (on any instances) follow one another and each compares
/// with what the other wrote: PostgreSQL locks the row until the commit,
/// SQLite makes the transaction the writer (a read first could not become
/// a write later if another writer came in between).
pub async fn lock(tx: &mut Tx) -> sqlx::Result<()> {
    sqlx::query("UPDATE org_settings SET updated_at = updated_at WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn update(tx: &mut Tx, v: &Values, now: Timestamp, by_user_id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE org_settings
            SET default_period_days = $1, require_new_users = $2, new_user_period_days = $3,
                allowed_factors = $4, trusted_browser_days = $5, updated_at = $6,
                updated_by = $7, push_limit_enabled = $8, push_max_concurrent = $9,
                push_biometric = $10, protect_mode = $11, protect_merged_at = $12
          WHERE id = 1",
    )
    .bind(v.default_period_days)
    .bind(v.require_new_users)
    .bind(v.new_user_period_days)
    .bind(&v.allowed_factors)
    .bind(v.trusted_browser_days)
    .bind(now)
    .bind(by_user_id)
    .bind(v.push_limit_enabled)
    .bind(v.push_max_concurrent)
    .bind(v.push_biometric)
    .bind(v.protect_mode)
    .bind(v.protect_merged_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many users have a confirmed factor of each kind (by the kind's name
/// in the `confirmed_factors` view), so a kind added to the view is counted
/// without a change here.
pub async fn users_per_kind<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT kind, COUNT(DISTINCT user_id) AS users FROM confirmed_factors GROUP BY kind",
    )
    .fetch_all(db)
    .await
}

/// How many users have Protect push and no other factor.
pub async fn users_with_push_only<'c>(db: impl Exec<'c>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (
             SELECT user_id FROM confirmed_factors GROUP BY user_id
             HAVING MIN(kind) = $1 AND MAX(kind) = $2
         ) AS only_push",
    )
    .bind(FactorKind::Push.wire())
    .bind(FactorKind::Push.wire())
    .fetch_one(db)
    .await
}
