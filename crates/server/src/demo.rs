//! The demo organisation created by `--demo` on an empty database, and a
//! large synthetic one for benchmarks (`population`).

mod population;
pub use population::seed_population;

use portcullis_api::{MfaStatus, Role};

use crate::app::AppState;
use crate::mfa::totp;
use crate::people::{self, add::AddedBy};
use crate::rules::requirement::{self as mfa, DAY};
use crate::store;

pub const DEFAULT_PASSWORD: &str = "portcullis-demo";

/// The MFA state a demo user starts in (one of each status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoMfa {
    /// Neither required nor set up.
    Off,
    /// Required and set up (an authenticator-app key nobody is shown).
    Active,
    /// Required, this many days left.
    Period(u32),
    /// Required, the period ended this many days ago.
    Expired(u32),
    /// Set up, not required.
    SetUpOnly,
    /// Required with no period.
    NoPeriod,
    /// Required, 20 hours left: the 24-hour reminder is due.
    LastDay,
}

/// (email, name, role, MFA state).
pub const USERS: &[(&str, &str, Role, DemoMfa)] = &[
    (
        "admin@example.com",
        "Ada Admin",
        Role::BillingAdmin,
        DemoMfa::Off,
    ),
    (
        "alice@example.com",
        "Alice Anders",
        Role::User,
        DemoMfa::Off,
    ),
    ("bob@example.com", "Bob Berg", Role::User, DemoMfa::Active),
    (
        "carol@example.com",
        "Carol Chen",
        Role::User,
        DemoMfa::Period(7),
    ),
    (
        "dave@example.com",
        "Dave Dias",
        Role::User,
        DemoMfa::LastDay,
    ),
    (
        "erin@example.com",
        "Erin Eze",
        Role::User,
        DemoMfa::Expired(1),
    ),
    (
        "frank@example.com",
        "Frank Fox",
        Role::User,
        DemoMfa::SetUpOnly,
    ),
    (
        "grace@example.com",
        "Grace Gold",
        Role::Admin,
        DemoMfa::Active,
    ),
    (
        "heidi@example.com",
        "Heidi Holm",
        Role::User,
        DemoMfa::NoPeriod,
    ),
    ("ivan@example.com", "Ivan Ilic", Role::User, DemoMfa::Off),
    ("judy@example.com", "Judy Jones", Role::User, DemoMfa::Off),
    (
        "mallory@example.com",
        "Mallory Moss",
        Role::User,
        DemoMfa::Off,
    ),
];

/// Creates the demo users if the database has no users yet. Returns whether
/// it created them.
pub async fn seed(state: &AppState, password: &str) -> anyhow::Result<bool> {
    if store::users::count(&state.db).await? > 0 {
        return Ok(false);
    }
    let now = state.now();
    // One hash for all: the demo password is the same for everyone, and
    // twelve Argon2 runs would slow every test start.
    crate::auth::password::check_new(password).map_err(anyhow::Error::msg)?;
    let hash = crate::auth::password::hash(password)?;
    for (email, name, role, state_) in USERS {
        let user = crate::auth::insert_user(state, email, name, &hash, *role).await?;
        apply(state, &user.id, *state_, now).await?;
    }
    Ok(true)
}

async fn apply(
    state: &AppState,
    user_id: &str,
    mfa_state: DemoMfa,
    now: i64,
) -> anyhow::Result<()> {
    // `started` stands in for "now" when the requirement was set.
    let require = |started: i64, deadline: Option<i64>| {
        store::users::set_requirement(&state.db, user_id, deadline, started)
    };
    match mfa_state {
        DemoMfa::Off => {}
        DemoMfa::Active => {
            require(now, None).await?;
            add_factor(state, user_id, now).await?;
        }
        DemoMfa::SetUpOnly => add_factor(state, user_id, now).await?,
        DemoMfa::Period(days) => {
            require(now, Some(mfa::deadline(now, days))).await?;
        }
        DemoMfa::Expired(days_ago) => {
            let deadline = now - i64::from(days_ago) * DAY;
            require(deadline - 7 * DAY, Some(deadline)).await?;
        }
        DemoMfa::NoPeriod => {
            require(now, None).await?;
        }
        DemoMfa::LastDay => {
            let deadline = now + 20 * 3600;
            require(deadline - 7 * DAY, Some(deadline)).await?;
        }
    }
    Ok(())
}

