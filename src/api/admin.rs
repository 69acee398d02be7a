//! Administration calls. Only the admin area (a lazily loaded chunk) uses
//! them, so their code and JSON readers stay out of the login download.
//!
//! Every change to someone's MFA (and to the organisation's settings) needs
//! a recent second factor: otherwise 403 `reauthentication_required`, and
//! [`super::verify_mfa`] renews it.

use portcullis_api::{
    AdminUser, App, AppInput, BulkOutcome, BulkRequest, EnrollmentPeriodRequest, EventPage, Group,
    GroupName, ImportReport, MfaSettings, MfaSettingsChange, NewScimToken, NewUser, ScimToken,
    SetupLink, Site, SiteInput, TemporaryAccess, TemporaryAccessRequest, UserChange, UserDeletion,
    UserDetail, UserImport, UserPage, UserSummary,
};

use portcullis_api::hosts::{Host, HostEnrollment, HostInput};
use portcullis_api::radius::{RadiusClient, RadiusClientInput};

use super::client::{delete, get, post, send_json};
use super::ApiError;
use crate::paths::{encode_component, UsersQuery};

/// One page of users: the filter, order and cursor of `query`.
pub async fn users(query: &UsersQuery) -> Result<UserPage, ApiError> {
    get(&query.api_path()).await
}

/// How many users are in each MFA status, invited and suspended.
pub async fn users_summary() -> Result<UserSummary, ApiError> {
    get("/admin/users/summary").await
}

/// What a bulk action would do, changing nothing.
pub async fn bulk_preview(req: &BulkRequest) -> Result<BulkOutcome, ApiError> {
    post("/admin/users/bulk/preview", req).await
}

/// Runs a bulk action.
pub async fn bulk_apply(req: &BulkRequest) -> Result<BulkOutcome, ApiError> {
    post("/admin/users/bulk", req).await
}

/// A helpdesk temporary access code for a user who lost their factor.
pub async fn temporary_access(
    id: &str,
    hours: u32,
    one_time: bool,
) -> Result<TemporaryAccess, ApiError> {
    let body = TemporaryAccessRequest { hours, one_time };
    post(&user_path(id, "/temporary-access"), &body).await
}

/// What importing a CSV file would do, row by row (writes nothing).
pub async fn import_preview(file: &UserImport) -> Result<ImportReport, ApiError> {
    post("/admin/users/import/preview", file).await
}

/// Imports a CSV file: every valid row, or nothing.
pub async fn import_users(file: &UserImport) -> Result<ImportReport, ApiError> {
    post("/admin/users/import", file).await
}

/// One page of the event log: `api_path` is [`EventsQuery::api_path`]'s.
pub async fn events(api_path: &str) -> Result<EventPage, ApiError> {
    get(api_path).await
}

fn user_path(id: &str, rest: &str) -> String {
    format!("/admin/users/{}{rest}", encode_component(id))
}

/// One user with their factors, sessions and recent events.
pub async fn user(id: &str) -> Result<UserDetail, ApiError> {
    get(&user_path(id, "")).await
}

/// Require MFA, with `period_days` to set up (`None`: at the next login).
pub async fn require_mfa(id: &str, period_days: Option<u32>) -> Result<AdminUser, ApiError> {
    let body = EnrollmentPeriodRequest { period_days };
    post(&user_path(id, "/require-mfa"), &body).await
}

/// Reset MFA: remove every factor, start a new period.
pub async fn reset_mfa(id: &str, period_days: Option<u32>) -> Result<AdminUser, ApiError> {
    let body = EnrollmentPeriodRequest { period_days };
    post(&user_path(id, "/reset-mfa"), &body).await
}

/// Removes one factor (`AdminFactor::id`).
pub async fn remove_factor(id: &str, factor: &str) -> Result<UserDetail, ApiError> {
    delete(&user_path(
        id,
        &format!("/factors/{}", encode_component(factor)),
    ))
    .await
}

