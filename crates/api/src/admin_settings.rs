//! The organisation's MFA settings (`/admin/mfa`).

use serde::{Deserialize, Serialize};

use crate::FactorKind;

/// The most pushes a user may have waiting at once, when the limit is on.
pub const PUSH_MAX_CONCURRENT_MAX: u32 = 10;

/// Which kinds of factor users may set up: a set of kinds, on the wire a
/// JSON array of their names, each once (`["totp", "push"]`). Factors
/// already set up keep working when their kind is switched off; only new
/// ones are refused. Recovery codes are no kind the settings switch: they
/// back up the others, always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<FactorKind>", into = "Vec<FactorKind>")]
pub struct AllowedFactors {
    /// One bit per kind, by its place in [`FactorKind::ALL`].
    bits: u8,
}

fn bit(kind: FactorKind) -> u8 {
    let place = FactorKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    1 << place
}

impl AllowedFactors {
    /// Every kind the settings switch (a `const`, for the defaults).
    pub const fn all() -> AllowedFactors {
        let mut bits = 0;
        let mut place = 0;
        while place < FactorKind::ALL.len() {
            if FactorKind::ALL[place].is_factor() {
                bits |= 1 << place;
            }
            place += 1;
        }
        AllowedFactors { bits }
    }

    /// These settings with `kind` switched off.
    pub fn without(self, kind: FactorKind) -> AllowedFactors {
        AllowedFactors {
            bits: self.bits & !bit(kind),
        }
    }

    /// Whether `kind` may be set up.
    pub fn allows(&self, kind: FactorKind) -> bool {
        !kind.is_factor() || self.bits & bit(kind) != 0
    }

    /// The kinds allowed, in [`FactorKind::ALL`]'s order.
    pub fn kinds(&self) -> Vec<FactorKind> {
        FactorKind::settable().filter(|k| self.allows(*k)).collect()
    }

    /// The settings that allow exactly `kinds` (recovery codes are no
    /// kind they switch, and are left out).
    pub fn of_kinds(kinds: &[FactorKind]) -> AllowedFactors {
        let bits = kinds
            .iter()
            .filter(|k| k.is_factor())
            .fold(0, |bits, k| bits | bit(*k));
        AllowedFactors { bits }
    }

    /// No kind at all (which the server refuses to store).
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }
}

impl TryFrom<Vec<FactorKind>> for AllowedFactors {
    type Error = String;

    fn try_from(kinds: Vec<FactorKind>) -> Result<Self, String> {
        if kinds.iter().any(|k| !k.is_factor()) {
            return Err(
                "recovery_code is no kind to allow: recovery codes back up the others, always."
                    .into(),
            );
        }
        let set = AllowedFactors::of_kinds(&kinds);
        if set.kinds().len() != kinds.len() {
            return Err("allowed_factors names a kind twice.".into());
        }
        Ok(set)
    }
}

impl From<AllowedFactors> for Vec<FactorKind> {
    fn from(a: AllowedFactors) -> Self {
        a.kinds()
    }
}

/// The document's schema of [`AllowedFactors`]: the names of the kinds the
/// settings switch, each once.
#[cfg(feature = "openapi")]
pub fn allowed_factors_schema() -> utoipa::openapi::schema::Array {
    kinds_schema(false)
}

/// The same in a change, where `null` (like absent) changes nothing.
#[cfg(feature = "openapi")]
pub fn allowed_factors_change_schema() -> utoipa::openapi::schema::Array {
    kinds_schema(true)
}

#[cfg(feature = "openapi")]
fn kinds_schema(nullable: bool) -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    let names: Vec<&str> = FactorKind::settable().map(FactorKind::wire).collect();
    let types: SchemaType = if nullable {
        [Type::Array, Type::Null].into_iter().collect()
    } else {
        Type::Array.into()
    };
    ArrayBuilder::new()
        .schema_type(types)
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names)),
        )
        .unique_items(true)
        .description(Some(
            "The kinds of factor users may set up, each once; recovery codes always back them up.",
        ))
        .build()
}

/// How many users have a factor of a kind set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindUsers {
    pub kind: FactorKind,
    pub users: u64,
}

