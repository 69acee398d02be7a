//! Administration calls. Only the admin area (a lazily loaded chunk) uses
//! them, so their code and JSON readers stay out of the login download.

use portcullis_api::{BulkOutcome, BulkRequest, UserPage};

use super::client::{get, post};
use super::ApiError;
use crate::paths::UsersQuery;

/// One page of users: the filter, order and cursor of `query`.
pub async fn users(query: &UsersQuery) -> Result<UserPage, ApiError> {
    get(&query.api_path()).await
}

/// What a bulk action would do, changing nothing.
pub async fn bulk_preview(req: &BulkRequest) -> Result<BulkOutcome, ApiError> {
    post("/admin/users/bulk/preview", req).await
}

/// Runs a bulk action. Needs a recent second factor: otherwise 403
/// `reauthentication_required`, and [`super::verify_mfa`] renews it.
pub async fn bulk_apply(req: &BulkRequest) -> Result<BulkOutcome, ApiError> {
    post("/admin/users/bulk", req).await
}