/// Ends every session of the user.
pub async fn end_sessions(id: &str) -> Result<UserDetail, ApiError> {
    post(&user_path(id, "/sessions/end"), &()).await
}

/// Sends the "MFA required" email again.
pub async fn remind(id: &str) -> Result<UserDetail, ApiError> {
    post(&user_path(id, "/remind"), &()).await
}

/// The organisation's MFA settings.
pub async fn settings() -> Result<MfaSettings, ApiError> {
    get("/admin/settings").await
}

/// Changes some of the settings.
pub async fn change_settings(change: &MfaSettingsChange) -> Result<MfaSettings, ApiError> {
    send_json("PATCH", "/admin/settings", change).await
}

/// No longer require MFA (the user's factors stay).
/// Adds a user, who is invited by email.
pub async fn add_user(new: &NewUser) -> Result<AdminUser, ApiError> {
    post("/admin/users", new).await
}

/// Sends an invited user a new invitation (the old link stops working).
pub async fn resend_invitation(id: &str) -> Result<AdminUser, ApiError> {
    post(&user_path(id, "/invitation"), &()).await
}

/// Suspends the account: its sessions end, no login until reactivated.
pub async fn suspend(id: &str) -> Result<AdminUser, ApiError> {
    post(&user_path(id, "/suspend"), &()).await
}

/// Every group, by name.
pub async fn groups() -> Result<Vec<Group>, ApiError> {
    get("/admin/groups").await
}

pub async fn create_group(name: &str) -> Result<Group, ApiError> {
    post(
        "/admin/groups",
        &GroupName {
            name: name.to_string(),
        },
    )
    .await
}

pub async fn rename_group(id: &str, name: &str) -> Result<Group, ApiError> {
    let body = GroupName {
        name: name.to_string(),
    };
    send_json(
        "PATCH",
        &format!("/admin/groups/{}", encode_component(id)),
        &body,
    )
    .await
}

/// The directory sync (SCIM) tokens, without their secrets.
pub async fn scim_tokens() -> Result<Vec<ScimToken>, ApiError> {
    get("/admin/scim-tokens").await
}

/// A new SCIM token: its secret is in this answer only.
pub async fn make_scim_token(name: &str, invite: bool) -> Result<ScimToken, ApiError> {
    let body = NewScimToken {
        name: name.into(),
        invite,
    };
    post("/admin/scim-tokens", &body).await
}

pub async fn revoke_scim_token(id: &str) -> Result<(), ApiError> {
    delete(&format!("/admin/scim-tokens/{}", encode_component(id))).await
}

pub async fn delete_group(id: &str) -> Result<(), ApiError> {
    delete(&format!("/admin/groups/{}", encode_component(id))).await
}

/// Puts the user in the group (`add`) or takes them out; their groups after.
pub async fn membership(group: &str, user: &str, add: bool) -> Result<Vec<Group>, ApiError> {
    let path = format!(
        "/admin/groups/{}/members/{}",
        encode_component(group),
        encode_component(user)
    );
    if add {
        send_json("PUT", &path, &()).await
    } else {
        delete(&path).await
    }
}

/// Changes the user's name, email or role.
pub async fn edit_user(id: &str, change: &UserChange) -> Result<AdminUser, ApiError> {
    send_json("PATCH", &user_path(id, ""), change).await
}

/// Deletes the user; `confirm_email` is their email, typed again.
pub async fn delete_user(id: &str, confirm_email: &str) -> Result<(), ApiError> {
    let body = UserDeletion {
        confirm_email: confirm_email.to_string(),
    };
    send_json("DELETE", &user_path(id, ""), &body).await
}

/// Emails the user a link to choose a new password (never shown here).
pub async fn send_password_reset(id: &str) -> Result<AdminUser, ApiError> {
    post(&user_path(id, "/password-reset"), &()).await
}

pub async fn reactivate(id: &str) -> Result<AdminUser, ApiError> {
    post(&user_path(id, "/reactivate"), &()).await
}

