//! Importing users from a CSV file. The same rules judge the preview and
//! the import: every row is checked (name, email, role, groups, cells a
//! spreadsheet would run as formulas, duplicates in the file and in the
//! directory) and each problem is named in words with its line. The import
//! writes all valid rows in one transaction, or nothing: while any row has
//! a problem, only when the administrator chose "import the valid rows".
//!
//! Imported people are invited as "Add user" invites them (no password yet,
//! so no password hashing: 10,000 rows take seconds).

use std::collections::{HashMap, HashSet};

use portcullis_api::{ImportProblem, ImportReport, Role, UserImport, IMPORT_MAX_ROWS};

use super::add::{self, check_name, AddedBy};
use super::csv_rows::{self, Row};
use crate::admin::common::AdminError;
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::email::{check_email, normalize_email};
use crate::auth::{self, Authed};
use crate::error::Internal;
use crate::store::{self, groups};

/// The columns a file may have; the first two it must have.
const COLUMNS: [Column; 4] = [Column::Name, Column::Email, Column::Role, Column::Groups];
/// Separates the groups of one cell.
const GROUP_SEPARATOR: char = ';';

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Email,
    Role,
    Groups,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::Role => "role",
            Column::Groups => "groups",
        }
    }

    /// The column a header cell names (some spellings exports use too).
    fn named(cell: &str) -> Option<Column> {
        match cell.trim().to_lowercase().as_str() {
            "name" | "display name" | "display_name" | "full name" => Some(Column::Name),
            "email" | "e-mail" | "email address" => Some(Column::Email),
            "role" => Some(Column::Role),
            "groups" | "group" => Some(Column::Groups),
            _ => None,
        }
    }
}

/// A row that can be imported.
#[derive(Debug, Clone)]
struct Person {
    name: String,
    email: String,
    role: Role,
    /// Group names, lower-cased (the key names are unique by).
    groups: Vec<String>,
}

/// What a file would do.
#[derive(Debug, Default)]
struct Plan {
    file_problem: Option<String>,
    rows: u32,
    people: Vec<Person>,
    problems: Vec<ImportProblem>,
    /// Groups to make: key → name as first written.
    new_groups: Vec<(String, String)>,
}

impl Plan {
    fn refused(problem: String) -> Plan {
        Plan {
            file_problem: Some(problem),
            ..Plan::default()
        }
    }

    fn report(&self, imported: u32) -> ImportReport {
        ImportReport {
            file_problem: self.file_problem.clone(),
            rows: self.rows,
            ready: u32::try_from(self.people.len()).unwrap_or(u32::MAX),
            problems: self.problems.clone(),
            new_groups: self.new_groups.iter().map(|(_, n)| n.clone()).collect(),
            imported,
        }
    }
}

/// The preview: what importing the file would do, row by row.
pub async fn preview(
    state: &AppState,
    admin: &Authed,
    file: &UserImport,
) -> Result<ImportReport, AdminError> {
    Ok(plan(state, admin.user.role(), &file.csv).await?.report(0))
}

/// The import: every valid row, or nothing. Refused in words while the
/// file cannot be read, or any row has a problem and the administrator
/// did not choose to import only the valid rows.
pub async fn import(
    state: &AppState,
    admin: &Authed,
    file: &UserImport,
    client: &Client,
) -> Result<ImportReport, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let plan = plan(state, admin.user.role(), &file.csv).await?;
    if let Some(problem) = &plan.file_problem {
        return Err(AdminError::Conflict(problem.clone()));
    }
    if !plan.problems.is_empty() && !file.valid_rows_only {
        return Err(AdminError::Conflict(format!(
            "{} of the rows cannot be imported, so nothing was. Correct them and try again, \
             or import only the valid rows.",
            plan.problems.len()
        )));
    }
    if plan.people.is_empty() {
        return Err(AdminError::Conflict(
            "No row of the file can be imported.".into(),
        ));
    }
    write(state, admin, client, &plan).await?;
    let imported = u32::try_from(plan.people.len()).unwrap_or(u32::MAX);
    Ok(plan.report(imported))
}

