//! The one error every domain area shares: a fault that is not the user's
//! (a database failure, a broken invariant). Each area's own error enum
//! wraps it; `http::error` logs its cause and answers a plain 500, so
//! internals never reach a client.

/// An internal failure with a cause for the log. The cause must never hold
/// a secret (sqlx errors name statements, not bound values).
#[derive(Debug)]
pub struct Internal(pub(crate) String);

impl Internal {
    pub fn new(cause: impl std::fmt::Display) -> Self {
        Internal(cause.to_string())
    }

    pub fn cause(&self) -> &str {
        &self.0
    }
}

impl From<sqlx::Error> for Internal {
    fn from(e: sqlx::Error) -> Self {
        Internal(format!("database: {e}"))
    }
}

impl std::fmt::Display for Internal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Internal {}
