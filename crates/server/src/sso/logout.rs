//! RP-initiated logout: an app sends the browser to `/oauth2/logout`,
//! which passes the request on to the portal's page; the page sends it
//! here. The portal session ends, and the browser goes to the app's
//! registered sign-out address. Without an ID token of the signed-in user
//! (`id_token_hint`), the user is asked first: a link on another site must
//! not sign anyone out.

use portcullis_api::LogoutStep;
use serde_json::Value;

use super::authorize::{parse_query, with_params};
use super::{jws, keys};
use crate::app::AppState;
use crate::auth::caller::Authed;
use crate::auth::session;
use crate::error::Internal;
use crate::store;

/// Why a sign-out request is refused, in words.
#[derive(Debug)]
pub enum LogoutError {
    Invalid(String),
    Internal(Internal),
}

impl From<Internal> for LogoutError {
    fn from(e: Internal) -> Self {
        LogoutError::Internal(e)
    }
}

impl From<sqlx::Error> for LogoutError {
    fn from(e: sqlx::Error) -> Self {
        LogoutError::Internal(e.into())
    }
}

/// Follows an app's sign-out request (its query string).
pub async fn logout(
    state: &AppState,
    query: &str,
    confirmed: bool,
    authed: Option<&Authed>,
    cookie: Option<&str>,
) -> Result<LogoutStep, LogoutError> {
    let invalid = |w: &str| LogoutError::Invalid(w.to_string());
    if query.len() > super::authorize::MAX_QUERY {
        return Err(invalid("This sign-out request is too long."));
    }
    let params = parse_query(query).map_err(LogoutError::Invalid)?;
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    // The hint names the app and the user; its signature must hold, its
    // expiry does not matter (an app signs out with an old one).
    let hint: Option<Value> = match get("id_token_hint") {
        None => None,
        Some(token) => {
            let published = keys::published(state).await?;
            let claims = jws::verify(token, &published).map_err(|_| {
                invalid("This sign-out request carries an ID token this portal did not issue.")
            })?;
            if claims["iss"] != super::claims::issuer(state) {
                return Err(invalid(
                    "This sign-out request carries an ID token of another issuer.",
                ));
            }
            Some(claims)
        }
    };
    let hint_client = hint.as_ref().and_then(|c| c["aud"].as_str());
    let client_id = match (get("client_id"), hint_client) {
        (Some(a), Some(b)) if a != b => {
            return Err(invalid(
                "The sign-out request's client_id and ID token name different apps.",
            ))
        }
        (a, b) => a.or(b),
    };
    let app = match client_id {
        Some(id) => Some(
            store::apps::find_by_client_id(&state.db, id)
                .await?
                .ok_or_else(|| {
                    invalid("This sign-out request names an app that is not registered here.")
                })?,
        ),
        None => None,
    };
    let redirect = match get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let Some(app) = &app else {
                return Err(invalid(
                    "This sign-out request names an address to return to, but not its app.",
                ));
            };
            if !app.logout_list().contains(&uri) {
                return Err(invalid(
                    "This sign-out request asks to return to an address not registered for the app.",
                ));
            }
            Some(match get("state") {
                Some(s) => with_params(uri, &[("state", s)]),
                None => uri.to_string(),
            })
        }
    };
    let Some(authed) = authed else {
        // signed out already
        return Ok(LogoutStep::Done { redirect });
    };
    let own_token = hint
        .as_ref()
        .is_some_and(|c| c["sub"].as_str() == Some(authed.user.id.as_str()));
    if !own_token && !confirmed {
        return Ok(LogoutStep::Confirm {
            app: app.map(|a| a.name),
        });
    }
    if let Some(c) = cookie {
        session::end(&state.db, c).await?;
    }
    Ok(LogoutStep::Done { redirect })
}
