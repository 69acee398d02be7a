//! RADIUS clients, for administrators: register one (its name, the
//! address it sends from, its shared secret, who may connect through it),
//! change it, remove it. Kept as apps of kind `radius` (names,
//! assignments and events are the apps'); the secret sealed with the
//! server's key, never shown again. Every change needs a fresh second
//! factor.

use std::net::Ipv4Addr;
use std::sync::LazyLock;

use regex::Regex;

use portcullis_api::radius::{
    RadiusClient, RadiusClientInput, RADIUS_ADDRESS_MAX_CHARS, RADIUS_ADDRESS_PATTERN,
    RADIUS_SECRET_MAX_CHARS, RADIUS_SECRET_MIN_CHARS,
};
use portcullis_api::AppPolicy;

use crate::admin::common::AdminError;
use crate::app::AppState;
use crate::audit::EventKind;
use crate::auth::client::Client;
use crate::auth::{self, Authed};
use crate::people::add::check_label;
use crate::secret::new_token;
use crate::sso::apps::{assign, members, record};
use crate::store;
use crate::store::radius::RADIUS;

/// The context the secrets are sealed under.
pub const SECRET_CONTEXT: &str = "radius-secret";

static ADDRESS: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(RADIUS_ADDRESS_PATTERN).ok());

/// An address or block as kept (`10.0.0.5`, `10.0.0.0/24`), or why not.
pub fn check_address(text: &str) -> Result<String, String> {
    let t = text.trim();
    if text.chars().count() > RADIUS_ADDRESS_MAX_CHARS {
        return Err(format!(
            "The address is longer than {RADIUS_ADDRESS_MAX_CHARS} characters."
        ));
    }
    if !ADDRESS.as_ref().is_some_and(|re| re.is_match(text)) {
        return Err(format!(
            "“{t}” is not an address a RADIUS client sends from: give an IPv4 address \
             (10.0.0.5) or a block (10.0.0.0/24)."
        ));
    }
    Ok(t.to_string())
}

/// Whether `address` (as kept) covers `ip`.
pub fn covers(address: &str, ip: Ipv4Addr) -> bool {
    let (net, bits) = match address.split_once('/') {
        Some((net, bits)) => (net, bits.parse::<u32>().unwrap_or(33)),
        None => (address, 32),
    };
    let Ok(net) = net.parse::<Ipv4Addr>() else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    u32::from(net) & mask == u32::from(ip) & mask
}

fn check_secret(secret: &str) -> Result<(), AdminError> {
    let n = secret.chars().count();
    let printable = secret.bytes().all(|b| (b'!'..=b'~').contains(&b));
    if !(RADIUS_SECRET_MIN_CHARS..=RADIUS_SECRET_MAX_CHARS).contains(&n) || !printable {
        return Err(AdminError::Invalid(format!(
            "The shared secret must be {RADIUS_SECRET_MIN_CHARS} to {RADIUS_SECRET_MAX_CHARS} \
             printable characters without spaces: RADIUS hides passwords with it, so a short \
             one can be guessed from a single captured packet."
        )));
    }
    Ok(())
}

fn missing() -> AdminError {
    AdminError::Missing("There is no such RADIUS client (it may have been removed).".into())
}

fn taken(name: &str) -> AdminError {
    AdminError::Conflict(format!(
        "A RADIUS client, host or app named {name} exists already: pick another name."
    ))
}

fn check(input: &RadiusClientInput) -> Result<(String, String), AdminError> {
    if input.groups.len() > 200 || input.users.len() > 200 {
        return Err(AdminError::Invalid(
            "Assign the client to at most 200 groups and 200 people (use a group for more).".into(),
        ));
    }
    let name = check_label(&input.name, "the client's name").map_err(AdminError::Invalid)?;
    let address = check_address(&input.address).map_err(AdminError::Invalid)?;
    if let Some(secret) = &input.secret {
        check_secret(secret)?;
    }
    Ok((name, address))
}

async fn wire(state: &AppState, row: store::radius::Client) -> Result<RadiusClient, AdminError> {
    let (groups, users) = members(state, &row.id).await?;
    Ok(RadiusClient {
        groups,
        users,
        everyone: row.everyone,
        created_at: row.created_at,
        address: row.address,
        id: row.id,
        name: row.name,
        secret: None,
    })
}

/// Every client, by name.
pub async fn list(state: &AppState) -> Result<Vec<RadiusClient>, AdminError> {
    let mut out = Vec::new();
    for row in store::radius::list(&state.db).await? {
        out.push(wire(state, row).await?);
    }
    Ok(out)
}

