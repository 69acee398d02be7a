//! Sites behind the organisation's reverse proxy, for administrators: a
//! rule per domain (who may open it, what their sign-in must have proved).
//! They are kept as apps of kind `site`, so assignments, sign-in requests,
//! tiles and events are the apps' own. Every change needs a second factor
//! passed lately: a weaker rule opens a site to more people.

use std::sync::LazyLock;

use regex::Regex;

use portcullis_api::sites::{DOMAIN_MAX_CHARS, DOMAIN_PATTERN};
use portcullis_api::{AppPolicy, Site, SiteInput, SiteRule};

use super::apps::{assign, members, record};
use crate::admin::common::AdminError;
use crate::app::AppState;
use crate::audit::EventKind;
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::secret::new_token;
use crate::store;

static ALLOWED: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(DOMAIN_PATTERN).ok());

/// The domain as kept (trimmed, lower case), or why it is refused.
pub fn check_domain(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("Enter the site's domain, for example wiki.example.com.".into());
    }
    if text.chars().count() > DOMAIN_MAX_CHARS {
        return Err(format!(
            "The domain is longer than {DOMAIN_MAX_CHARS} characters."
        ));
    }
    if !ALLOWED.as_ref().is_some_and(|re| re.is_match(text)) {
        return Err(format!(
            "“{trimmed}” is not a domain a rule can cover: enter a host name \
             (wiki.example.com), *. and a parent domain (*.example.com) or an IPv4 \
             address, optionally with :port, without https:// or a path; an \
             international name in its xn-- form."
        ));
    }
    Ok(trimmed.to_ascii_lowercase())
}

/// The address a site's tile opens: none for a wildcard.
fn launch_url(domain: &str) -> String {
    if domain.starts_with("*.") {
        return String::new();
    }
    let host = domain.rsplit_once(':').map_or(domain, |(h, _)| h);
    let local = host == "localhost" || host.starts_with("127.");
    let scheme = if local { "http" } else { "https" };
    format!("{scheme}://{domain}/")
}

fn missing() -> AdminError {
    AdminError::Missing("There is no such site (it may have been removed).".into())
}

fn taken(domain: &str) -> AdminError {
    AdminError::Conflict(format!(
        "A rule for {domain} exists already (or an app has that name): change that one."
    ))
}

fn is_site(row: &store::apps::App) -> bool {
    row.kind == store::apps::SITE
}

fn check_members(input: &SiteInput) -> Result<(), AdminError> {
    if input.groups.len() > 200 || input.users.len() > 200 {
        return Err(AdminError::Invalid(
            "Assign the site to at most 200 groups and 200 people (use a group for more).".into(),
        ));
    }
    Ok(())
}

async fn wire(state: &AppState, row: store::apps::App) -> Result<Site, AdminError> {
    let (groups, users) = members(state, &row.id).await?;
    Ok(Site {
        rule: SiteRule::parse(&row.policy).unwrap_or(SiteRule::Deny),
        domain: row.domain.unwrap_or(row.name),
        groups,
        users,
        id: row.id,
        everyone: row.everyone,
        created_at: row.created_at,
    })
}

/// Every site, by domain.
pub async fn list(state: &AppState) -> Result<Vec<Site>, AdminError> {
    let mut out = Vec::new();
    for row in store::apps::list(&state.db, store::apps::SITE).await? {
        out.push(wire(state, row).await?);
    }
    Ok(out)
}

async fn get(state: &AppState, id: &str) -> Result<Site, AdminError> {
    let row = store::apps::find(&state.db, id)
        .await?
        .filter(is_site)
        .ok_or_else(missing)?;
    wire(state, row).await
}