impl MfaSettings {
    /// How many users have a factor of `kind` set up.
    pub fn users_with(&self, kind: FactorKind) -> u64 {
        self.users_per_kind
            .iter()
            .find(|k| k.kind == kind)
            .map_or(0, |k| k.users)
    }
}

/// Whether a Protect device must verify its user (fingerprint, face, PIN)
/// before it may approve a push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BiometricPolicy {
    /// Any approval counts (the default).
    #[default]
    Never,
    /// A device that can verify its user must have done so; one that
    /// cannot approves without.
    IfEnabled,
    /// Only an approval with user verification counts: a device that
    /// cannot verify its user cannot approve.
    Always,
}

/// How Protect push and the authenticator app relate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProtectMode {
    /// Push and the app are set up apart; the app may be any app (the
    /// default).
    #[default]
    Separate,
    /// One QR code sets up the Protect device for push and as the
    /// authenticator app at once (the device receives the TOTP key).
    Unified,
}

/// The settings as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MfaSettings {
    /// The enrollment period (days) offered when an admin requires MFA.
    pub default_period_days: u32,
    /// Whether users created from now on have MFA required.
    pub require_new_users: bool,
    /// Their enrollment period in days; `null`: set up at the first login.
    pub new_user_period_days: Option<u32>,
    /// Which kinds of factor users may set up (only billing administrators
    /// change them).
    #[cfg_attr(feature = "openapi", schema(schema_with = allowed_factors_schema))]
    pub allowed_factors: AllowedFactors,
    /// Whether the signed-in administrator may change `allowed_factors`.
    pub may_change_allowed_factors: bool,
    /// How many users have each kind of factor set up (so an admin sees
    /// whom switching a kind off affects), one entry per kind the settings
    /// switch.
    pub users_per_kind: Vec<KindUsers>,
    /// How many days "Don't ask again on this browser" trusts a browser
    /// (1–90); `null`: off, every login asks for the second factor (the
    /// default). Administrators are always asked.
    #[serde(default)]
    pub trusted_browser_days: Option<u32>,
    /// Whether pushes are limited: at most `push_max_concurrent` waiting
    /// for an answer per user and portal (the default: on, 1).
    pub push_limit_enabled: bool,
    /// 1–10.
    pub push_max_concurrent: u32,
    pub push_biometric: BiometricPolicy,
    /// Separate or unified (only billing administrators change it).
    pub protect_mode: ProtectMode,
    /// When the organisation last merged (Unix seconds); `null`: separate.
    pub protect_merged_at: Option<i64>,
    /// How many users have Protect push as their only factor (so an admin
    /// sees whom switching push off affects).
    pub users_with_push_only: u64,
    /// Last change (Unix seconds) and by whom; `null`: never changed (or,
    /// for the email, by a user who no longer exists).
    pub updated_at: Option<i64>,
    pub updated_by_email: Option<String>,
}

/// `PATCH /api/v1/admin/settings`: the settings to change; absent (or
/// `null`) fields stay as they are, but for `trusted_browser_days`, where
/// `null` switches trusted browsers off. Each setting that changes is recorded
/// as its own event; a change that changes nothing records none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MfaSettingsChange {
    /// 1–365 days.
    // Read as JSON Schema reads an integer (7.0 is 7), as the document says.
    #[serde(default, deserialize_with = "crate::whole_number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub default_period_days: Option<u32>,
    #[serde(default)]
    pub require_new_users: Option<bool>,
    /// `{"days": n}` or `{"days": null}` (no period: set up at the first login).
    #[serde(default)]
    pub new_user_period: Option<NewUserPeriod>,
    /// Billing administrators only; at least one kind must stay allowed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = allowed_factors_change_schema))]
    pub allowed_factors: Option<AllowedFactors>,
    /// Trusted browsers: 1–90 days, or `null` to switch them off (which
    /// forgets every browser trusted so far); absent: unchanged.
    // Two levels of `Option`: absent (`None`) is no change, `null`
    // (`Some(None)`) is off, so it is written only when it says something.
    #[serde(
        default,
        deserialize_with = "stated_whole_number",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<u32>, minimum = 1, maximum = 90)
    )]
    pub trusted_browser_days: Option<Option<u32>>,
    #[serde(default)]
    pub push_limit_enabled: Option<bool>,
    /// 1–10.
    #[serde(default, deserialize_with = "crate::whole_number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10))]
    pub push_max_concurrent: Option<u32>,
    #[serde(default)]
    pub push_biometric: Option<BiometricPolicy>,
    /// Billing administrators only: Merge (`unified`) or Separate.
    #[serde(default)]
    pub protect_mode: Option<ProtectMode>,
}

