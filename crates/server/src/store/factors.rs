//! The factor registry: one place that answers "which confirmed second
//! factors does this user have". It reads the `confirmed_factors` view, to
//! which each kind of factor adds its table; the MFA status, the login
//! answer, the admin list and the reminder job all ask here (or join the
//! view), so a new factor counts everywhere once it is in the view. The
//! users table keeps a copy of "has any" (`has_factor`), which `refresh`
//! updates after each change, so the admin list can filter millions of
//! rows on a column. The view also names each factor and says when it was
//! last used, for the admin pages.

use portcullis_api::FactorKind;

use super::Exec;
use crate::clock::Timestamp;

/// The kinds of confirmed factors `user_id` has, each once, in a fixed order.
pub async fn confirmed_kinds<'c>(
    db: impl Exec<'c>,
    user_id: &str,
) -> sqlx::Result<Vec<FactorKind>> {
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT kind FROM confirmed_factors WHERE user_id = $1 ORDER BY kind",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(kinds.iter().filter_map(|k| FactorKind::parse(k)).collect())
}

/// The kind of the user's factor used last, if any was used.
pub async fn last_used_kind<'c>(
    db: impl Exec<'c>,
    user_id: &str,
) -> sqlx::Result<Option<FactorKind>> {
    let kind: Option<String> = sqlx::query_scalar(
        "SELECT kind FROM confirmed_factors WHERE user_id = $1 AND last_used_at IS NOT NULL
         ORDER BY last_used_at DESC, kind LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(kind.as_deref().and_then(FactorKind::parse))
}

/// Brings the user's `has_factor` column in line with the view. Every
/// statement that adds, confirms or removes a factor calls this in the
/// same transaction; the admin list filters on the column.
pub async fn refresh<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE users SET has_factor = EXISTS (SELECT 1 FROM confirmed_factors f WHERE f.user_id = $1)
         WHERE id = $1",
    )
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// One kind of confirmed factor of a user, with the last use of any factor
/// of that kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindUse {
    pub user_id: String,
    pub kind: FactorKind,
    pub last_used_at: Option<Timestamp>,
}

/// The kinds of confirmed factors of each of `user_ids`, and when each kind
/// was last used (one query for a whole page of users).
pub async fn uses_of<'c>(db: impl Exec<'c>, user_ids: &[String]) -> sqlx::Result<Vec<KindUse>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=user_ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT user_id, kind, MAX(last_used_at) AS last_used_at FROM confirmed_factors
         WHERE user_id IN ({}) GROUP BY user_id, kind ORDER BY user_id, kind",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, String, Option<Timestamp>)>(&sql);
    for id in user_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(user_id, k, last_used_at)| {
            FactorKind::parse(&k).map(|kind| KindUse {
                user_id,
                kind,
                last_used_at,
            })
        })
        .collect())
}

/// One confirmed factor, as the registry lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    /// Names the factor among the user's (see the view).
    pub id: String,
    pub kind: FactorKind,
    pub since: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// Every confirmed factor of `user_id`, oldest first.
pub async fn confirmed<'c>(db: impl Exec<'c>, user_id: &str) -> sqlx::Result<Vec<Confirmed>> {
    let rows: Vec<(String, String, Timestamp, Option<Timestamp>)> = sqlx::query_as(
        "SELECT factor_id, kind, since, last_used_at FROM confirmed_factors
         WHERE user_id = $1 ORDER BY since, kind, factor_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, k, since, last_used_at)| {
            FactorKind::parse(&k).map(|kind| Confirmed {
                id,
                kind,
                since,
                last_used_at,
            })
        })
        .collect())
}
