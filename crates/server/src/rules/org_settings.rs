//! The organisation's MFA settings as the rules read them: the enrollment
//! period offered when an administrator requires MFA, whether users created
//! from now on have MFA required (and with what period), which kinds of
//! factor users may set up, for how many days a browser may be trusted, and
//! how Protect push behaves. Changing them is an administration operation
//! (`admin::settings`).
//!
//! They are one row in the database, read each time a rule needs them and
//! never kept in the process: several instances share the database, and a
//! copy here would go stale when another instance changes them.

use portcullis_api::{
    AllowedFactors, BiometricPolicy, FactorKind, MfaSettingsChange, PeriodChoice, ProtectMode, Role,
};

use super::requirement;
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::store::{self, org_settings::Values, Exec};

/// The settings' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgSettings {
    pub default_period_days: u32,
    pub require_new_users: bool,
    /// `None`: new users set MFA up at their first login.
    pub new_user_period_days: Option<u32>,
    pub allowed: AllowedFactors,
    /// `None`: trusted browsers are off.
    pub trusted_browser_days: Option<u32>,
    /// `None`: pushes are not limited; else at most this many wait for an
    /// answer per user and portal.
    pub push_limit: Option<u32>,
    /// The limit's number, kept while the limit is off so switching it on
    /// again brings it back.
    pub push_max_concurrent: u32,
    pub push_biometric: BiometricPolicy,
    pub protect_mode: ProtectMode,
    /// The last merge; `None` while separate.
    pub protect_merged_at: Option<Timestamp>,
}

impl OrgSettings {
    /// Whether users may set up a new factor of `kind`. Recovery codes are
    /// not a kind the settings offer: they back up the others.
    pub fn allows(&self, kind: FactorKind) -> bool {
        self.allowed.allows(kind)
    }

    /// The requirement of a user created at `now`: `None` when new users
    /// have no MFA required, else their deadline (`None`: no period).
    pub fn new_user_requirement(&self, now: Timestamp) -> Option<Option<Timestamp>> {
        self.require_new_users.then(|| {
            self.new_user_period_days
                .map(|d| requirement::deadline(now, d))
        })
    }

    /// These settings with `change` applied (absent fields as they were).
    pub(crate) fn with(self, change: &MfaSettingsChange) -> OrgSettings {
        OrgSettings {
            default_period_days: change
                .default_period_days
                .unwrap_or(self.default_period_days),
            require_new_users: change.require_new_users.unwrap_or(self.require_new_users),
            new_user_period_days: change
                .new_user_period
                .map_or(self.new_user_period_days, |p| p.days),
            allowed: change.allowed_factors.unwrap_or(self.allowed),
            trusted_browser_days: change
                .trusted_browser_days
                .unwrap_or(self.trusted_browser_days),
            ..self
        }
        .with_push(change)
    }

    /// The Protect settings of `change` applied.
    fn with_push(self, change: &MfaSettingsChange) -> OrgSettings {
        let max = change
            .push_max_concurrent
            .unwrap_or(self.push_max_concurrent);
        let on = change
            .push_limit_enabled
            .unwrap_or(self.push_limit.is_some());
        OrgSettings {
            push_limit: on.then_some(max),
            push_max_concurrent: max,
            push_biometric: change.push_biometric.unwrap_or(self.push_biometric),
            protect_mode: change.protect_mode.unwrap_or(self.protect_mode),
            ..self
        }
    }

    pub(crate) fn values(&self) -> Values {
        Values {
            default_period_days: i64::from(self.default_period_days),
            require_new_users: self.require_new_users,
            new_user_period_days: self.new_user_period_days.map(i64::from),
            allowed_factors: kinds_text(&self.allowed.kinds()),
            trusted_browser_days: self.trusted_browser_days.map(i64::from),
            push_limit_enabled: self.push_limit.is_some(),
            push_max_concurrent: i64::from(self.push_max_concurrent),
            push_biometric: biometric_name(self.push_biometric),
            protect_mode: mode_name(self.protect_mode),
            protect_merged_at: self.protect_merged_at,
        }
    }
}

/// The stored names of the policy's values.
fn biometric_name(p: BiometricPolicy) -> &'static str {
    match p {
        BiometricPolicy::Never => "never",
        BiometricPolicy::IfEnabled => "if_enabled",
        BiometricPolicy::Always => "always",
    }
}

fn biometric_of(name: &str) -> Result<BiometricPolicy, Internal> {
    match name {
        "never" => Ok(BiometricPolicy::Never),
        "if_enabled" => Ok(BiometricPolicy::IfEnabled),
        "always" => Ok(BiometricPolicy::Always),
        other => Err(Internal::new(format!("stored biometric policy {other:?}"))),
    }
}

fn mode_name(m: ProtectMode) -> &'static str {
    match m {
        ProtectMode::Separate => "separate",
        ProtectMode::Unified => "unified",
    }
}