async fn get(state: &AppState, id: &str) -> Result<RadiusClient, AdminError> {
    let row = store::radius::find(&state.db, id)
        .await?
        .ok_or_else(missing)?;
    wire(state, row).await
}

/// Registers a client.
pub async fn add(
    state: &AppState,
    admin: &Authed,
    input: &RadiusClientInput,
    client: &Client,
) -> Result<RadiusClient, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let (name, address) = check(input)?;
    // None given: one made here, 32 characters (192 random bits).
    let made = input
        .secret
        .is_none()
        .then(|| new_token()[..32].to_string());
    let secret = input
        .secret
        .clone()
        .or_else(|| made.clone())
        .unwrap_or_default();
    let sealed = state.secrets.seal(&secret, SECRET_CONTEXT)?;
    let now = state.now();
    let row = store::apps::App {
        id: uuid::Uuid::now_v7().to_string(),
        // never usable as an OpenID Connect client
        client_id: format!("radius-{}", &new_token()[..22]),
        name: name.clone(),
        launch_url: String::new(),
        redirect_uris: String::new(),
        logout_uris: String::new(),
        secret_hash: None,
        // the user's own requirement decides, as at the portal
        policy: AppPolicy::SecondFactor.as_str().to_string(),
        first_party: true,
        everyone: input.everyone,
        signing_alg: portcullis_api::SigningAlg::RS256.as_str().to_string(),
        created_at: now,
        updated_at: now,
        kind: RADIUS.into(),
        domain: None,
    };
    let mut tx = state.db.begin().await?;
    match store::apps::insert(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&name)),
        other => other?,
    }
    store::radius::upsert(&mut *tx, &row.id, &address, &sealed).await?;
    assign(&mut tx, &row.id, &input.groups, &input.users).await?;
    let words = format!("registered the RADIUS client {name} at {address}");
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminSystemChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    let mut answer = get(state, &row.id).await?;
    answer.secret = made;
    Ok(answer)
}

/// Changes a client (its secret only when a new one is given).
pub async fn change(
    state: &AppState,
    admin: &Authed,
    id: &str,
    input: &RadiusClientInput,
    client: &Client,
) -> Result<RadiusClient, AdminError> {
    auth::require_fresh_mfa(state, admin).map_err(AdminError::Auth)?;
    let (name, address) = check(input)?;
    let sealed = match &input.secret {
        Some(secret) => Some(state.secrets.seal(secret, SECRET_CONTEXT)?),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    if !store::apps::claim(&mut *tx, id, state.now()).await? {
        return Err(missing());
    }
    let mut row = store::apps::find(&mut *tx, id)
        .await?
        .filter(|r| r.kind == RADIUS)
        .ok_or_else(missing)?;
    row.name = name.clone();
    row.everyone = input.everyone;
    row.updated_at = state.now();
    match store::apps::update(&mut *tx, &row).await {
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Err(taken(&name)),
        Ok(false) => return Err(missing()),
        other => {
            other?;
        }
    }
    match &sealed {
        Some(sealed) => store::radius::upsert(&mut *tx, id, &address, sealed).await?,
        None => store::radius::set_address(&mut *tx, id, &address).await?,
    }
    assign(&mut tx, id, &input.groups, &input.users).await?;
    let secret_words = if sealed.is_some() { "; new secret" } else { "" };
    let words = format!("changed the RADIUS client {name} at {address}{secret_words}");
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminSystemChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    get(state, id).await
}

/// Removes a client: its packets are dropped from then on.
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
        .filter(|r| r.kind == RADIUS)
        .ok_or_else(missing)?;
    store::apps::delete(&mut *tx, id).await?;
    let words = format!("removed the RADIUS client {}", row.name);
    record(
        state,
        &mut tx,
        admin,
        client,
        EventKind::AdminSystemChanged,
        &words,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_blocks() {
        assert_eq!(check_address(" 10.0.0.5 ").as_deref(), Ok("10.0.0.5"));
        assert!(check_address("10.0.0.0/24").is_ok());
        for bad in ["10.0.0.256", "10.0.0.0/33", "vpn.example.com", "::1", ""] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
        let ip = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        assert!(covers("10.0.0.5", ip("10.0.0.5")));
        assert!(!covers("10.0.0.5", ip("10.0.0.6")));
        assert!(covers("10.0.0.0/24", ip("10.0.0.200")));
        assert!(!covers("10.0.0.0/24", ip("10.0.1.1")));
        assert!(covers("0.0.0.0/0", ip("192.0.2.1")));
    }
}
