//! The admin users list: filters, orders and keyset pages over the users
//! table. Every filter is a test on a column of `users` (the factor filter
//! aside), and every order has an index that ends in a unique key, so a
//! page deep in the list costs what the first one does.

use portcullis_api::{FactorKind, StatusFilter, UserSort};
use sqlx::FromRow;

use super::build::Sql;
use super::users::{ListedUser, COLUMNS};
use super::Exec;
use crate::clock::Timestamp;

/// Which users to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Start of the email or of the name, lower case ("" for all).
    pub prefix: String,
    pub status: Option<StatusFilter>,
    /// Whether MFA is required of them (admins always are).
    pub required: Option<bool>,
    /// Has a confirmed factor of this kind.
    pub factor: Option<FactorKind>,
}

/// Where a page starts: after the row with this sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub key: String,
    pub id: String,
}

/// One page of the list: which users, in what order, from where, how many.
#[derive(Debug, Clone)]
pub struct Page {
    pub filter: Filter,
    pub sort: UserSort,
    /// The order reversed.
    pub desc: bool,
    pub after: Option<After>,
    pub limit: u32,
    /// The time the statuses are judged at.
    pub now: Timestamp,
}

/// A listed user with the key it sorts by (for the next page's [`After`]).
#[derive(Debug, FromRow)]
pub struct Row {
    #[sqlx(flatten)]
    pub listed: ListedUser,
    pub sort_key: String,
}

/// MFA is required of the user: set for them, or an administrator.
const REQUIRED: &str = "(u.mfa_required = TRUE OR u.role <> 'user')";

/// The status of each row as a number, in the order of [`UserSort::Status`]
/// (and of [`StatusFilter::ALL`]). `$now` is the placeholder of the time.
fn status_rank(now: &str) -> String {
    format!(
        "CASE WHEN u.has_factor = TRUE AND {REQUIRED} THEN 5 \
              WHEN u.has_factor = TRUE THEN 4 \
              WHEN NOT {REQUIRED} THEN 3 \
              WHEN u.role <> 'user' OR u.mfa_deadline IS NULL THEN 1 \
              WHEN u.mfa_deadline > {now} THEN 2 \
              ELSE 0 END"
    )
}

fn status_condition(s: StatusFilter, now: &str) -> String {
    let period = "u.role = 'user' AND u.mfa_required = TRUE";
    match s {
        StatusFilter::Active => format!("u.has_factor = TRUE AND {REQUIRED}"),
        StatusFilter::SetUpNotRequired => format!("u.has_factor = TRUE AND NOT {REQUIRED}"),
        StatusFilter::None => format!("u.has_factor = FALSE AND NOT {REQUIRED}"),
        StatusFilter::RequiredNoPeriod => format!(
            "u.has_factor = FALSE AND {REQUIRED} AND (u.role <> 'user' OR u.mfa_deadline IS NULL)"
        ),
        StatusFilter::EnrollmentPeriod => {
            format!("u.has_factor = FALSE AND {period} AND u.mfa_deadline > {now}")
        }
        StatusFilter::EnrollmentExpired => {
            format!("u.has_factor = FALSE AND {period} AND u.mfa_deadline <= {now}")
        }
    }
}

/// The sort key of each row, and whether it is a number.
fn sort_key(sort: UserSort, now: &str) -> (String, bool) {
    match sort {
        UserSort::Email => ("u.email".into(), false),
        UserSort::Name => ("LOWER(u.display_name)".into(), false),
        UserSort::Status => (status_rank(now), true),
        UserSort::Deadline => ("COALESCE(u.mfa_deadline, 9223372036854775807)".into(), true),
    }
}

