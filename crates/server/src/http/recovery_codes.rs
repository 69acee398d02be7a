//! Routes of recovery codes: what is left, a new set, and a code as the
//! second step of a login.

use axum::extract::State;
use axum::Json;
use portcullis_api::{ErrorBody, NewRecoveryCodes, RecoveryCodesStatus};

use super::error::HttpResult;
use super::extract::{ClientInfo, SignedIn};
use crate::app::AppState;
use crate::mfa::recovery_codes;

/// How many recovery codes the signed-in user has left, and since when.
#[utoipa::path(
    get,
    path = "/api/v1/recovery-codes",
    tag = "mfa",
    security(("session" = [])),
    responses(
        (status = 200, description = "What is left of the set (never the codes)", body = RecoveryCodesStatus),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<RecoveryCodesStatus>> {
    Ok(Json(recovery_codes::status(&state, &authed).await?))
}

/// Ten new recovery codes, replacing every older one; shown this once.
/// Needs a second factor passed in the last 10 minutes.
#[utoipa::path(
    post,
    path = "/api/v1/recovery-codes",
    tag = "mfa",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The new codes; the old ones no longer work", body = NewRecoveryCodes),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify, then try again); no factor set up for codes to stand in for (`not_allowed_now`); or CSRF", body = ErrorBody),
    )
)]
pub async fn generate(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<NewRecoveryCodes>> {
    Ok(Json(
        recovery_codes::generate(&state, &authed, &client).await?,
    ))
}
