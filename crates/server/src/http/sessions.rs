//! Routes of the signed-in user's own sessions: the list, ending one, and
//! ending all the others.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::{EndedSessions, ErrorBody, SessionInfo};

use super::error::HttpResult;
use super::extract::{ClientInfo, SignedIn};
use crate::app::AppState;
use crate::auth::own_sessions;

/// The signed-in user's sessions, newest first; `current` marks the one
/// making this request.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    tag = "sessions",
    security(("session" = [])),
    responses(
        (status = 200, description = "The live signed-in sessions (logins still in progress are left out)", body = Vec<SessionInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<Vec<SessionInfo>>> {
    Ok(Json(own_sessions::list(&state, &authed).await?))
}

/// Ends one of the user's other sessions: its next request is not signed
/// in. Needs a second factor passed in the last 10 minutes, unless the
/// user has none set up.
#[utoipa::path(
    delete,
    path = "/api/v1/sessions/{id}",
    tag = "sessions",
    params(("id" = String, Path, description = "The session's `id` in the list")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify or /api/v1/mfa/verify/webauthn/start, then try again); or CSRF", body = ErrorBody),
        (status = 404, description = "The user has no live session with this id (`not_found`)", body = ErrorBody),
        (status = 409, description = "It is the session making the request (`conflict`): log out instead", body = ErrorBody),
    )
)]
pub async fn end_one(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
) -> HttpResult<StatusCode> {
    own_sessions::end_one(&state, &authed, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every other session of the user ("sign out everywhere else"),
/// logins in progress too. Needs a second factor passed in the last 10
/// minutes, unless the user has none set up.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/end-others",
    tag = "sessions",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "How many other signed-in sessions ended", body = EndedSessions),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No second factor in the last 10 minutes (`reauthentication_required`: prove one at /api/v1/mfa/verify or /api/v1/mfa/verify/webauthn/start, then try again); or CSRF", body = ErrorBody),
    )
)]
pub async fn end_others(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    SignedIn(authed): SignedIn,
) -> HttpResult<Json<EndedSessions>> {
    Ok(Json(
        own_sessions::end_others(&state, &authed, &client).await?,
    ))
}
