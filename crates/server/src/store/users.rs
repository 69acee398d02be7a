//! The users table.

use portcullis_api::Role;
use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

/// A user row. `Debug` leaves the password hash out.
#[derive(Clone, FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: Timestamp,
    #[sqlx(try_from = "super::Flag")]
    pub mfa_required: bool,
    pub mfa_deadline: Option<Timestamp>,
    pub mfa_required_at: Option<Timestamp>,
    /// Suspended by an administrator at this time (`None`: active).
    pub suspended_at: Option<Timestamp>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("password_hash", &portcullis_api::REDACTED)
            .field("mfa_required", &self.mfa_required)
            .field("mfa_deadline", &self.mfa_deadline)
            .finish()
    }
}

impl User {
    pub fn role(&self) -> Role {
        // The CHECK constraint keeps other values out; default to least privilege.
        Role::parse(&self.role).unwrap_or(Role::User)
    }

    pub fn me(&self) -> portcullis_api::Me {
        portcullis_api::Me {
            id: self.id.clone(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
        }
    }
}

/// Boolean columns are read through a cast: see [`super::Flag`].
pub(crate) const COLUMNS: &str =
    "u.id, u.email, u.display_name, u.password_hash, u.role, u.created_at, \
     CAST(u.mfa_required AS INTEGER) AS mfa_required, u.mfa_deadline, u.mfa_required_at, \
     u.suspended_at";

/// `email` must already be normalised (lower case, trimmed).
pub async fn find_by_email<'c>(db: impl Exec<'c>, email: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as::<_, User>(&format!("SELECT {COLUMNS} FROM users u WHERE u.email = $1"))
        .bind(email)
        .fetch_optional(db)
        .await
}

pub async fn find_by_id<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as::<_, User>(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn count<'c>(db: impl Exec<'c>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

/// Inserts a user; the caller has normalised the email and hashed the password.
pub async fn insert<'c>(db: impl Exec<'c>, user: &User) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(&user.role)
    .bind(user.created_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Inserts a user unless their email is taken; whether it was inserted.
pub async fn insert_if_new<'c>(db: impl Exec<'c>, user: &User) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(&user.role)
    .bind(user.created_at)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Which of `emails` (normalised) belong to a user, read in chunks.
pub async fn existing_emails<'c>(
    db: impl Exec<'c> + Copy,
    emails: &[String],
) -> sqlx::Result<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    for chunk in emails.chunks(500) {
        let mut sql = super::build::Sql::default();
        let list: Vec<String> = chunk.iter().map(|e| sql.text(e.clone())).collect();
        let query = format!(
            "SELECT email FROM users WHERE email IN ({})",
            list.join(", ")
        );
        let rows: Vec<(String,)> = sql.fetch_all(db, &query).await?;
        found.extend(rows.into_iter().map(|(e,)| e));
    }
    Ok(found)
}

/// Sets the user's name, email (normalised) and role.
pub async fn set_profile<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    display_name: &str,
    email: &str,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET display_name = $2, email = $3, role = $4 WHERE id = $1")
        .bind(user_id)
        .bind(display_name)
        .bind(email)
        .bind(role.as_str())
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes the user's row; what hangs off it goes with it (`ON DELETE
/// CASCADE`). Returns whether there was one.
pub async fn delete<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Keeps a deleted user's id readable in the audit log.
pub async fn insert_tombstone<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    label: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO deleted_users (id, label, deleted_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(label)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Suspends the user from `at` (`None`: reactivates them).
pub async fn set_suspended<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    at: Option<Timestamp>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET suspended_at = $2 WHERE id = $1")
        .bind(user_id)
        .bind(at)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces the user's password hash.
pub async fn set_password<'c>(db: impl Exec<'c>, user_id: &str, phc: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(phc)
        .execute(db)
        .await?;
    Ok(())
}

/// Requires MFA from `now` with this deadline (`None`: no period), forgetting
/// any reminder sent for an earlier deadline.
pub async fn set_requirement<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    deadline: Option<Timestamp>,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET mfa_required = TRUE, mfa_deadline = $1, mfa_required_at = $2, mfa_reminder_sent_at = NULL WHERE id = $3",
    )
    .bind(deadline)
    .bind(now)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// No longer requires MFA of the user: no requirement, no period.
