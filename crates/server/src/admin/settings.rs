//! Changing the organisation's MFA settings (`/admin/mfa`): checks, one
//! event per setting changed, and the settings as the admin page shows them.
//! The read model the rules use is `rules::org_settings`.

use portcullis_api::{
    FactorKind, KindUsers, MfaSettings, MfaSettingsChange, ProtectMode, PUSH_MAX_CONCURRENT_MAX,
    TRUSTED_BROWSER_MAX_DAYS,
};

use super::common::check_period;
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, AuthError, Authed};
use crate::error::Internal;
use crate::rules::org_settings::{
    biometric_words, get, may_change_allowed_factors, may_change_protect_mode, stored, OrgSettings,
};
use crate::store;

/// Why a change of the settings was refused.
#[derive(Debug)]
pub enum SettingsError {
    /// Out-of-range input; the text says how.
    Invalid(String),
    /// Which kinds of factor are allowed are for billing administrators.
    NotBillingAdmin,
    /// So is merging or separating Protect and the authenticator app.
    ProtectModeNotBillingAdmin,
    /// The change would leave no kind of factor allowed.
    NoFactorAllowed,
    /// The session must prove a second factor again first.
    Auth(AuthError),
    Internal(Internal),
}

impl From<Internal> for SettingsError {
    fn from(e: Internal) -> Self {
        SettingsError::Internal(e)
    }
}

impl From<sqlx::Error> for SettingsError {
    fn from(e: sqlx::Error) -> Self {
        SettingsError::Internal(e.into())
    }
}

/// The settings as the admin page shows them to `admin`.
pub async fn view(state: &AppState, admin: &Authed) -> Result<MfaSettings, Internal> {
    let s = stored(&state.db).await?;
    let counts = store::org_settings::users_per_kind(&state.db).await?;
    let push_only = store::org_settings::users_with_push_only(&state.db).await?;
    let users_with = |kind: FactorKind| {
        counts
            .iter()
            .find(|(k, _)| k == kind.wire())
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
    };
    Ok(MfaSettings {
        default_period_days: s.settings.default_period_days,
        require_new_users: s.settings.require_new_users,
        new_user_period_days: s.settings.new_user_period_days,
        allowed_factors: s.settings.allowed,
        may_change_allowed_factors: may_change_allowed_factors(admin.user.role()),
        users_per_kind: FactorKind::settable()
            .map(|kind| KindUsers {
                kind,
                users: users_with(kind),
            })
            .collect(),
        trusted_browser_days: s.settings.trusted_browser_days,
        push_limit_enabled: s.settings.push_limit.is_some(),
        push_max_concurrent: s.settings.push_max_concurrent,
        push_biometric: s.settings.push_biometric,
        protect_mode: s.settings.protect_mode,
        protect_merged_at: s.settings.protect_merged_at,
        users_with_push_only: u64::try_from(push_only).unwrap_or(0),
        updated_at: s.updated_at,
        updated_by_email: s.updated_by_email,
    })
}

/// Changes the settings: one transaction with one event for each setting
/// that changed (none, and no write, when nothing did). Answers the
/// settings as they are afterwards.
pub async fn change(
    state: &AppState,
    admin: &Authed,
    change: &MfaSettingsChange,
    client: &Client,
) -> Result<MfaSettings, SettingsError> {
    let periods = [
        change.default_period_days,
        change.new_user_period.and_then(|p| p.days),
    ];
    for days in periods.into_iter().flatten() {
        check_period(days).map_err(SettingsError::Invalid)?;
    }
    if let Some(Some(days)) = change.trusted_browser_days {
        check_trust_days(days).map_err(SettingsError::Invalid)?;
    }
    if let Some(n) = change.push_max_concurrent {
        check_push_max(n).map_err(SettingsError::Invalid)?;
    }
    auth::require_fresh_mfa(state, admin).map_err(SettingsError::Auth)?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    store::org_settings::lock(&mut tx).await?;
    let was = get(&mut *tx).await?;
    let mut new = was.with(change);
    if new.allowed != was.allowed && !may_change_allowed_factors(admin.user.role()) {
        return Err(SettingsError::NotBillingAdmin);
    }
    if new.protect_mode != was.protect_mode {
        if !may_change_protect_mode(admin.user.role()) {
            return Err(SettingsError::ProtectModeNotBillingAdmin);
        }
        new.protect_merged_at = match new.protect_mode {
            ProtectMode::Unified => Some(now),
            ProtectMode::Separate => None,
        };
    }
    if new.allowed.is_empty() {
        return Err(SettingsError::NoFactorAllowed);
    }
    let changes = differences(&was, &new);
    if !changes.is_empty() {
        store::org_settings::update(&mut tx, &new.values(), now, &admin.user.id).await?;
        if was.trusted_browser_days.is_some() && new.trusted_browser_days.is_none() {
            // Switched off: every browser trusted so far is forgotten, so
            // switching it on again later trusts none of them by surprise.
            store::trusted_browsers::delete_all(&mut *tx).await?;
        }
        for detail in &changes {
            let event = Event {
                kind: EventKind::AdminSettingChanged,
                actor: Actor::Admin(&admin.user.id),
                subject: None,
                client: Some(client),
                detail,
                resource: None,
            };
            audit::record(&mut *tx, now, event).await?;
        }
        tx.commit().await?;
    }
    Ok(view(state, admin).await?)
}