/// Adds a rule for a domain.
pub async fn add(
    state: &AppState,
    admin: &Authed,
    input: &SiteInput,
    client: &Client,
) -> Result<Site, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let domain = check_domain(&input.domain).map_err(AdminError::Invalid)?;
    check_members(input)?;
    let now = state.now();
    let row = store::apps::App {
        id: uuid::Uuid::now_v7().to_string(),
        // never usable as an OpenID Connect client: lookups by client id
        // find apps of kind `oidc` only
        client_id: format!("site-{}", &new_token()[..22]),
        name: domain.clone(),
        launch_url: launch_url(&domain),
        redirect_uris: String::new(),
        logout_uris: String::new(),
        secret_hash: None,
        policy: input.rule.as_str().to_string(),
        // the organisation's own: no consent screen
        first_party: true,
        everyone: input.everyone,
        signing_alg: portcullis_api::SigningAlg::RS256.as_str().to_string(),
        created_at: now,
        updated_at: now,
        kind: store::apps::SITE.into(),
        domain: Some(domain.clone()),
    };
    let mut tx = state.db.begin().await?;
    match store::apps::insert(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&domain)),
        other => other?,
    }
    assign(&mut tx, &row.id, &input.groups, &input.users).await?;
    let words = format!("added the site {domain} ({})", input.rule.label());
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminAppChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    get(state, &row.id).await
}

/// Changes a site's domain, rule or people.
pub async fn change(
    state: &AppState,
    admin: &Authed,
    id: &str,
    input: &SiteInput,
    client: &Client,
) -> Result<Site, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let domain = check_domain(&input.domain).map_err(AdminError::Invalid)?;
    check_members(input)?;
    let mut tx = state.db.begin().await?;
    if !store::apps::claim(&mut *tx, id, state.now()).await? {
        return Err(missing());
    }
    let mut row = store::apps::find(&mut *tx, id)
        .await?
        .filter(is_site)
        .ok_or_else(missing)?;
    row.name = domain.clone();
    row.launch_url = launch_url(&domain);
    row.domain = Some(domain.clone());
    row.policy = input.rule.as_str().to_string();
    row.everyone = input.everyone;
    row.updated_at = state.now();
    match store::apps::update(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&domain)),
        Ok(false) => return Err(missing()),
        other => {
            other?;
        }
    }
    assign(&mut tx, id, &input.groups, &input.users).await?;
    let words = format!("changed the site {domain} ({})", input.rule.label());
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminAppChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    get(state, id).await
}

/// Removes a site's rule: the proxy then refuses it (no rule, no entry).
pub async fn remove(
    state: &AppState,
    admin: &Authed,
    id: &str,
    client: &Client,
) -> Result<(), AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let mut tx = state.db.begin().await?;
    if !store::apps::claim(&mut *tx, id, state.now()).await? {
        return Err(missing());
    }
    let row = store::apps::find(&mut *tx, id)
        .await?
        .filter(is_site)
        .ok_or_else(missing)?;
    store::apps::delete(&mut *tx, id).await?;
    let words = format!("removed the site {}", row.name);
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminAppChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The sign-in a site asks for, as an app's policy; `None` for deny (or a
/// rule this version does not know, which is refused the same way).
pub fn policy_of(row: &store::apps::App) -> Option<AppPolicy> {
    SiteRule::parse(&row.policy).and_then(SiteRule::policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_a_rule_can_cover() {
        for (text, kept) in [
            ("wiki.example.com", "wiki.example.com"),
            (" Wiki.Example.COM ", "wiki.example.com"),
            ("*.example.com", "*.example.com"),
            ("127.0.0.1:8081", "127.0.0.1:8081"),
            ("intranet:8443", "intranet:8443"),
        ] {
            assert_eq!(check_domain(text).as_deref(), Ok(kept), "{text}");
        }
        for bad in [
            "",
            "https://wiki.example.com",
            "wiki.example.com/path",
            "*.*.example.com",
            "wiki.*.com",
            "exämple.com",
            "example.com:0",
            "example.com:70000",
            "1.2.3.256",
            "-wiki.example.com",
        ] {
            assert!(check_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tiles_open_the_site_itself() {
        assert_eq!(launch_url("wiki.example.com"), "https://wiki.example.com/");
        assert_eq!(launch_url("127.0.0.1:8081"), "http://127.0.0.1:8081/");
        assert_eq!(launch_url("*.example.com"), "");
    }
}
