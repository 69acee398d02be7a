//! WebAuthn credentials (security keys and passkeys), several per user.
//! Every statement that adds or removes one refreshes the user's
//! `has_factor` in the same transaction.

use sqlx::FromRow;

use super::{factors, Exec};
use crate::clock::Timestamp;

#[derive(Debug, Clone, FromRow)]
pub struct Row {
    pub id: String,
    pub credential_id: String,
    /// The verifying library's record (JSON).
    pub credential: String,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub counter: i64,
    #[sqlx(try_from = "super::Flag")]
    pub backup_eligible: bool,
    #[sqlx(try_from = "super::Flag")]
    pub backed_up: bool,
    pub aaguid: Option<String>,
    pub transports: String,
    pub discoverable: Option<i64>,
}

const SELECTED: &str = "id, credential_id, credential, name, created_at, last_used_at, \
     counter, CAST(backup_eligible AS INTEGER) AS backup_eligible, \
     CAST(backed_up AS INTEGER) AS backed_up, aaguid, transports, \
     CAST(discoverable AS INTEGER) AS discoverable";

/// A new credential; what the row keeps besides its times.
pub struct New<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub credential_id: &'a str,
    pub credential: &'a str,
    pub name: &'a str,
    pub counter: i64,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub aaguid: Option<&'a str>,
    pub transports: &'a str,
    pub discoverable: Option<bool>,
}

/// Adds a credential; `false` if its credential id is registered already
/// (to anyone), in which case nothing changed.
pub async fn insert(tx: &mut super::Tx, c: &New<'_>, now: Timestamp) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO webauthn_credentials (id, user_id, credential_id, credential, name, created_at,
             last_used_at, counter, backup_eligible, backed_up, aaguid, transports, discoverable)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(c.id)
    .bind(c.user_id)
    .bind(c.credential_id)
    .bind(c.credential)
    .bind(c.name)
    .bind(now)
    .bind(c.counter)
    .bind(c.backup_eligible)
    .bind(c.backed_up)
    .bind(c.aaguid)
    .bind(c.transports)
    .bind(c.discoverable)
    .execute(&mut **tx)
    .await?;
    if res.rows_affected() == 0 {
        return Ok(false);
    }
    factors::refresh(&mut **tx, c.user_id).await?;
    Ok(true)
}

/// Whether this authenticator credential id (base64url) is registered, to anyone.
pub async fn registered<'c>(db: impl Exec<'c>, credential_id: &str) -> sqlx::Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webauthn_credentials WHERE credential_id = $1")
            .bind(credential_id)
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

/// The user's credentials, oldest first.
pub async fn for_user<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(&format!(
        "SELECT {SELECTED} FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The owner of an authenticator credential id (base64url) and its row:
/// a passkey sign-in learns who signs in from the credential.
pub async fn by_credential_id<'c>(
    db: impl Exec<'c>,
    credential_id: &str,
) -> sqlx::Result<Option<(String, Row)>> {
    #[derive(sqlx::FromRow)]
    struct Owned {
        user_id: String,
        #[sqlx(flatten)]
        row: Row,
    }
    let found: Option<Owned> = sqlx::query_as(&format!(
        "SELECT user_id, {SELECTED} FROM webauthn_credentials WHERE credential_id = $1"
    ))
    .bind(credential_id)
    .fetch_optional(db)
    .await?;
    Ok(found.map(|o| (o.user_id, o.row)))
}

/// One credential of the user (another user's is `None`).
pub async fn find<'c>(db: impl Exec<'c>, user_id: &str, id: &str) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(&format!(
        "SELECT {SELECTED} FROM webauthn_credentials WHERE user_id = $1 AND id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Renames one of the user's credentials; `false` if there is none.
pub async fn rename<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    id: &str,
    name: &str,
) -> sqlx::Result<bool> {
    let res =
        sqlx::query("UPDATE webauthn_credentials SET name = $1 WHERE user_id = $2 AND id = $3")
            .bind(name)
            .bind(user_id)
            .bind(id)
            .execute(db)
            .await?;
    Ok(res.rows_affected() == 1)
}

/// Removes one of the user's credentials; `false` if there is none.
pub async fn delete(tx: &mut super::Tx, user_id: &str, id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM webauthn_credentials WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    factors::refresh(&mut **tx, user_id).await?;
    Ok(res.rows_affected() == 1)
}

/// What a successful assertion changes.
pub struct Use<'a> {
    pub credential: &'a str,
    pub counter: i64,
    pub backup_eligible: bool,
    pub backed_up: bool,
}

/// Records a use of the credential: only while the stored counter is
/// below the new one (or both are zero: a key that does not count), in
/// one statement, so of two assertions racing with one counter value only
/// one wins. `false`: the counter did not go up (the caller refuses).
pub async fn record_use<'c>(
    db: impl Exec<'c>,
    id: &str,
    u: &Use<'_>,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE webauthn_credentials
            SET credential = $1, counter = $2, backup_eligible = $3, backed_up = $4, last_used_at = $5
          WHERE id = $6 AND (counter < $2 OR (counter = 0 AND $2 = 0))",
    )
    .bind(u.credential)
    .bind(u.counter)
    .bind(u.backup_eligible)
    .bind(u.backed_up)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}