fn mode_of(name: &str) -> Result<ProtectMode, Internal> {
    match name {
        "separate" => Ok(ProtectMode::Separate),
        "unified" => Ok(ProtectMode::Unified),
        other => Err(Internal::new(format!("stored Protect mode {other:?}"))),
    }
}

/// The settings of a new organisation (as its migrations make the row).
pub const DEFAULTS: OrgSettings = OrgSettings {
    default_period_days: 7,
    require_new_users: false,
    new_user_period_days: Some(7),
    allowed: AllowedFactors::all(),
    trusted_browser_days: None,
    push_limit: Some(1),
    push_max_concurrent: 1,
    push_biometric: BiometricPolicy::Never,
    protect_mode: ProtectMode::Separate,
    protect_merged_at: None,
};

/// A set of kinds as stored: wire names, space-separated.
fn kinds_text(kinds: &[FactorKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.wire()).collect();
    names.join(" ")
}

/// The kinds of a stored set; an unknown name is a fault (the server
/// writes only names it knows).
fn kinds_of(stored: &str) -> Result<Vec<FactorKind>, Internal> {
    stored
        .split_whitespace()
        .map(|name| {
            FactorKind::parse(name)
                .ok_or_else(|| Internal::new(format!("stored factor kind {name:?}")))
        })
        .collect()
}

/// The stored row: the values and who changed them last.
pub(crate) struct Stored {
    pub settings: OrgSettings,
    pub updated_at: Option<Timestamp>,
    pub updated_by_email: Option<String>,
}

fn days(stored: i64) -> Result<u32, Internal> {
    // The table's CHECKs keep periods within 1–365 (and the push limit
    // within 1–10).
    u32::try_from(stored).map_err(|_| Internal::new(format!("stored period {stored} days")))
}

pub(crate) async fn stored<'c>(db: impl Exec<'c>) -> Result<Stored, Internal> {
    let row = store::org_settings::get(db).await?;
    Ok(Stored {
        settings: OrgSettings {
            default_period_days: days(row.default_period_days)?,
            require_new_users: row.require_new_users,
            new_user_period_days: row.new_user_period_days.map(days).transpose()?,
            allowed: AllowedFactors::of_kinds(&kinds_of(&row.allowed_factors)?),
            trusted_browser_days: row.trusted_browser_days.map(days).transpose()?,
            push_limit: if row.push_limit_enabled {
                Some(days(row.push_max_concurrent)?)
            } else {
                None
            },
            push_max_concurrent: days(row.push_max_concurrent)?,
            push_biometric: biometric_of(&row.push_biometric)?,
            protect_mode: mode_of(&row.protect_mode)?,
            protect_merged_at: row.protect_merged_at,
        },
        updated_at: row.updated_at,
        updated_by_email: row.updated_by_email,
    })
}

/// The settings as they are now (pass a transaction to read them with
/// the change that depends on them).
pub async fn get<'c>(db: impl Exec<'c>) -> Result<OrgSettings, Internal> {
    Ok(stored(db).await?.settings)
}

/// The enrollment period (days; `None`: none) a Require or Reset MFA
/// request means. The settings are read only when it asks for the
/// organisation's default.
pub async fn resolve_period<'c>(
    db: impl Exec<'c>,
    choice: PeriodChoice,
) -> Result<Option<u32>, Internal> {
    match choice {
        PeriodChoice::OrgDefault => Ok(Some(get(db).await?.default_period_days)),
        PeriodChoice::NoPeriod => Ok(None),
        PeriodChoice::Days(d) => Ok(Some(d)),
    }
}

/// Whether `role` may change which kinds of factor users may set up. Only
/// billing administrators: Protect push is a paid service, and the kinds
/// allowed decide what the organisation is billed for and what every user
/// can fall back on, so the same people who manage Protect decide it.
pub fn may_change_allowed_factors(role: Role) -> bool {
    role == Role::BillingAdmin
}

/// Whether `role` may merge or separate Protect and the authenticator
/// app: it changes what every user's app is, so billing administrators,
/// as for the kinds allowed.
pub fn may_change_protect_mode(role: Role) -> bool {
    role == Role::BillingAdmin
}

/// The policy in words (events, settings changes).
pub fn biometric_words(p: BiometricPolicy) -> &'static str {
    match p {
        BiometricPolicy::Never => "never required",
        BiometricPolicy::IfEnabled => "required if enabled on the device",
        BiometricPolicy::Always => "always required",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowed_set_is_stored_as_names_and_reads_back() {
        for kinds in [
            vec![FactorKind::Totp, FactorKind::Webauthn, FactorKind::Push],
            vec![FactorKind::Webauthn],
            vec![FactorKind::Totp, FactorKind::Push],
        ] {
            let text = kinds_text(&kinds);
            assert_eq!(kinds_of(&text).unwrap(), kinds);
        }
        assert_eq!(kinds_text(&DEFAULTS.allowed.kinds()), "totp webauthn push");
        assert!(kinds_of("totp sms").is_err());
    }
}
