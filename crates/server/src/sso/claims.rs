//! What an app learns about a user: the ID token's claims and the
//! userinfo answer, by the scopes granted.

use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::error::Internal;
use crate::store;

/// The issuer: the portal's public origin.
pub fn issuer(state: &AppState) -> String {
    state
        .settings
        .public_origin
        .trim_end_matches('/')
        .to_string()
}

/// The user's claims for `scope` (`sub` always; name, email and groups as
/// granted). `None` when the user is gone or suspended.
pub async fn of_user(
    state: &AppState,
    user_id: &str,
    scope: &str,
) -> Result<Option<Map<String, Value>>, Internal> {
    let Some(user) = store::users::find_by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    if user.suspended_at.is_some() {
        return Ok(None);
    }
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id));
    let scopes: Vec<&str> = scope.split(' ').collect();
    if scopes.contains(&"profile") {
        claims.insert("name".into(), json!(user.display_name));
        claims.insert("preferred_username".into(), json!(user.email));
    }
    if scopes.contains(&"email") {
        claims.insert("email".into(), json!(user.email));
        // Administrators set the address, and the account was activated
        // through a link sent to it.
        claims.insert(
            "email_verified".into(),
            json!(!user.password_hash.is_empty()),
        );
    }
    if scopes.contains(&"groups") {
        let groups = store::groups::of_user(&state.db, &user.id).await?;
        let names: Vec<String> = groups.into_iter().map(|g| g.name).collect();
        claims.insert("groups".into(), json!(names));
    }
    Ok(Some(claims))
}

/// The ID token's claims: the user's, plus who issued it, for whom, when,
/// and how the user proved themselves.
pub struct IdToken<'a> {
    pub client_id: &'a str,
    pub grant: &'a store::sso::Grant,
    pub now: i64,
    /// The access token's hash half (`at_hash`).
    pub at_hash: &'a str,
}

pub fn id_token(state: &AppState, user: Map<String, Value>, t: IdToken<'_>) -> Value {
    let mut claims = user;
    claims.insert("iss".into(), json!(issuer(state)));
    claims.insert("aud".into(), json!(t.client_id));
    claims.insert("azp".into(), json!(t.client_id));
    claims.insert("iat".into(), json!(t.now));
    claims.insert("exp".into(), json!(t.now + super::ACCESS_SECS));
    claims.insert("auth_time".into(), json!(t.grant.auth_time));
    let amr: Vec<&str> = t.grant.amr.split(' ').filter(|s| !s.is_empty()).collect();
    claims.insert("amr".into(), json!(amr));
    claims.insert("acr".into(), json!(t.grant.acr));
    claims.insert("at_hash".into(), json!(t.at_hash));
    if let Some(nonce) = &t.grant.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    Value::Object(claims)
}