/// A setup link for a user with no factor, to hand over; shown once.
pub async fn setup_link(id: &str) -> Result<SetupLink, ApiError> {
    post(&user_path(id, "/setup-link"), &()).await
}

pub async fn unrequire_mfa(id: &str) -> Result<AdminUser, ApiError> {
    post(&user_path(id, "/unrequire-mfa"), &()).await
}

/// Clears the failures in a row that suspended the user's password or a
/// factor.
pub async fn unlock(id: &str) -> Result<AdminUser, ApiError> {
    post(&user_path(id, "/unlock"), &()).await
}

/// The organisation's apps (single sign-on), without their secrets.
pub async fn apps() -> Result<Vec<App>, ApiError> {
    get("/admin/apps").await
}

/// Registers an app; a confidential one's secret is in this answer only.
pub async fn register_app(input: &AppInput) -> Result<App, ApiError> {
    post("/admin/apps", input).await
}

pub async fn change_app(id: &str, input: &AppInput) -> Result<App, ApiError> {
    send_json("PUT", &app_path(id, ""), input).await
}

/// A new client secret (the old one stops working): in this answer only.
pub async fn new_app_secret(id: &str) -> Result<App, ApiError> {
    post(&app_path(id, "/secret"), &()).await
}

pub async fn remove_app(id: &str) -> Result<(), ApiError> {
    delete(&app_path(id, "")).await
}

fn app_path(id: &str, rest: &str) -> String {
    format!("/admin/apps/{}{rest}", encode_component(id))
}

/// The sites behind the organisation's reverse proxy (forward-auth).
pub async fn sites() -> Result<Vec<Site>, ApiError> {
    get("/admin/sites").await
}

pub async fn add_site(input: &SiteInput) -> Result<Site, ApiError> {
    post("/admin/sites", input).await
}

pub async fn change_site(id: &str, input: &SiteInput) -> Result<Site, ApiError> {
    send_json("PUT", &site_path(id), input).await
}

pub async fn remove_site(id: &str) -> Result<(), ApiError> {
    delete(&site_path(id)).await
}

fn site_path(id: &str) -> String {
    format!("/admin/sites/{}", encode_component(id))
}

/// The Linux systems whose logins ask the portal (PAM), by name.
pub async fn hosts() -> Result<Vec<Host>, ApiError> {
    get("/admin/hosts").await
}

/// Registers a host: its one-time enrollment token is in this answer only.
pub async fn add_host(input: &HostInput) -> Result<HostEnrollment, ApiError> {
    post("/admin/hosts", input).await
}

pub async fn change_host(id: &str, input: &HostInput) -> Result<Host, ApiError> {
    send_json("PUT", &host_path(id, ""), input).await
}

/// A new enrollment token for the host (the earlier one stops working):
/// in this answer only.
pub async fn new_host_token(id: &str) -> Result<HostEnrollment, ApiError> {
    post(&host_path(id, "/token"), &()).await
}

pub async fn remove_host(id: &str) -> Result<(), ApiError> {
    delete(&host_path(id, "")).await
}

fn host_path(id: &str, rest: &str) -> String {
    format!("/admin/hosts/{}{rest}", encode_component(id))
}

/// The VPN gateways and network gear that ask the portal through RADIUS,
/// by name (never their secrets).
pub async fn radius_clients() -> Result<Vec<RadiusClient>, ApiError> {
    get("/admin/radius-clients").await
}

pub async fn add_radius_client(input: &RadiusClientInput) -> Result<RadiusClient, ApiError> {
    post("/admin/radius-clients", input).await
}

/// Changes a client; its secret only when `input` holds one.
pub async fn change_radius_client(
    id: &str,
    input: &RadiusClientInput,
) -> Result<RadiusClient, ApiError> {
    send_json("PUT", &radius_client_path(id), input).await
}

pub async fn remove_radius_client(id: &str) -> Result<(), ApiError> {
    delete(&radius_client_path(id)).await
}

fn radius_client_path(id: &str) -> String {
    format!("/admin/radius-clients/{}", encode_component(id))
}
