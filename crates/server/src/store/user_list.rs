//! The admin users list: filters, orders and keyset pages over the users
//! table. Every filter is a test on a column of `users` (the factor filter
//! aside), and every order has an index that ends in a unique key, so a
//! page deep in the list costs what the first one does.

use portcullis_api::{AccountFilter, FactorKind, StatusFilter, UserSort};
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
    /// Is in the group with this id.
    pub group: Option<String>,
    /// Invited (no password yet) or suspended.
    pub account: Option<AccountFilter>,
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
        let k = sql.text(kind.wire());
        // `has_factor` is kept equal to "has a confirmed factor" by the
        // store, so it is implied; tested first, it spares the subquery on
        // every user without a factor.
        sql.and(format!(
            "u.has_factor = TRUE AND \
             EXISTS (SELECT 1 FROM confirmed_factors f WHERE f.user_id = u.id AND f.kind = {k})"
        ));
    }
    if let Some(group) = &filter.group {
        let g = sql.text(group.clone());
        // By the membership's primary key (group, user).
        sql.and(format!(
            "EXISTS (SELECT 1 FROM user_group_members m WHERE m.group_id = {g} AND m.user_id = u.id)"
        ));
    }
    match filter.account {
        // The condition of the partial index `users_invited`.
        Some(AccountFilter::Invited) => sql.and("u.password_hash = ''"),
        Some(AccountFilter::Suspended) => sql.and("u.suspended_at IS NOT NULL"),
        None => {}
    }
}

/// The sort key of users without a deadline: they sort after everyone
/// with one, by email (the expression of `users_deadline_list`).
const NO_DEADLINE: &str = "9223372036854775807";

/// One statement of a page. Status and deadline orders are read in parts,
/// each a walk along an index, rather than one statement whose order no
/// index gives (status) or that walks past every non-matching user with a
/// deadline to reach the matching ones without (deadline).
#[derive(Debug)]
enum Part<'a> {
    /// The whole page (email and name orders).
    Whole,
    /// The users of one status (its rank), by email, after this email.
    Group {
        rank: usize,
        email_after: Option<&'a str>,
    },
    /// Users with a deadline, by deadline then email, after this key and
    /// email.
    Dated { after: Option<(i64, &'a str)> },
    /// Users without a deadline (all of the same key), by email, after this
    /// email.
    Undated { email_after: Option<&'a str> },
}

/// Whether users of `status` can meet the filter's requirement and factor
/// conditions. Each status fixes `has_factor` and the requirement, and the
/// factor filter requires `has_factor`, so this is read off the conditions
/// themselves; a group that cannot match would otherwise be walked to its
/// end to find nothing.
fn group_can_match(status: StatusFilter, filter: &Filter) -> bool {
    let (has_factor, required) = match status {
        StatusFilter::Active => (true, true),
        StatusFilter::SetUpNotRequired => (true, false),
        StatusFilter::None => (false, false),
        StatusFilter::RequiredNoPeriod
        | StatusFilter::EnrollmentPeriod
        | StatusFilter::EnrollmentExpired => (false, true),
    };
    (has_factor || filter.factor.is_none()) && filter.required.is_none_or(|r| r == required)
}

/// The statements of a page, in the order their rows come.
fn parts(p: &Page) -> Vec<Part<'_>> {
    match p.sort {
        UserSort::Email | UserSort::Name => vec![Part::Whole],
        UserSort::Status => {
            let mut ranks: Vec<usize> = (0..StatusFilter::ALL.len()).collect();
            if p.desc {
                ranks.reverse();
            }
            let start = p.after.as_ref().and_then(|a| a.key.parse::<usize>().ok());
            ranks
                .into_iter()
                .filter_map(|rank| {
                    let status = StatusFilter::ALL[rank];
                    if p.filter.status.is_some_and(|s| s != status)
                        || !group_can_match(status, &p.filter)
                    {
                        return None;
                    }
                    // Groups before the cursor's are done; in its group, go
                    // on after its email.
                    let email_after = match start {
                        Some(s) if (p.desc && rank > s) || (!p.desc && rank < s) => return None,
                        Some(s) if s == rank => p.after.as_ref().map(|a| a.id.as_str()),
                        _ => None,
                    };
                    Some(Part::Group { rank, email_after })
                })
                .collect()
        }
        UserSort::Deadline => {
            // The key is a deadline, or `NO_DEADLINE` for users without one
            // (and for a deadline of exactly that value, which sorts among
            // them by email just the same). A cursor that is not a number
            // cannot come from us: it starts over, as in the other orders.
            let after = p.after.as_ref().map(|a| {
                let key = a.key.parse::<i64>().unwrap_or(i64::MIN);
                (key, a.id.as_str())
            });
            let mut parts = match (after, p.desc) {
                (Some((i64::MAX, email)), false) => vec![Part::Undated {
                    email_after: Some(email),
                }],
                (Some((i64::MAX, email)), true) => vec![
                    Part::Undated {
                        email_after: Some(email),
                    },
                    Part::Dated { after: None },
                ],
                (Some(after), false) => vec![
                    Part::Dated { after: Some(after) },
                    Part::Undated { email_after: None },
                ],
                (Some(after), true) => vec![Part::Dated { after: Some(after) }],
                (None, false) => vec![
                    Part::Dated { after: None },
                    Part::Undated { email_after: None },
                ],
                (None, true) => vec![
                    Part::Undated { email_after: None },
                    Part::Dated { after: None },
                ],
            };
            // An expired period is a deadline at or before now, which no
            // user of the undated part has (while now is before the end of
            // time): walking that part would read all of it for nothing.
            if p.filter.status == Some(StatusFilter::EnrollmentExpired) && p.now < i64::MAX {
                parts.retain(|part| !matches!(part, Part::Undated { .. }));
            }
            parts
        }
    }
}

/// One page of at most `p.limit` users matching the filter, in order,
/// after `p.after`.
pub async fn page(db: &super::Db, p: &Page) -> sqlx::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for part in parts(p) {
        let wanted = p
            .limit
            .saturating_sub(u32::try_from(rows.len()).unwrap_or(u32::MAX));
        if wanted == 0 {
            break;
        }
        let (sql, statement) = part_statement(p, &part, wanted);
        rows.extend(sql.fetch_all::<Row>(db, &statement).await?);
    }
    Ok(rows)
}