/// Checks the most pushes that may wait at once.
fn check_push_max(n: u32) -> Result<(), String> {
    if (1..=PUSH_MAX_CONCURRENT_MAX).contains(&n) {
        Ok(())
    } else {
        Err(format!(
            "At most 1 to {PUSH_MAX_CONCURRENT_MAX} pushes may wait for an answer at once (got {n})."
        ))
    }
}

/// Checks how many days a browser may be trusted.
fn check_trust_days(days: u32) -> Result<(), String> {
    if (1..=TRUSTED_BROWSER_MAX_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(format!(
            "A browser can be trusted for 1 to {TRUSTED_BROWSER_MAX_DAYS} days (got {days})."
        ))
    }
}

fn trust_words(days: Option<u32>) -> String {
    match days {
        Some(1) => "1 day".to_string(),
        Some(d) => format!("{d} days"),
        None => "off".to_string(),
    }
}

fn period_words(days: Option<u32>) -> String {
    match days {
        Some(1) => "1 day".to_string(),
        Some(d) => format!("{d} days"),
        None => "none (set up at the first login)".to_string(),
    }
}

/// Each setting that differs between `was` and `new`, in words for the
/// event log: one entry per setting.
fn differences(was: &OrgSettings, new: &OrgSettings) -> Vec<String> {
    let mut out = Vec::new();
    if was.default_period_days != new.default_period_days {
        out.push(format!(
            "default enrollment period: {} → {} days",
            was.default_period_days, new.default_period_days
        ));
    }
    if was.require_new_users != new.require_new_users {
        out.push(match (new.require_new_users, new.new_user_period_days) {
            (true, Some(d)) => format!("new users: MFA required with a {d}-day period"),
            (true, None) => "new users: MFA required at their first login".to_string(),
            (false, _) => "new users: MFA no longer required".to_string(),
        });
    }
    if was.new_user_period_days != new.new_user_period_days {
        out.push(format!(
            "new users' enrollment period: {} → {}",
            period_words(was.new_user_period_days),
            period_words(new.new_user_period_days)
        ));
    }
    if was.trusted_browser_days != new.trusted_browser_days {
        out.push(format!(
            "trusted browsers: {} → {}",
            trust_words(was.trusted_browser_days),
            trust_words(new.trusted_browser_days)
        ));
    }
    if was.push_limit != new.push_limit {
        out.push(match new.push_limit {
            Some(1) => "push limit: 1 push waiting per user and portal".to_string(),
            Some(n) => format!("push limit: {n} pushes waiting per user and portal"),
            None => "push limit: off".to_string(),
        });
    }
    if was.push_biometric != new.push_biometric {
        out.push(format!(
            "biometric verification for push: {} → {}",
            biometric_words(was.push_biometric),
            biometric_words(new.push_biometric)
        ));
    }
    if was.protect_mode != new.protect_mode {
        out.push(match new.protect_mode {
            ProtectMode::Unified => {
                "Protect and the authenticator app: merged (unified)".to_string()
            }
            ProtectMode::Separate => "Protect and the authenticator app: separate".to_string(),
        });
    }
    let kinds = [
        (FactorKind::Totp, "authenticator app"),
        (FactorKind::Webauthn, "security keys and passkeys"),
        (FactorKind::Push, "Protect push"),
    ];
    for (kind, name) in kinds {
        match (was.allows(kind), new.allows(kind)) {
            (true, false) => out.push(format!("{name}: no longer allowed")),
            (false, true) => out.push(format!("{name}: allowed")),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::org_settings::DEFAULTS;
    use crate::rules::requirement;
    use portcullis_api::{AllowedFactors, NewUserPeriod};
    use portcullis_api::{BiometricPolicy, Role};

    #[test]
    fn an_empty_change_changes_nothing() {
        let same = DEFAULTS.with(&MfaSettingsChange::default());
        assert_eq!(same, DEFAULTS);
        assert!(differences(&DEFAULTS, &same).is_empty());
        // the same values again are no change either
        let again = DEFAULTS.with(&MfaSettingsChange {
            default_period_days: Some(7),
            new_user_period: Some(NewUserPeriod { days: Some(7) }),
            ..MfaSettingsChange::default()
        });
        assert!(differences(&DEFAULTS, &again).is_empty());
    }

    #[test]
    fn each_changed_setting_in_words() {
        let new = DEFAULTS.with(&MfaSettingsChange {
            default_period_days: Some(14),
            require_new_users: Some(true),
            new_user_period: Some(NewUserPeriod { days: None }),
            allowed_factors: Some(AllowedFactors::all().without(FactorKind::Totp)),
            trusted_browser_days: Some(Some(30)),
            ..MfaSettingsChange::default()
        });
        assert_eq!(
            differences(&DEFAULTS, &new),
            [
                "default enrollment period: 7 → 14 days",
                "new users: MFA required at their first login",
                "new users' enrollment period: 7 days → none (set up at the first login)",
                "trusted browsers: off → 30 days",
                "authenticator app: no longer allowed",
            ]
        );
        assert_eq!(
            differences(&new, &DEFAULTS),
            [
                "default enrollment period: 14 → 7 days",
                "new users: MFA no longer required",
                "new users' enrollment period: none (set up at the first login) → 7 days",
                "trusted browsers: 30 days → off",
                "authenticator app: allowed",
            ]
        );
    }

    #[test]
    fn trusted_browsers_last_one_to_ninety_days() {
        assert!(check_trust_days(1).is_ok());
        assert!(check_trust_days(90).is_ok());
        for bad in [0, 91, 365] {
            let words = check_trust_days(bad).err().unwrap_or_default();
            assert!(words.contains("1 to 90 days"), "{bad}: {words}");
        }
    }

    #[test]
    fn new_users_get_the_period_of_the_settings() {
        let s = DEFAULTS;
        let t = 1_800_000_000;
        assert_eq!(s.new_user_requirement(t), None);
        let required = OrgSettings {
            require_new_users: true,
            ..s
        };
        assert_eq!(
            required.new_user_requirement(t),
            Some(Some(t + 7 * requirement::DAY))
        );
        let at_first_login = OrgSettings {
            new_user_period_days: None,
            ..required
        };
        assert_eq!(at_first_login.new_user_requirement(t), Some(None));
    }

    #[test]
    fn the_protect_settings_in_words() {
        let new = DEFAULTS.with(&MfaSettingsChange {
            push_max_concurrent: Some(3),
            push_biometric: Some(BiometricPolicy::Always),
            protect_mode: Some(ProtectMode::Unified),
            ..MfaSettingsChange::default()
        });
        assert_eq!(new.push_limit, Some(3));
        assert_eq!(
            differences(&DEFAULTS, &new),
            [
                "push limit: 3 pushes waiting per user and portal",
                "biometric verification for push: never required → always required",
                "Protect and the authenticator app: merged (unified)",
            ]
        );
        // off keeps the number, so on again brings it back
        let off = new.with(&MfaSettingsChange {
            push_limit_enabled: Some(false),
            ..MfaSettingsChange::default()
        });
        assert_eq!((off.push_limit, off.push_max_concurrent), (None, 3));
        assert_eq!(differences(&new, &off), ["push limit: off"]);
        let on = off.with(&MfaSettingsChange {
            push_limit_enabled: Some(true),
            ..MfaSettingsChange::default()
        });
        assert_eq!(on.push_limit, Some(3));
        assert!(check_push_max(0).is_err());
        assert!(check_push_max(10).is_ok());
        assert!(check_push_max(11).is_err());
    }

    #[test]
    fn only_billing_administrators_choose_the_kinds() {
        assert!(may_change_allowed_factors(Role::BillingAdmin));
        assert!(!may_change_allowed_factors(Role::Admin));
        assert!(!may_change_allowed_factors(Role::User));
    }
}
