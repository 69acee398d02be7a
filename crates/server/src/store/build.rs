//! Statements assembled from optional parts (filters), with numbered
//! placeholders that both databases read (`$1`, `$2`, …).

use super::Exec;

/// An argument of an assembled statement.
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// A statement's conditions and arguments, added piece by piece.
#[derive(Default)]
pub(crate) struct Sql {
    args: Vec<Arg>,
    conds: Vec<String>,
}

impl Sql {
    /// Adds an argument; returns its placeholder.
    pub fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    pub fn text(&mut self, t: impl Into<String>) -> String {
        self.arg(Arg::Text(t.into()))
    }

    pub fn int(&mut self, i: i64) -> String {
        self.arg(Arg::Int(i))
    }

    /// Adds a condition that every row must meet.
    pub fn and(&mut self, cond: impl Into<String>) {
        self.conds.push(cond.into());
    }

    /// `WHERE` and the conditions, or nothing.
    pub fn where_clause(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conds.join(" AND "))
        }
    }

    /// Runs `statement` (built with this `where_clause`) for its rows.
    pub async fn fetch_all<'c, T>(self, db: impl Exec<'c>, statement: &str) -> sqlx::Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut q = sqlx::query_as::<_, T>(statement);
        for a in self.args {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(db).await
    }

    /// Runs `statement` for its rows, undecoded.
    pub async fn fetch_rows<'c>(
        self,
        db: impl Exec<'c>,
        statement: &str,
    ) -> sqlx::Result<Vec<sqlx::any::AnyRow>> {
        let mut q = sqlx::query(statement);
        for a in self.args {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(db).await
    }

    /// Runs `statement` for one number (a count).
    pub async fn fetch_count<'c>(self, db: impl Exec<'c>, statement: &str) -> sqlx::Result<i64> {
        let mut q = sqlx::query_scalar::<_, i64>(statement);
        for a in self.args {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        q.fetch_one(db).await
    }

    /// Runs `statement` for rows of two numbers (a key and a count).
    pub async fn fetch_pairs<'c>(
        self,
        db: impl Exec<'c>,
        statement: &str,
    ) -> sqlx::Result<Vec<(i64, i64)>> {
        let mut q = sqlx::query_as::<_, (i64, i64)>(statement);
        for a in self.args {
            q = match a {
                Arg::Text(t) => q.bind(t),
                Arg::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(db).await
    }
}
