//! Single sign-on calls: the steps of a sign-in to an app, an app's
//! sign-out, and the user's own apps. Used by lazily loaded screens only.

use portcullis_api::{ConsentAnswer, LogoutRequest, LogoutStep, MyApp, SignedInApp, SsoStep};

use super::client::{delete, get, post};
use super::ApiError;
use crate::paths::encode_component;

/// What the sign-in request `id` needs next.
pub async fn next(id: &str) -> Result<SsoStep, ApiError> {
    post(&format!("/sso/{}", encode_component(id)), &()).await
}

/// The answer to "Share … with the app?".
pub async fn consent(id: &str, allow: bool) -> Result<SsoStep, ApiError> {
    let path = format!("/sso/{}/consent", encode_component(id));
    post(&path, &ConsentAnswer { allow }).await
}

/// An app's sign-out request (its query string, as it came).
pub async fn logout(query: &str, confirmed: bool) -> Result<LogoutStep, ApiError> {
    let body = LogoutRequest {
        query: query.to_string(),
        confirmed,
    };
    post("/sso/logout", &body).await
}

/// The apps the user may open.
pub async fn my_apps() -> Result<Vec<MyApp>, ApiError> {
    get("/apps").await
}

/// The apps the user has signed in to.
pub async fn signed_in_apps() -> Result<Vec<SignedInApp>, ApiError> {
    get("/apps/signed-in").await
}

/// Ends an app's access to the user's account.
pub async fn revoke(app_id: &str) -> Result<(), ApiError> {
    delete(&format!("/apps/signed-in/{}", encode_component(app_id))).await
}