/// An authenticator app whose key nobody is shown.
async fn add_factor(state: &AppState, user_id: &str, now: i64) -> anyhow::Result<()> {
    let sealed = state.secrets.seal(totp::new_secret().expose(), user_id)?;
    if store::totp::begin(&state.db, user_id, &sealed, now).await? {
        let mut conn = state.db.acquire().await?;
        store::totp::confirm(&mut conn, user_id, &sealed, now).await?;
    }
    Ok(())
}

/// A fresh setup link (also emailed, replacing any earlier one) for each
/// demo administrator with no factor: their password alone cannot set
/// one up. Made at every start, so a restarted demo always has one.
pub async fn setup_links(state: &AppState) -> anyhow::Result<Vec<(String, String)>> {
    let mut links = Vec::new();
    for (email, _, role, _) in USERS {
        if !role.is_admin() {
            continue;
        }
        let Some(user) = store::users::find_by_email(&state.db, email).await? else {
            continue;
        };
        if !store::factors::confirmed_kinds(&state.db, &user.id)
            .await?
            .is_empty()
        {
            continue;
        }
        let issued = people::add::issue_setup(state, &user, AddedBy::CommandLine).await?;
        links.push((email.to_string(), issued.url.expose().clone()));
    }
    Ok(links)
}

/// What `--demo` prints at start: the URL, each demo login with its
/// current MFA status, and the setup links of administrators with no factor.
pub async fn banner(
    state: &AppState,
    url: &str,
    password: &str,
    password_is_default: bool,
) -> anyhow::Result<String> {
    let links = setup_links(state).await?;
    let mut s = format!("\nPortcullis is running at {url}\n\nDemo logins");
    if password_is_default {
        s.push_str(&format!(" (password for all: {password})"));
    } else {
        s.push_str(" (password: the value of PORTCULLIS_DEMO_PASSWORD)");
    }
    s.push_str(":\n");
    let now = state.now();
    for (email, _, role, _) in USERS {
        let what = match role {
            Role::BillingAdmin => "billing admin",
            Role::Admin => "admin",
            Role::User => "user",
        };
        let status = match store::users::find_by_email(&state.db, email).await? {
            Some(u) => {
                let factors = store::factors::confirmed_kinds(&state.db, &u.id).await?;
                let requirement = mfa::Requirement::for_user(
                    u.role(),
                    u.mfa_required,
                    u.mfa_deadline,
                    !factors.is_empty(),
                );
                status_text(mfa::status(requirement, now))
            }
            None => "deleted".to_string(),
        };
        s.push_str(&format!("  {email:<22} {what:<14} {status}\n"));
    }
    for (email, link) in links {
        s.push_str(&format!(
            "\n{email} has no second factor yet, and a password alone cannot set one up for an \
             administrator. Set it up with this one-time link (and the password above):\n  {link}\n"
        ));
    }
    Ok(s)
}

pub fn status_text(status: MfaStatus) -> String {
    match status {
        MfaStatus::Active => "MFA active".into(),
        MfaStatus::EnrollmentPeriod { days_left } => {
            format!("in enrollment period, {days_left} day(s) left")
        }
        MfaStatus::EnrollmentExpired => "enrollment expired (locked out)".into(),
        MfaStatus::SetUpNotRequired => "MFA set up, not required".into(),
        MfaStatus::RequiredNoPeriod => "MFA required, no enrollment period".into(),
        MfaStatus::None => "no MFA".into(),
    }
}