/// Writes the plan in one transaction; refused (and nothing written) when
/// an email was taken after the plan was made.
async fn write(
    state: &AppState,
    admin: &Authed,
    client: &Client,
    plan: &Plan,
) -> Result<(), AdminError> {
    let now = state.now();
    let by = AddedBy::Admin(admin, client);
    // Inserts first: on SQLite, a transaction must write before it reads
    // to wait for other writers (see `add::invite`).
    let mut tx = state.db.begin().await?;
    let mut accounts = Vec::with_capacity(plan.people.len());
    for p in &plan.people {
        let user = add::new_account(p.email.clone(), p.name.clone(), p.role, now);
        if !store::users::insert_if_new(&mut *tx, &user).await? {
            return Err(AdminError::Conflict(format!(
                "A user with the email {} was added meanwhile, so nothing was imported. \
                 Check the file again.",
                p.email
            )));
        }
        accounts.push(user);
    }
    for (_, name) in &plan.new_groups {
        let id = uuid::Uuid::new_v4().to_string();
        // Made meanwhile by someone else: then theirs is used.
        if groups::insert_if_new(&mut *tx, &id, name, now).await? {
            let detail = format!("group {name} created (CSV import)");
            let event = Event {
                kind: EventKind::AdminGroupChanged,
                actor: Actor::Admin(&admin.user.id),
                subject: None,
                client: Some(client),
                detail: &detail,
                resource: None,
            };
            audit::record(&mut *tx, now, event).await?;
        }
    }
    let ids: HashMap<String, String> = groups::list(&mut *tx)
        .await?
        .into_iter()
        .map(|g| (g.name.to_lowercase(), g.id))
        .collect();
    let settings = crate::rules::org_settings::get(&mut *tx).await?;
    let requirement = settings.new_user_requirement(now);
    for (p, mut user) in plan.people.iter().zip(accounts) {
        add::welcome_in(&mut tx, state, &mut user, requirement, by, " (CSV import)").await?;
        for key in &p.groups {
            let Some(id) = ids.get(key) else {
                return Err(AdminError::Conflict(
                    "A group of the file was deleted meanwhile, so nothing was imported. \
                     Check the file again."
                        .into(),
                ));
            };
            groups::add_member(&mut *tx, id, &user.id, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Judges the file: every row's problems, the people to add, the groups to
/// make. Reads the directory (taken emails, existing groups) but writes
/// nothing.
async fn plan(state: &AppState, admin_role: Role, text: &str) -> Result<Plan, Internal> {
    let rows = match read_rows(text) {
        Ok(rows) => rows,
        Err(problem) => return Ok(Plan::refused(problem)),
    };
    let (header, data) = match rows.split_first() {
        Some((header, data)) => (header, data),
        None => return Ok(Plan::refused(EMPTY.into())),
    };
    let columns = match columns(header) {
        Ok(c) => c,
        Err(problem) => return Ok(Plan::refused(problem)),
    };
    let data: Vec<&Row> = data.iter().filter(|r| !r.is_blank()).collect();
    if data.len() > IMPORT_MAX_ROWS {
        return Ok(Plan::refused(format!(
            "The file has {} rows; import at most {IMPORT_MAX_ROWS} at a time (split the file).",
            data.len()
        )));
    }
    let emails: Vec<String> = data
        .iter()
        .filter_map(|r| cell(r, &columns, Column::Email))
        .map(normalize_email)
        .collect();
    let taken = store::users::existing_emails(&state.db, &emails).await?;
    let known: HashSet<String> = groups::list(&state.db)
        .await?
        .into_iter()
        .map(|g| g.name.to_lowercase())
        .collect();

    let mut plan = Plan {
        rows: u32::try_from(data.len()).unwrap_or(u32::MAX),
        ..Plan::default()
    };
    // Email → the line that has it first.
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut new_keys: HashSet<String> = HashSet::new();
    for row in data {
        let written = cell(row, &columns, Column::Email)
            .unwrap_or_default()
            .to_string();
        let judged = judge(row, &columns, admin_role).and_then(|p| {
            if taken.contains(&p.email) {
                return Err(format!("A user with the email {} exists already.", p.email));
            }
            if let Some(first) = seen.get(&p.email) {
                return Err(format!("The email {} is on line {first} already.", p.email));
            }
            Ok(p)
        });
        match judged {
            Ok(p) => {
                seen.insert(p.email.clone(), row.line);
                for (key, name) in group_names(row, &columns) {
                    if !known.contains(&key) && new_keys.insert(key.clone()) {
                        plan.new_groups.push((key, name));
                    }
                }
                plan.people.push(p);
            }
            Err(message) => plan.problems.push(ImportProblem {
                line: row.line,
                email: written.chars().take(254).collect(),
                message,
            }),
        }
    }
    Ok(plan)
}

const EMPTY: &str =
    "The file is empty. Its first line names the columns: name, email, role, groups.";

/// The file's rows, or why it cannot be read.
fn read_rows(text: &str) -> Result<Vec<Row>, String> {
    if text.contains('\u{fffd}') {
        return Err(
            "The file is not UTF-8 text. Save it from your spreadsheet as \
                    \"CSV UTF-8\" and choose it again."
                .into(),
        );
    }
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if !first_line.contains(',') && first_line.contains(';') {
        return Err(
            "The file's values are separated by semicolons. Save it as CSV with \
                    commas (\"CSV UTF-8 (comma delimited)\")."
                .into(),
        );
    } else if !first_line.contains(',') && first_line.contains('\t') {
        return Err(
            "The file's values are separated by tabs. Save it as CSV with commas \
                    (\"CSV UTF-8 (comma delimited)\")."
                .into(),
        );
    } else {
        ','
    };
    csv_rows::read(text, delimiter).map_err(|e| e.words())
}

/// Which column each position of the header is.
fn columns(header: &Row) -> Result<Vec<Column>, String> {
    let mut found = Vec::with_capacity(header.cells.len());
    for raw in &header.cells {
        let Some(c) = Column::named(raw) else {
            let shown: String = raw.trim().chars().take(40).collect();
            return Err(format!(
                "The first line names a column \"{shown}\" that an import does not know. The \
                 columns are name, email, role and groups (role and groups may be left out)."
            ));
        };
        if found.contains(&c) {
            return Err(format!(
                "The first line names the column {} twice.",
                c.title()
            ));
        }
        found.push(c);
    }
    for needed in [Column::Name, Column::Email] {
        if !found.contains(&needed) {
            return Err(format!(
                "The first line has no column {}. It names the columns: name, email, and \
                 optionally role and groups.",
                needed.title()
            ));
        }
    }
    debug_assert!(found.iter().all(|c| COLUMNS.contains(c)));
    Ok(found)
}

/// The cell of `column` in `row` (absent past the row's end).
fn cell<'r>(row: &'r Row, columns: &[Column], column: Column) -> Option<&'r str> {
    let at = columns.iter().position(|c| *c == column)?;
    row.cells.get(at).map(String::as_str)
}

/// A row as a person to add, or its first problem in words.
fn judge(row: &Row, columns: &[Column], admin_role: Role) -> Result<Person, String> {
    if row.cells.len() != columns.len() {
        return Err(format!(
            "The row has {} values; the first line names {} columns. A value with a comma \
             needs quotes around it.",
            row.cells.len(),
            columns.len()
        ));
    }
    let mut values = HashMap::new();
    for (c, raw) in columns.iter().zip(&row.cells) {
        values.insert(*c, unformula(*c, raw)?);
    }
    let text = |c: Column| values.get(&c).cloned().unwrap_or_default();
    let name = check_name(&text(Column::Name))?;
    let email = text(Column::Email);
    check_email(&email)?;
    let email = normalize_email(&email);
    let role = role(&text(Column::Role))?;
    if role.rank() > admin_role.rank() {
        return Err("Only a billing administrator can add a billing administrator.".into());
    }
    let mut groups = Vec::new();
    for name in split_groups(&text(Column::Groups)) {
        let checked = check_name(name).map_err(|m| {
            format!(
                "The group \"{}\": {}",
                name.chars().take(40).collect::<String>(),
                m.replace("the person's name", "the group's name")
            )
        })?;
        let key = checked.to_lowercase();
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    Ok(Person {
        name,
        email,
        role,
        groups,
    })
}

/// A cell's text, trimmed; refused when a spreadsheet that opens the file
/// later would run it as a formula. A leading apostrophe before such a
/// character (how the users export escapes it) is taken off.
fn unformula(column: Column, raw: &str) -> Result<String, String> {
    let v = raw.trim();
    let risky = |c: char| matches!(c, '=' | '+' | '-' | '@');
    if let Some(rest) = v.strip_prefix('\'') {
        if rest.starts_with(risky) {
            return Ok(rest.to_string());
        }
    }
    match v.chars().next() {
        Some(c) if risky(c) => Err(format!(
            "The {} starts with \"{c}\", which a spreadsheet would run as a formula. \
             Remove it (or put an apostrophe before it).",
            column.title()
        )),
        _ => Ok(v.to_string()),
    }
}

fn role(text: &str) -> Result<Role, String> {
    let t = text.trim().to_lowercase().replace(['-', ' '], "_");
    match t.as_str() {
        "" | "user" => Ok(Role::User),
        "admin" | "administrator" => Ok(Role::Admin),
        "billing_admin" | "billing_administrator" => Ok(Role::BillingAdmin),
        _ => Err(format!(
            "The role \"{}\" is not one Portcullis has: use user, admin or billing_admin \
             (empty means user).",
            text.trim().chars().take(40).collect::<String>()
        )),
    }
}

fn split_groups(text: &str) -> impl Iterator<Item = &str> {
    text.split(GROUP_SEPARATOR)
        .map(str::trim)
        .filter(|g| !g.is_empty())
}

/// The row's groups as (key, name) — for a row already judged valid.
fn group_names(row: &Row, columns: &[Column]) -> Vec<(String, String)> {
    let text = cell(row, columns, Column::Groups).unwrap_or_default();
    let text = unformula(Column::Groups, text).unwrap_or_default();
    split_groups(&text)
        .map(|g| (g.to_lowercase(), g.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Row {
        Row {
            line: 2,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    const COLS: [Column; 4] = [Column::Name, Column::Email, Column::Role, Column::Groups];

    #[test]
    fn a_good_row() {
        let p = judge(
            &row(&[" Zoë ", "Zoe@Example.COM", "Admin", "Ops; ops;Sales"]),
            &COLS,
            Role::Admin,
        )
        .unwrap();
        assert_eq!(p.name, "Zoë");
        assert_eq!(p.email, "zoe@example.com");
        assert_eq!(p.role, Role::Admin);
        assert_eq!(p.groups, vec!["ops", "sales"]);
    }

    #[test]
    fn formulas_are_refused_unless_escaped() {
        let e = judge(
            &row(&["=HYPERLINK(\"x\")", "a@example.com", "", ""]),
            &COLS,
            Role::Admin,
        )
        .unwrap_err();
        assert!(e.contains("formula"), "{e}");
        assert!(judge(&row(&["Ann", "@a@example.com", "", ""]), &COLS, Role::Admin).is_err());
        let p = judge(
            &row(&["'-Ann", "a@example.com", "", ""]),
            &COLS,
            Role::Admin,
        )
        .unwrap();
        assert_eq!(p.name, "-Ann");
    }

    #[test]
    fn roles_and_ranks() {
        assert!(judge(
            &row(&["A", "a@example.com", "boss", ""]),
            &COLS,
            Role::Admin
        )
        .unwrap_err()
        .contains("\"boss\""));
        assert!(judge(
            &row(&["A", "a@example.com", "billing admin", ""]),
            &COLS,
            Role::Admin
        )
        .unwrap_err()
        .contains("billing administrator"));
        assert_eq!(
            judge(
                &row(&["A", "a@example.com", "billing admin", ""]),
                &COLS,
                Role::BillingAdmin
            )
            .unwrap()
            .role,
            Role::BillingAdmin
        );
    }

    #[test]
    fn wrong_cell_counts_and_bad_values() {
        assert!(judge(&row(&["A", "a@example.com"]), &COLS, Role::Admin)
            .unwrap_err()
            .contains("2 values"));
        assert!(judge(&row(&["", "a@example.com", "", ""]), &COLS, Role::Admin).is_err());
        assert!(judge(&row(&["A", "not an email", "", ""]), &COLS, Role::Admin).is_err());
    }

    #[test]
    fn headers() {
        assert!(columns(&row(&["Email", "Name"])).is_ok());
        assert!(columns(&row(&["email", "phone"]))
            .unwrap_err()
            .contains("\"phone\""));
        assert!(columns(&row(&["email", "role"]))
            .unwrap_err()
            .contains("no column name"));
        assert!(columns(&row(&["email", "name", "Email"]))
            .unwrap_err()
            .contains("twice"));
    }

    #[test]
    fn files_that_cannot_be_read() {
        assert!(read_rows("name;email\nA;a@example.com")
            .unwrap_err()
            .contains("semicolons"));
        assert!(read_rows("name\temail\n").unwrap_err().contains("tabs"));
        assert!(read_rows("name,email\n\u{fffd}")
            .unwrap_err()
            .contains("UTF-8"));
        assert!(read_rows("name,email\n\"A,a@example.com\n")
            .unwrap_err()
            .contains("Line 2"));
    }
}