/// A field that is present: `null` or a whole number. (An absent field
/// never gets here: `#[serde(default)]` makes it `None`.)
fn stated_whole_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<u32>>, D::Error> {
    crate::whole_number(d).map(Some)
}

/// The enrollment period of new users, as a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUserPeriod {
    /// 1–365 days; `null`: no period (set up at the first login). Always
    /// stated, so that a forgotten field is not read as "no period".
    #[serde(deserialize_with = "crate::whole_number")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 1, maximum = 365, required = true)
    )]
    pub days: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Option<MfaSettingsChange> {
        serde_json::from_str(json).ok()
    }

    #[test]
    fn allowed_kinds_are_a_set_on_the_wire() {
        let some = AllowedFactors::of_kinds(&[FactorKind::Push, FactorKind::Totp]);
        assert_eq!(serde_json::to_string(&some).unwrap(), r#"["totp","push"]"#);
        assert_eq!(
            serde_json::from_str::<AllowedFactors>(r#"["push","totp"]"#).unwrap(),
            some
        );
        assert_eq!(
            AllowedFactors::all().kinds(),
            FactorKind::settable().collect::<Vec<_>>()
        );
        assert_eq!(some, AllowedFactors::all().without(FactorKind::Webauthn));
        assert!(
            some.allows(FactorKind::RecoveryCode),
            "codes back up any kind"
        );
        assert!(serde_json::from_str::<AllowedFactors>("[]")
            .unwrap()
            .is_empty());
        for bad in [
            r#"["totp","totp"]"#,
            r#"["recovery_code"]"#,
            r#"["sms"]"#,
            r#"{"totp":true}"#,
        ] {
            assert!(
                serde_json::from_str::<AllowedFactors>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn periods_are_whole_numbers_as_json_schema_reads_them() {
        let change = read(r#"{"default_period_days":7.0,"new_user_period":{"days":14.0}}"#);
        assert_eq!(
            change,
            Some(MfaSettingsChange {
                default_period_days: Some(7),
                new_user_period: Some(NewUserPeriod { days: Some(14) }),
                ..MfaSettingsChange::default()
            })
        );
        for bad in ["7.5", "-3", "\"7\"", "true"] {
            assert_eq!(read(&format!(r#"{{"default_period_days":{bad}}}"#)), None);
            let nested = format!(r#"{{"new_user_period":{{"days":{bad}}}}}"#);
            assert_eq!(read(&nested), None, "{bad}");
        }
    }

    #[test]
    fn absent_and_null_change_nothing_but_a_period_must_be_stated() {
        assert_eq!(read("{}"), Some(MfaSettingsChange::default()));
        assert_eq!(
            read(r#"{"default_period_days":null,"allowed_factors":null}"#),
            Some(MfaSettingsChange::default())
        );
        assert_eq!(
            read(r#"{"new_user_period":{"days":null}}"#).and_then(|c| c.new_user_period),
            Some(NewUserPeriod { days: None })
        );
        assert_eq!(read(r#"{"new_user_period":{}}"#), None);
        // trusted browsers: absent is no change, null is off
        assert_eq!(read("{}").and_then(|c| c.trusted_browser_days), None);
        assert_eq!(
            read(r#"{"trusted_browser_days":null}"#).and_then(|c| c.trusted_browser_days),
            Some(None)
        );
        assert_eq!(
            read(r#"{"trusted_browser_days":30}"#).and_then(|c| c.trusted_browser_days),
            Some(Some(30))
        );
        assert_eq!(read(r#"{"trusted_browser_days":1.5}"#), None);
        assert_eq!(read(r#"{"colour":"red"}"#), None);
    }
}