/// Adds the conditions of `filter`.
fn conditions(sql: &mut Sql, filter: &Filter, now: &str) {
    if !filter.prefix.is_empty() {
        let p = sql.text(super::prefix_pattern(&filter.prefix));
        sql.and(format!(
            "(u.email LIKE {p} ESCAPE '\\' OR LOWER(u.display_name) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(s) = filter.status {
        sql.and(status_condition(s, now));
    }
    match filter.required {
        Some(true) => sql.and(REQUIRED),
        Some(false) => sql.and(format!("NOT {REQUIRED}")),
        None => {}
    }
    if let Some(kind) = filter.factor {
        let k = sql.text(super::factors::kind_name(kind));
        sql.and(format!(
            "EXISTS (SELECT 1 FROM confirmed_factors f WHERE f.user_id = u.id AND f.kind = {k})"
        ));
    }
}

/// One page of at most `p.limit` users matching the filter, in order,
/// after `p.after`.
pub async fn page(db: &super::Db, p: &Page) -> sqlx::Result<Vec<Row>> {
    if p.sort == UserSort::Status {
        return status_page(db, p).await;
    }
    let (sql, statement) = page_statement(p);
    sql.fetch_all(db, &statement).await
}

/// A page in status order, read status by status, each by email. Sorting
/// every user by a status computed per row would cost a full sort on every
/// page; one status at a time is a walk along the email index.
async fn status_page(db: &super::Db, p: &Page) -> sqlx::Result<Vec<Row>> {
    let (filter, desc, after, limit, now) = (&p.filter, p.desc, p.after.as_ref(), p.limit, p.now);
    let mut ranks: Vec<usize> = (0..StatusFilter::ALL.len()).collect();
    if desc {
        ranks.reverse();
    }
    let start = after.and_then(|a| a.key.parse::<usize>().ok());
    let mut rows = Vec::new();
    for rank in ranks {
        let status = StatusFilter::ALL[rank];
        if filter.status.is_some_and(|s| s != status) {
            continue;
        }
        // Groups before the cursor's are done; in its group, go on after
        // its email.
        let email_after = match start {
            Some(s) if (desc && rank > s) || (!desc && rank < s) => continue,
            Some(s) if s == rank => after.map(|a| a.id.as_str()),
            _ => None,
        };
        let wanted = limit.saturating_sub(u32::try_from(rows.len()).unwrap_or(u32::MAX));
        if wanted == 0 {
            break;
        }
        let mut sql = Sql::default();
        let now_p = sql.int(now);
        let group = Filter {
            status: Some(status),
            ..filter.clone()
        };
        conditions(&mut sql, &group, &now_p);
        let (cmp, dir) = if desc { ("<", "DESC") } else { (">", "ASC") };
        if let Some(email) = email_after {
            let e = sql.text(email);
            sql.and(format!("u.email {cmp} {e}"));
        }
        let limit_p = sql.int(i64::from(wanted));
        let statement = format!(
            "SELECT {COLUMNS}, {LISTED}, '{rank}' AS sort_key FROM users u {}
              ORDER BY u.email {dir} LIMIT {limit_p}",
            sql.where_clause()
        );
        rows.extend(sql.fetch_all::<Row>(db, &statement).await?);
    }
    Ok(rows)
}

/// How the database runs [`page`]: its query plan, one line per step
/// (benchmarks show it, to prove the indexes are used).
pub async fn explain_page<'c>(
    db: impl Exec<'c>,
    backend: super::Backend,
    p: &Page,
) -> sqlx::Result<Vec<String>> {
    use sqlx::Row as _;
    let (sql, statement) = page_statement(p);
    let (prefix, column) = match backend {
        super::Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
        super::Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
    };
    let rows: Vec<sqlx::any::AnyRow> = sql.fetch_rows(db, &format!("{prefix} {statement}")).await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>(column).ok())
        .collect())
}

fn page_statement(p: &Page) -> (Sql, String) {
    let mut sql = Sql::default();
    let now_p = sql.int(p.now);
    conditions(&mut sql, &p.filter, &now_p);
    let (key, numeric) = sort_key(p.sort, &now_p);
    // The email is unique: it breaks ties of the other keys.
    let tie = if p.sort == UserSort::Email {
        "u.id"
    } else {
        "u.email"
    };
    let (cmp, dir) = if p.desc { ("<", "DESC") } else { (">", "ASC") };
    if let Some(after) = &p.after {
        let k = if numeric {
            // A cursor that is not a number cannot come from us: start over.
            sql.int(after.key.parse().unwrap_or(i64::MIN))
        } else {
            sql.text(after.key.clone())
        };
        let t = sql.text(after.id.clone());
        // Spelled out rather than as a row comparison, whose first term
        // SQLite would not use to seek the order's index.
        sql.and(format!(
            "{key} {cmp}= {k} AND ({key} {cmp} {k} OR {tie} {cmp} {t})"
        ));
    }
    let limit_p = sql.int(i64::from(p.limit));
    let statement = format!(
        "SELECT {COLUMNS}, {LISTED}, CAST({key} AS TEXT) AS sort_key
           FROM users u {}
          ORDER BY {key} {dir}, {tie} {dir} LIMIT {limit_p}",
        sql.where_clause()
    );
    (sql, statement)
}

/// How many users match `filter`.
pub async fn count<'c>(db: impl Exec<'c>, filter: &Filter, now: Timestamp) -> sqlx::Result<i64> {
    let mut sql = Sql::default();
    let now_p = sql.int(now);
    conditions(&mut sql, filter, &now_p);
    let statement = format!("SELECT COUNT(*) FROM users u {}", sql.where_clause());
    sql.fetch_count(db, &statement).await
}

/// The columns that describe a listed user's factors.
const LISTED: &str = "CAST(u.has_factor AS INTEGER) AS has_factor, \
     (SELECT t.confirmed_at FROM totp_factors t WHERE t.user_id = u.id) AS totp_confirmed_at, \
     EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed_at IS NULL) AS totp_pending";

/// The users with these ids (those that exist), in no particular order.
pub async fn by_ids<'c>(db: impl Exec<'c>, ids: &[String]) -> sqlx::Result<Vec<ListedUser>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {COLUMNS}, {LISTED} FROM users u WHERE u.id IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, ListedUser>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(db).await
}
