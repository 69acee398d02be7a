//! The demo organisation created by `--demo` on an empty database.

use portcullis_api::Role;

use crate::state::AppState;
use crate::users::{self, NewUser};

pub const DEFAULT_PASSWORD: &str = "portcullis-demo";

/// (email, name, role). Later issues put the plain users into every MFA state.
pub const USERS: &[(&str, &str, Role)] = &[
    ("admin@example.com", "Ada Admin", Role::BillingAdmin),
    ("alice@example.com", "Alice Anders", Role::User),
    ("bob@example.com", "Bob Berg", Role::User),
    ("carol@example.com", "Carol Chen", Role::User),
    ("dave@example.com", "Dave Dias", Role::User),
    ("erin@example.com", "Erin Eze", Role::User),
    ("frank@example.com", "Frank Fox", Role::User),
    ("grace@example.com", "Grace Gold", Role::Admin),
    ("heidi@example.com", "Heidi Holm", Role::User),
    ("ivan@example.com", "Ivan Ilic", Role::User),
    ("judy@example.com", "Judy Jones", Role::User),
    ("mallory@example.com", "Mallory Moss", Role::User),
];

/// Creates the demo users if the database has no users yet. Returns whether
/// it created them.
pub async fn seed(state: &AppState, password: &str) -> anyhow::Result<bool> {
    if users::count(&state.db).await? > 0 {
        return Ok(false);
    }
    let now = state.now();
    for (email, name, role) in USERS {
        let hash = crate::password::hash(password)?;
        users::create(
            &state.db,
            NewUser {
                email,
                display_name: name,
                password_hash: &hash,
                role: *role,
            },
            now,
        )
        .await?;
    }
    Ok(true)
}

/// What `--demo` prints at start.
pub fn banner(url: &str, password: &str, password_is_default: bool) -> String {
    let mut s = format!("\nPortcullis is running at {url}\n\nDemo logins");
    if password_is_default {
        s.push_str(&format!(" (password for all: {password})"));
    } else {
        s.push_str(" (password: the value of PORTCULLIS_DEMO_PASSWORD)");
    }
    s.push_str(":\n");
    for (email, _, role) in USERS {
        let what = match role {
            Role::BillingAdmin => "billing admin",
            Role::Admin => "admin",
            Role::User => "user",
        };
        s.push_str(&format!("  {email:<22} {what}\n"));
    }
    s
}
