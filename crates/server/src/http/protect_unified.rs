//! Unified mode's route for the Security page: dismissing the banner that
//! tells a user their organisation merged Protect and the authenticator
//! app (`MfaOverview::protect_merged_notice` says when to show it).

use axum::extract::State;
use axum::http::StatusCode;
use portcullis_api::ErrorBody;

use super::error::HttpResult;
use super::extract::SignedIn;
use crate::app::AppState;
use crate::mfa::push::unified as protect_unified;

/// Records that the user saw the banner about the merge: it is not shown
/// again until the next merge.
#[utoipa::path(
    post,
    path = "/api/v1/protect/merge-notice",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Seen; `protect_merged_notice` is false until the next merge"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "CSRF", body = ErrorBody),
    )
)]
pub async fn dismiss_merge_notice(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<StatusCode> {
    protect_unified::dismiss_merge_notice(&state, &authed).await?;
    Ok(StatusCode::NO_CONTENT)
}
