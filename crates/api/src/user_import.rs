//! Importing users from a CSV file: a preview that names every row's
//! problem, then the import itself (all valid rows, or nothing).

use serde::{Deserialize, Serialize};

/// The most data rows one file may hold.
pub const IMPORT_MAX_ROWS: usize = 10_000;
/// The longest file, in characters (10,000 generous rows).
pub const IMPORT_MAX_CHARS: usize = 4_000_000;

/// `POST /api/v1/admin/users/import/preview` and `…/import`: the file as
/// text. Columns (a header row, any order): `name`, `email`, and optionally
/// `role` (`user`, `admin`, `billing_admin`; empty: user) and `groups`
/// (names separated by `;`, made when new).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserImport {
    /// The CSV file, UTF-8, comma-separated.
    #[cfg_attr(feature = "openapi", schema(max_length = 4000000))]
    pub csv: String,
    /// Import the valid rows even though others have problems (those are
    /// left out). Without it, one problem stops the whole import.
    #[serde(default)]
    pub valid_rows_only: bool,
}

/// One row that cannot be imported, and why in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    /// The row's line in the file (the header is line 1).
    pub line: u32,
    /// The row's email as written (may be empty or invalid).
    pub email: String,
    pub message: String,
}

/// What a file holds (the preview), or what was imported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Why the file as a whole cannot be read (then nothing else counts).
    pub file_problem: Option<String>,
    /// Data rows in the file (blank lines aside).
    pub rows: u32,
    /// Rows that can be imported.
    pub ready: u32,
    /// Every other row, in file order.
    pub problems: Vec<ImportProblem>,
    /// Groups the import makes, in the spelling first met.
    pub new_groups: Vec<String>,
    /// Users added (0 in a preview).
    pub imported: u32,
}
