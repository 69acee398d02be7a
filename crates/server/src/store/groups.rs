//! Groups and their members.

use sqlx::FromRow;

use super::Exec;
use crate::clock::Timestamp;

/// A group with how many members it has.
#[derive(Debug, Clone, FromRow)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub members: i64,
}

const LISTED: &str = "SELECT g.id, g.name, \
     (SELECT COUNT(*) FROM user_group_members m WHERE m.group_id = g.id) AS members \
     FROM user_groups g";

/// Every group, by name.
pub async fn list<'c>(db: impl Exec<'c>) -> sqlx::Result<Vec<Group>> {
    sqlx::query_as(&format!("{LISTED} ORDER BY g.name_key"))
        .fetch_all(db)
        .await
}

pub async fn find<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<Option<Group>> {
    sqlx::query_as(&format!("{LISTED} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Inserts a group; a name taken (whatever its case) is a unique violation.
pub async fn insert<'c>(
    db: impl Exec<'c>,
    id: &str,
    name: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO user_groups (id, name, name_key, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Inserts a group unless one has its name already (whatever its case);
/// whether it was inserted.
pub async fn insert_if_new<'c>(
    db: impl Exec<'c>,
    id: &str,
    name: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO user_groups (id, name, name_key, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name_key) DO NOTHING",
    )
    .bind(id)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Holds the group's row until the transaction ends (a write, so that on
/// SQLite the transaction waits for other writers); whether it exists.
pub async fn lock<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("UPDATE user_groups SET name = name WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Renames a group; whether it exists.
pub async fn rename<'c>(db: impl Exec<'c>, id: &str, name: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("UPDATE user_groups SET name = $2, name_key = $3 WHERE id = $1")
        .bind(id)
        .bind(name)
        .bind(name.to_lowercase())
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Deletes a group (its memberships go with it); whether it existed.
pub async fn delete<'c>(db: impl Exec<'c>, id: &str) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM user_groups WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// Adds a member; whether they were not one already.
pub async fn add_member<'c>(
    db: impl Exec<'c>,
    group_id: &str,
    user_id: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let res = sqlx::query(
        "INSERT INTO user_group_members (group_id, user_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Removes a member; whether they were one.
pub async fn remove_member<'c>(
    db: impl Exec<'c>,
    group_id: &str,
    user_id: &str,
) -> sqlx::Result<bool> {
    let res = sqlx::query("DELETE FROM user_group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(res.rows_affected() == 1)
}

/// The groups of a user, by name.
pub async fn of_user<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<Group>> {
    sqlx::query_as(&format!(
        "{LISTED} WHERE g.id IN (SELECT m.group_id FROM user_group_members m WHERE m.user_id = $1) \
         ORDER BY g.name_key"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}
