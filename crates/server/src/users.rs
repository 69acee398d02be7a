//! The users table.

use portcullis_api::{Me, Role};
use sqlx::FromRow;

use crate::clock::Timestamp;
use crate::db::Db;

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: Timestamp,
    pub mfa_required: bool,
    pub mfa_deadline: Option<Timestamp>,
    pub mfa_required_at: Option<Timestamp>,
}

impl User {
    pub fn role(&self) -> Role {
        // The CHECK constraint keeps other values out; default to least privilege.
        Role::parse(&self.role).unwrap_or(Role::User)
    }

    pub fn me(&self) -> Me {
        Me {
            id: self.id.clone(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
        }
    }
}

/// Emails compare case-insensitively and without surrounding blanks.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email's length and syntax ([`portcullis_api::input::plausible_email`]).
pub fn check_email(email: &str) -> Result<(), String> {
    let e = email.trim();
    if e.is_empty() {
        return Err("Enter an email address.".into());
    }
    if e.len() > 254 {
        return Err("The email address is too long (at most 254 characters).".into());
    }
    if portcullis_api::input::plausible_email(e) {
        Ok(())
    } else {
        Err("Enter an email address like name@example.com.".into())
    }
}

const COLUMNS: &str = "id, email, display_name, password_hash, role, created_at, mfa_required, mfa_deadline, mfa_required_at";
const INSERT_COLUMNS: &str = "id, email, display_name, password_hash, role, created_at";

pub async fn find_by_email(db: &Db, email: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as::<_, User>(&format!("SELECT {COLUMNS} FROM users WHERE email = ?"))
        .bind(normalize_email(email))
        .fetch_optional(db)
        .await
}

pub async fn find_by_id(db: &Db, id: &str) -> sqlx::Result<Option<User>> {
    sqlx::query_as::<_, User>(&format!("SELECT {COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

pub async fn create(db: &Db, new: NewUser<'_>, now: Timestamp) -> sqlx::Result<User> {
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email: normalize_email(new.email),
        display_name: new.display_name.trim().to_string(),
        password_hash: new.password_hash.to_string(),
        role: new.role.as_str().to_string(),
        created_at: now,
        mfa_required: false,
        mfa_deadline: None,
        mfa_required_at: None,
    };
    sqlx::query(&format!(
        "INSERT INTO users ({INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
    ))
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(&user.role)
    .bind(user.created_at)
    .execute(db)
    .await?;
    Ok(user)
}

/// The user's MFA requirement, with whether a confirmed factor exists.
pub async fn requirement(db: &Db, user: &User) -> sqlx::Result<crate::mfa::Requirement> {
    let has_factor: bool = sqlx::query_scalar(
        "SELECT COUNT(*) > 0 FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL",
    )
    .bind(&user.id)
    .fetch_one(db)
    .await?;
    Ok(crate::mfa::Requirement {
        required: user.mfa_required,
        deadline: user.mfa_deadline,
        has_factor,
    })
}

/// Requires MFA from now with this deadline (`None`: no period), forgetting
/// any reminder sent for an earlier deadline.
pub async fn set_requirement<'c, E>(
    db: E,
    user_id: &str,
    deadline: Option<Timestamp>,
    now: Timestamp,
) -> sqlx::Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    sqlx::query(
        "UPDATE users SET mfa_required = TRUE, mfa_deadline = ?, mfa_required_at = ?, mfa_reminder_sent_at = NULL WHERE id = ?",
    )
    .bind(deadline)
    .bind(now)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(normalize_email("  Alice@Example.COM "), "alice@example.com");
        assert!(check_email("alice@example.com").is_ok());
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@example",
            "a b@example.com",
            "a@.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
