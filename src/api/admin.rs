//! Administration calls. Only the admin area (a lazily loaded chunk) uses
//! them, so their code and JSON readers stay out of the login download.

use portcullis_api::UserPage;

use super::client::get;
use super::ApiError;

/// The first page of users, ordered by email.
pub async fn users() -> Result<UserPage, ApiError> {
    get("/admin/users").await
}
