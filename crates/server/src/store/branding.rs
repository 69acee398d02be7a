//! The `org_branding` table: the organisation's name, accent, help text
//! and logo, one row (id 1), created by its migration.

use sqlx::FromRow;

use super::{Exec, Tx};
use crate::clock::Timestamp;

/// The texts and what the logo is, without its bytes: what every page
/// needs.
#[derive(Debug, Clone, Default, FromRow)]
pub struct Row {
    pub org_name: String,
    pub accent: String,
    pub help_text: String,
    pub logo_type: Option<String>,
    pub logo_hash: Option<String>,
}

/// The logo as served.
#[derive(Debug, Clone, FromRow)]
pub struct Logo {
    pub logo_type: String,
    pub logo_base64: String,
    pub logo_hash: String,
}

pub async fn get<'c>(db: impl Exec<'c>) -> sqlx::Result<Row> {
    sqlx::query_as(
        "SELECT org_name, accent, help_text, logo_type, logo_hash FROM org_branding WHERE id = 1",
    )
    .fetch_one(db)
    .await
}

pub async fn logo<'c>(db: impl Exec<'c>) -> sqlx::Result<Option<Logo>> {
    sqlx::query_as(
        "SELECT logo_type, logo_base64, logo_hash FROM org_branding
          WHERE id = 1 AND logo_base64 IS NOT NULL AND logo_type IS NOT NULL
            AND logo_hash IS NOT NULL",
    )
    .fetch_optional(db)
    .await
}

/// Takes the row for this transaction before it is read, so two changes
/// made at once follow one another (as `org_settings::lock`).
pub async fn lock(tx: &mut Tx) -> sqlx::Result<()> {
    sqlx::query("UPDATE org_branding SET updated_at = updated_at WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_texts(
    tx: &mut Tx,
    org_name: &str,
    accent: &str,
    help_text: &str,
    now: Timestamp,
    by_user_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE org_branding
            SET org_name = $1, accent = $2, help_text = $3, updated_at = $4, updated_by = $5
          WHERE id = 1",
    )
    .bind(org_name)
    .bind(accent)
    .bind(help_text)
    .bind(now)
    .bind(by_user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets the logo (`None`: removes it).
pub async fn set_logo(
    tx: &mut Tx,
    logo: Option<&Logo>,
    now: Timestamp,
    by_user_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE org_branding
            SET logo_type = $1, logo_base64 = $2, logo_hash = $3, updated_at = $4, updated_by = $5
          WHERE id = 1",
    )
    .bind(logo.map(|l| l.logo_type.as_str()))
    .bind(logo.map(|l| l.logo_base64.as_str()))
    .bind(logo.map(|l| l.logo_hash.as_str()))
    .bind(now)
    .bind(by_user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