pub async fn clear_requirement<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET mfa_required = FALSE, mfa_deadline = NULL, mfa_required_at = NULL, mfa_reminder_sent_at = NULL WHERE id = $1",
    )
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Users who need the 24-hour reminder at `now`: required, no factor, the
/// deadline within `lead` seconds and not passed, not reminded yet — and the
/// period was longer than `lead` (a short period starts with the "required"
/// email, which already says it all).
pub async fn due_for_reminder<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    lead: i64,
) -> sqlx::Result<Vec<User>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users u
         WHERE u.mfa_required = TRUE AND u.mfa_deadline IS NOT NULL AND u.mfa_reminder_sent_at IS NULL
           AND u.mfa_deadline > $1 AND u.mfa_deadline - $2 <= $3
           AND u.mfa_required_at < u.mfa_deadline - $4
           AND NOT EXISTS (SELECT 1 FROM confirmed_factors f WHERE f.user_id = u.id)"
    ))
    .bind(now)
    .bind(lead)
    .bind(now)
    .bind(lead)
    .fetch_all(db)
    .await
}

/// Marks the reminder as sent; of several instances exactly one wins.
pub async fn claim_reminder<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "UPDATE users SET mfa_reminder_sent_at = $1 WHERE id = $2 AND mfa_reminder_sent_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Takes the user's row for the rest of the transaction (a write that
/// changes nothing), so concurrent changes to the same user's factors wait
/// for this one and the checks made after it see their outcome. Returns
/// whether the user exists.
pub async fn lock<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("UPDATE users SET has_factor = has_factor WHERE id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Every administrator and billing administrator, by email.
pub async fn administrators<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<User>> {
    sqlx::query_as::<_, User>(&format!(
        "SELECT {COLUMNS} FROM users u WHERE u.role IN ('admin', 'billing_admin') ORDER BY u.email"
    ))
    .fetch_all(db)
    .await
}

/// A user in the admin list, with the facts its MFA status is made of.
#[derive(Debug, FromRow)]
pub struct ListedUser {
    #[sqlx(flatten)]
    pub user: User,
    /// Any confirmed second factor, from the factor registry.
    #[sqlx(try_from = "super::Flag")]
    pub has_factor: bool,
    pub totp_confirmed_at: Option<Timestamp>,
    #[sqlx(try_from = "super::Flag")]
    pub totp_pending: bool,
    /// The app's key is the Protect device's.
    #[sqlx(try_from = "super::Flag")]
    pub totp_on_device: bool,
    /// The label of their Protect device, if one is enrolled.
    pub protect_label: Option<String>,
}

const LISTED: &str = "EXISTS (SELECT 1 FROM confirmed_factors f WHERE f.user_id = u.id) AS has_factor, \
     (SELECT t.confirmed_at FROM totp_factors t WHERE t.user_id = u.id) AS totp_confirmed_at, \
     EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed_at IS NULL) AS totp_pending, \
     EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.on_device = TRUE) AS totp_on_device, \
     (SELECT d.label FROM protect_devices d WHERE d.user_id = u.id) AS protect_label";

pub async fn listed<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<ListedUser>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, {LISTED} FROM users u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// When the user last dismissed the banner about a merge of Protect and
/// the authenticator app (`None`: never; the outer `None`: no such user).
pub async fn merge_seen_at<'c>(
    db: impl Exec<'c>,
    user_id: &str,
) -> sqlx::Result<Option<Option<Timestamp>>> {
    sqlx::query_scalar("SELECT protect_merge_seen_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Records that the user saw the banner about the merge at `now`.
pub async fn set_merge_seen<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET protect_merge_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The users a host's account name stands for: the one whose email it is,
/// else those whose email starts with `local@` (at most two are read: a
/// name must stand for exactly one). `name` is normalised as emails are.
pub async fn find_by_login_name<'c>(
    db: impl Exec<'c> + Copy,
    name: &str,
) -> sqlx::Result<Vec<User>> {
    if name.contains('@') {
        return Ok(find_by_email(db, name).await?.into_iter().collect());
    }
    // A scan, not the email index: a prefix range would depend on
    // PostgreSQL's collation. Run once per host login, after the password.
    let prefix = format!("{name}@");
    let width = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
    sqlx::query_as::<_, User>(&format!(
        "SELECT {COLUMNS} FROM users u WHERE substr(u.email, 1, CAST($1 AS INTEGER)) = $2 LIMIT 2"
    ))
    .bind(width)
    .bind(prefix)
    .fetch_all(db)
    .await
}
