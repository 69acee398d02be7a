//! The organisation's apps and whom each is assigned to.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

/// An app row. `Debug` leaves the secret's hash out.
#[derive(Clone, FromRow)]
pub struct App {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub launch_url: String,
    pub redirect_uris: String,
    pub logout_uris: String,
    pub secret_hash: Option<String>,
    pub policy: String,
    #[sqlx(try_from = "super::Flag")]
    pub first_party: bool,
    #[sqlx(try_from = "super::Flag")]
    pub everyone: bool,
    pub signing_alg: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// `oidc` (an OpenID Connect client) or `site` (behind forward-auth).
    pub kind: String,
    /// A site's domain (host, `*.parent` or IPv4, maybe `:port`).
    pub domain: Option<String>,
}

/// [`App::kind`] of an OpenID Connect client.
pub const OIDC: &str = "oidc";
/// [`App::kind`] of a site behind forward-auth.
pub const SITE: &str = "site";

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("id", &self.id)
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl App {
    /// The registered redirect URIs (one per line).
    pub fn redirect_list(&self) -> Vec<&str> {
        lines(&self.redirect_uris)
    }

    pub fn logout_list(&self) -> Vec<&str> {
        lines(&self.logout_uris)
    }
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| !l.is_empty()).collect()
}

const COLUMNS: &str = "a.id, a.client_id, a.name, a.launch_url, a.redirect_uris, a.logout_uris, \
     a.secret_hash, a.policy, CAST(a.first_party AS INTEGER) AS first_party, \
     CAST(a.everyone AS INTEGER) AS everyone, a.signing_alg, a.created_at, a.updated_at, \
     a.kind, a.domain";

/// Every app of a kind ([`OIDC`] or [`SITE`]), by name.
pub async fn list<'c>(db: impl Exec<'c>, kind: &str) -> sqlx::Result<Vec<App>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM apps a WHERE a.kind = $1 ORDER BY a.name_key"
    ))
    .bind(kind)
    .fetch_all(db)
    .await
}

/// The sites whose domain is one of `domains` (the caller picks the most
/// specific).
pub async fn sites_for<'c>(db: impl Exec<'c>, domains: &[String]) -> sqlx::Result<Vec<App>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (2..domains.len() + 2).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM apps a WHERE a.kind = $1 AND a.domain IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query_as(&sql).bind(SITE);
    for d in domains {
        q = q.bind(d);
    }
    q.fetch_all(db).await
}

pub async fn find<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<App>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM apps a WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn find_by_client_id<'c>(
    db: impl Exec<'c>,
    client_id: &str,
) -> sqlx::Result<Option<App>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM apps a WHERE a.client_id = $1 AND a.kind = 'oidc'"
    ))
    .bind(client_id)
    .fetch_optional(db)
    .await
}

/// Inserts an app; a name taken (whatever its case) is a unique violation.
pub async fn insert<'c>(db: impl Exec<'c>, app: &App) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO apps (id, client_id, name, name_key, launch_url, redirect_uris, logout_uris, \
         secret_hash, policy, first_party, everyone, signing_alg, created_at, updated_at, kind, \
         domain) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&app.id)
    .bind(&app.client_id)
    .bind(&app.name)
    .bind(app.name.to_lowercase())
    .bind(&app.launch_url)
    .bind(&app.redirect_uris)
    .bind(&app.logout_uris)
    .bind(&app.secret_hash)
    .bind(&app.policy)
    .bind(app.first_party)
    .bind(app.everyone)
    .bind(&app.signing_alg)
    .bind(app.created_at)
    .bind(app.updated_at)
    .bind(&app.kind)
    .bind(&app.domain)
    .execute(db)
    .await?;
    Ok(())
}

/// Writes what an administrator may change (not the id, client id,
/// secret or kind); whether the app exists.
pub async fn update<'c>(db: impl Exec<'c>, app: &App) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE apps SET name = $2, name_key = $3, launch_url = $4, redirect_uris = $5, \
         logout_uris = $6, policy = $7, first_party = $8, everyone = $9, signing_alg = $10, \
         updated_at = $11, domain = $12 WHERE id = $1",
    )
    .bind(&app.id)
    .bind(&app.name)
    .bind(app.name.to_lowercase())
    .bind(&app.launch_url)
    .bind(&app.redirect_uris)
    .bind(&app.logout_uris)
    .bind(&app.policy)
    .bind(app.first_party)
    .bind(app.everyone)
    .bind(&app.signing_alg)
    .bind(app.updated_at)
    .bind(&app.domain)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Marks the app changed, as a transaction's first statement: on SQLite a
/// transaction that reads first and writes later cannot wait for another
/// writer ("database is locked"), one that writes first can. Whether the
/// app is there.
pub async fn claim<'c>(db: impl Exec<'c>, id: &str, now: Timestamp) -> sqlx::Result<bool> {
    let res = sqlx::query("UPDATE apps SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn set_secret<'c>(
    db: impl Exec<'c>,
    id: &str,
    secret_hash: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query("UPDATE apps SET secret_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(secret_hash)
        .bind(now)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn delete<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM apps WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// A group or user an app is assigned to, with words to show.
#[derive(Debug, Clone, FromRow)]
pub struct Member {
    pub id: String,
    pub label: String,
}

pub async fn groups_of<'c>(db: impl Exec<'c>, app_id: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "SELECT g.id, g.name AS label FROM app_groups ag JOIN user_groups g ON g.id = ag.group_id \
         WHERE ag.app_id = $1 ORDER BY g.name_key",
    )
    .bind(app_id)
    .fetch_all(db)
    .await
}

pub async fn users_of<'c>(db: impl Exec<'c>, app_id: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name || ' <' || u.email || '>' AS label FROM app_users au \
         JOIN users u ON u.id = au.user_id WHERE au.app_id = $1 ORDER BY u.email",
    )
    .bind(app_id)
    .fetch_all(db)
    .await
}

/// Forgets whom the app is assigned to (before writing the new lists).
pub async fn clear_members(conn: &mut super::Conn, app_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM app_groups WHERE app_id = $1")
        .bind(app_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM app_users WHERE app_id = $1")
        .bind(app_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Assigns the app to a group; whether the group exists.
pub async fn add_group<'c>(db: impl Exec<'c>, app_id: &str, group_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO app_groups (app_id, group_id) SELECT $1, id FROM user_groups WHERE id = $2 \
         ON CONFLICT DO NOTHING",
    )
    .bind(app_id)
    .bind(group_id)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Assigns the app to a user; whether the user exists.
pub async fn add_user<'c>(db: impl Exec<'c>, app_id: &str, user_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO app_users (app_id, user_id) SELECT $1, id FROM users WHERE id = $2 \
         ON CONFLICT DO NOTHING",
    )
    .bind(app_id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The apps assigned to `user_id`: to everyone, to one of their groups,
/// or to them.
const ASSIGNED: &str = "(a.everyone = TRUE \
     OR EXISTS (SELECT 1 FROM app_users au WHERE au.app_id = a.id AND au.user_id = $1) \
     OR EXISTS (SELECT 1 FROM app_groups ag JOIN user_group_members m ON m.group_id = ag.group_id \
                WHERE ag.app_id = a.id AND m.user_id = $1))";

/// Whether the app is assigned to the user.
pub async fn is_assigned<'c>(db: impl Exec<'c>, app_id: &str, user_id: &str) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT 1 FROM apps a WHERE a.id = $2 AND {ASSIGNED}"
    ))
    .bind(user_id)
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// The apps assigned to the user, by name.
pub async fn assigned_to<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<App>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM apps a WHERE {ASSIGNED} ORDER BY a.name_key"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}