/// How the database runs [`page`]: its query plan, one line per step, under
/// a line naming each statement when there are several (benchmarks show
/// it, to prove the indexes are used).
pub async fn explain_page(
    db: &super::Db,
    backend: super::Backend,
    p: &Page,
) -> sqlx::Result<Vec<String>> {
    use sqlx::Row as _;
    let (prefix, column) = match backend {
        super::Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
        super::Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
    };
    let parts = parts(p);
    let mut lines = Vec::new();
    for part in &parts {
        if parts.len() > 1 {
            lines.push(match part {
                Part::Whole => "the page:".to_string(),
                Part::Group { rank, .. } => format!("status group {rank}:"),
                Part::Dated { .. } => "users with a deadline:".to_string(),
                Part::Undated { .. } => "users without a deadline:".to_string(),
            });
        }
        let (sql, statement) = part_statement(p, part, p.limit);
        let rows: Vec<sqlx::any::AnyRow> =
            sql.fetch_rows(db, &format!("{prefix} {statement}")).await?;
        lines.extend(
            rows.iter()
                .filter_map(|r| r.try_get::<String, _>(column).ok())
                .map(|l| if parts.len() > 1 { format!("  {l}") } else { l }),
        );
    }
    Ok(lines)
}

/// The statement of one part of a page, for at most `limit` rows.
fn part_statement(p: &Page, part: &Part<'_>, limit: u32) -> (Sql, String) {
    let mut sql = Sql::default();
    let now_p = sql.int(p.now);
    let (cmp, dir) = if p.desc { ("<", "DESC") } else { (">", "ASC") };
    let (sort_key_column, order) = match part {
        Part::Whole => {
            conditions(&mut sql, &p.filter, &now_p);
            let (key, numeric) = sort_key(p.sort, &now_p);
            // The email is unique: it breaks ties of the other keys.
            let tie = if p.sort == UserSort::Email {
                "u.id"
            } else {
                "u.email"
            };
            if let Some(after) = &p.after {
                let k = if numeric {
                    // A cursor that is not a number cannot come from us:
                    // start over.
                    sql.int(after.key.parse().unwrap_or(i64::MIN))
                } else {
                    sql.text(after.key.clone())
                };
                let t = sql.text(after.id.clone());
                // Spelled out rather than as a row comparison, whose first
                // term SQLite would not use to seek the order's index.
                sql.and(format!(
                    "{key} {cmp}= {k} AND ({key} {cmp} {k} OR {tie} {cmp} {t})"
                ));
            }
            (
                format!("CAST({key} AS TEXT)"),
                format!("{key} {dir}, {tie} {dir}"),
            )
        }
        Part::Group { rank, email_after } => {
            let group = Filter {
                status: Some(StatusFilter::ALL[*rank]),
                ..p.filter.clone()
            };
            conditions(&mut sql, &group, &now_p);
            if let Some(email) = email_after {
                let e = sql.text(*email);
                sql.and(format!("u.email {cmp} {e}"));
            }
            (format!("'{rank}'"), format!("u.email {dir}"))
        }
        Part::Dated { after } => {
            conditions(&mut sql, &p.filter, &now_p);
            let (key, _) = sort_key(UserSort::Deadline, &now_p);
            sql.and(format!("{key} < {NO_DEADLINE}"));
            if let Some((k, email)) = after {
                let k = sql.int(*k);
                let e = sql.text(*email);
                sql.and(format!(
                    "{key} {cmp}= {k} AND ({key} {cmp} {k} OR u.email {cmp} {e})"
                ));
            }
            (
                format!("CAST({key} AS TEXT)"),
                format!("{key} {dir}, u.email {dir}"),
            )
        }
        Part::Undated { email_after } => {
            conditions(&mut sql, &p.filter, &now_p);
            let (key, _) = sort_key(UserSort::Deadline, &now_p);
            // One key for all: the equality lets the index seek to the
            // email, and the order is the email's alone.
            sql.and(format!("{key} = {NO_DEADLINE}"));
            // A period still running needs a deadline after now: here only
            // the stored end of time can be one, and the deadline's own
            // index finds those few without reading the part.
            if p.filter.status == Some(StatusFilter::EnrollmentPeriod) {
                sql.and(format!("u.mfa_deadline = {NO_DEADLINE}"));
            }
            if let Some(email) = email_after {
                let e = sql.text(*email);
                sql.and(format!("u.email {cmp} {e}"));
            }
            (format!("'{NO_DEADLINE}'"), format!("u.email {dir}"))
        }
    };
    let limit_p = sql.int(i64::from(limit));
    let statement = format!(
        "SELECT {COLUMNS}, {LISTED}, {sort_key_column} AS sort_key
           FROM users u {}
          ORDER BY {order} LIMIT {limit_p}",
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

/// How many users are in each status, by the rank of [`status_rank`]
/// (ranks with no user left out). Every column the status is judged by is
/// in the index `users_deadline_list`, so the database can count from that
/// index alone, without reading the table's rows.
pub async fn status_counts<'c>(db: impl Exec<'c>, now: Timestamp) -> sqlx::Result<Vec<(i64, i64)>> {
    let mut sql = Sql::default();
    let now_p = sql.int(now);
    let rank = status_rank(&now_p);
    let statement =
        format!("SELECT CAST({rank} AS BIGINT) AS rank, COUNT(*) AS users FROM users u GROUP BY 1");
    sql.fetch_pairs(db, &statement).await
}

/// The columns that describe a listed user's factors: lookups by
/// `user_id` beside the order's walk, which they leave alone. The Protect
/// device's is one value (`protect_devices.user_id` is unique), so a user
/// is never listed twice.
const LISTED: &str = "CAST(u.has_factor AS INTEGER) AS has_factor, \
     (SELECT t.confirmed_at FROM totp_factors t WHERE t.user_id = u.id) AS totp_confirmed_at, \
     EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed_at IS NULL) AS totp_pending, \
     EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.on_device = TRUE) AS totp_on_device, \
     (SELECT d.label FROM protect_devices d WHERE d.user_id = u.id) AS protect_label";

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
