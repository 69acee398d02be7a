//! RADIUS clients (the part of an app of kind `radius` only they have)
//! and the challenges between an Access-Challenge and its answer.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

/// [`super::apps::App::kind`] of a RADIUS client.
pub const RADIUS: &str = "radius";

#[derive(Clone, FromRow)]
pub struct Client {
    pub id: String,
    pub name: String,
    #[sqlx(try_from = "super::Flag")]
    pub everyone: bool,
    pub created_at: Timestamp,
    pub address: String,
    pub secret_sealed: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "a.id, a.name, CAST(a.everyone AS INTEGER) AS everyone, a.created_at, \
     r.address, r.secret_sealed";
const FROM: &str = "apps a JOIN radius_clients r ON r.app_id = a.id";

/// Every client, by name (a handful: the listener reads them per packet).
pub async fn list<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<Client>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} ORDER BY a.name_key"))
        .fetch_all(db)
        .await
}

pub async fn find<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<Client>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn upsert<'c>(
    db: impl Exec<'c>,
    id: &str,
    address: &str,
    secret_sealed: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO radius_clients (app_id, address, secret_sealed) VALUES ($1, $2, $3)
         ON CONFLICT (app_id) DO UPDATE SET address = $2, secret_sealed = $3",
    )
    .bind(id)
    .bind(address)
    .bind(secret_sealed)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_address<'c>(db: impl Exec<'c>, id: &str, address: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE radius_clients SET address = $2 WHERE app_id = $1")
        .bind(id)
        .bind(address)
        .execute(db)
        .await?;
    Ok(())
}

/// A challenge's row.
#[derive(Debug, Clone, FromRow)]
pub struct Challenge {
    pub client_id: String,
    pub user_id: String,
    pub push_id: Option<String>,
    pub expires_at: Timestamp,
}

pub async fn insert_challenge<'c>(
    db: impl Exec<'c>,
    state_hash: &str,
    c: &Challenge,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO radius_challenges (state_hash, client_id, user_id, push_id, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state_hash)
    .bind(&c.client_id)
    .bind(&c.user_id)
    .bind(&c.push_id)
    .bind(c.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes a challenge (single use: whoever deletes it has it), if it is
/// still alive.
pub async fn take_challenge<'c>(
    db: impl Exec<'c>,
    state_hash: &str,
    now: Timestamp,
) -> sqlx::Result<Option<Challenge>> {
    sqlx::query_as(
        "DELETE FROM radius_challenges WHERE state_hash = $1 AND expires_at > $2
         RETURNING client_id, user_id, push_id, expires_at",
    )
    .bind(state_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

pub async fn purge<'c>(db: impl Exec<'c>, now: Timestamp) -> sqlx::Result<u64> {
    let res = sqlx::query("DELETE FROM radius_challenges WHERE expires_at <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(res.rows_affected())
}
