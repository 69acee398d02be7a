//! Bringing people in: "Add user" (an invitation by email), sending the
//! invitation again, and a setup link for an account with no factor. Each
//! needs an administrator whose session passed a second factor lately,
//! acting on no one above their own role.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portcullis_api::{
    AdminUser, ErrorBody, NewUser, SetupLink, TemporaryAccess, TemporaryAccessRequest, UserChange,
    UserDeletion,
};

use super::error::HttpResult;
use super::extract::{Admin, ApiJson, ClientInfo};
use crate::app::AppState;
use crate::people::add;

/// Add a user. They get an email with a one-time link (valid for the
/// server's link lifetime, 7 days by default) to choose their password
/// and, where MFA is required of them, set it up. Until then they are
/// listed as invited and no password signs them in.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users",
    tag = "admin",
    request_body = NewUser,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "Added and invited", body = AdminUser),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator, no recent second factor, or a role above one's own; or CSRF", body = ErrorBody),
        (status = 409, description = "A user with this email exists already", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field (the email, or an empty or too long name)", body = ErrorBody),
    )
)]
pub async fn add_user(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    ApiJson(req): ApiJson<NewUser>,
) -> HttpResult<(StatusCode, Json<AdminUser>)> {
    let user = add::add_user(&state, &actor, &req, &client).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Send an invited user a new invitation; the earlier link stops working.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/invitation",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Invited again", body = AdminUser),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user accepted their invitation already", body = ErrorBody),
    )
)]
pub async fn resend_invitation(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<AdminUser>> {
    Ok(Json(
        add::resend_invitation(&state, &actor, &id, &client).await?,
    ))
}

/// A setup link for a user with no second factor (a new administrator, or
/// anyone after Reset MFA), shown once to hand over out of band and also
/// emailed to them. With it and their password they set up their first
/// factor: an administrator's password alone never can. The earlier link
/// stops working.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/setup-link",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The link (shown this once)", body = SetupLink),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user has a second factor, or has not accepted their invitation", body = ErrorBody),
    )
)]
pub async fn setup_link(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<SetupLink>> {
    Ok(Json(add::setup_link(&state, &actor, &id, &client).await?))
}

/// Email a user a link to choose a new password (valid an hour, once; they
/// need their second factor too when they have one). Nobody but them sees
/// the link; no administrator sets anyone's password.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/password-reset",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The link is on its way", body = AdminUser),
        (status = 400, description = "The id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user is invited (no password yet) or suspended", body = ErrorBody),
    )
)]
pub async fn send_password_reset(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
) -> HttpResult<Json<AdminUser>> {
    Ok(Json(
        crate::people::reset::send_by_admin(&state, &actor, &id, &client).await?,
    ))
}

/// Change a user's name, email or role (absent fields stay). The email
/// stays unique whatever its case; nobody gets a role above the acting
/// administrator's; a role change ends the user's sessions; a new email
/// revokes a link sent to the old one.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/users/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    request_body = UserChange,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The user as changed", body = AdminUser),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account, a role above one's own; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Another user has this email", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "A malformed field (the email, an empty or too long name)", body = ErrorBody),
    )
)]
pub async fn edit_user(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UserChange>,
) -> HttpResult<Json<AdminUser>> {
    Ok(Json(
        crate::people::edit::edit(&state, &actor, &id, &req, &client).await?,
    ))
}

/// Delete a user, with their factors, sessions, links, trusted browsers,
/// pushes and unsent emails. Their email must be typed again. The audit
/// log keeps their id, shown as "name (deleted)".
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    request_body = UserDeletion,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 409, description = "The typed email is not the user's", body = ErrorBody),
        (status = 422, description = "Missing or malformed field", body = ErrorBody),
    )
)]
pub async fn delete_user(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UserDeletion>,
) -> HttpResult<StatusCode> {
    crate::people::edit::delete(&state, &actor, &id, &req.confirm_email, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A temporary access code for a user who lost their second factor: shown
/// once, working for 1 to 8 hours (once, or until it expires), replacing
/// any earlier one. The user is emailed that one was made; at the login
/// it stands in for the lost factor, and the login it opens can only set
/// up a new one.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/temporary-access",
    tag = "admin",
    params(("id" = String, Path, description = "User id")),
    request_body = TemporaryAccessRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 201, description = "The code, shown this once", body = TemporaryAccess),
        (status = 400, description = "The body is not valid JSON, or the id is not UTF-8", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed: not an administrator, no recent second factor, outranked, own account; or CSRF", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user is suspended, invited, or has no second factor", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Missing or malformed field (hours outside 1–8)", body = ErrorBody),
    )
)]
pub async fn temporary_access(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ClientInfo(client): ClientInfo,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TemporaryAccessRequest>,
) -> HttpResult<(StatusCode, Json<TemporaryAccess>)> {
    let code = crate::mfa::temporary_access::issue(&state, &actor, &id, &req, &client).await?;
    Ok((StatusCode::CREATED, Json(code)))
}
