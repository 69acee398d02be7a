//! The kinds of second factor, as data: one list, and for each kind its
//! name on the wire and in the database, its label, and what it counts
//! as. The server's rules, its SQL and the SPA's lists all read them here,
//! so a new kind is one variant and its facts, not a name in four places.

use serde::{Deserialize, Serialize};

/// Kinds of second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    Totp,
    Push,
    Webauthn,
    RecoveryCode,
}

impl FactorKind {
    /// Every kind, in the order screens list them.
    pub const ALL: [FactorKind; 4] = [
        FactorKind::Totp,
        FactorKind::Webauthn,
        FactorKind::Push,
        FactorKind::RecoveryCode,
    ];

    /// The name in JSON, in URLs and in the database's `kind` columns.
    pub fn wire(self) -> &'static str {
        match self {
            FactorKind::Totp => "totp",
            FactorKind::Push => "push",
            FactorKind::Webauthn => "webauthn",
            FactorKind::RecoveryCode => "recovery_code",
        }
    }

    /// The kind of a [`wire`](Self::wire) name.
    pub fn parse(name: &str) -> Option<FactorKind> {
        Self::ALL.into_iter().find(|k| k.wire() == name)
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            FactorKind::Totp => "Authenticator app",
            FactorKind::Webauthn => "Security key",
            FactorKind::Push => "Protect push",
            FactorKind::RecoveryCode => "Recovery codes",
        }
    }

    /// How a setting or a section that covers every factor of the kind
    /// names it.
    pub fn kinds_label(self) -> &'static str {
        match self {
            FactorKind::Webauthn => "Security keys and passkeys",
            other => other.label(),
        }
    }

    /// A factor of its own: it counts as "has MFA" and for the
    /// last-factor rule, and the organisation may allow or refuse it.
    /// Recovery codes are none: they stand in for the others.
    pub const fn is_factor(self) -> bool {
        !matches!(self, FactorKind::RecoveryCode)
    }

    /// Bound to the site it was made for, so a look-alike site cannot
    /// relay it (security keys and passkeys).
    pub fn phishing_resistant(self) -> bool {
        self == FactorKind::Webauthn
    }

    /// Can sign in without the password (a passkey that verifies its user).
    pub fn signs_in_alone(self) -> bool {
        self == FactorKind::Webauthn
    }

    /// The kinds the organisation's settings allow or refuse.
    pub fn settable() -> impl Iterator<Item = FactorKind> {
        Self::ALL.into_iter().filter(|k| k.is_factor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_is_the_json_name_and_reads_back() {
        for k in FactorKind::ALL {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.wire())
            );
            assert_eq!(FactorKind::parse(k.wire()), Some(k));
        }
        assert_eq!(FactorKind::parse("sms"), None);
    }

    #[test]
    fn every_kind_is_listed_once_with_its_own_label() {
        let mut labels: Vec<&str> = FactorKind::ALL.iter().map(|k| k.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), FactorKind::ALL.len());
        // A match arm per variant: a new variant that is not in ALL fails
        // to compile here until it is added.
        for k in FactorKind::ALL {
            match k {
                FactorKind::Totp
                | FactorKind::Push
                | FactorKind::Webauthn
                | FactorKind::RecoveryCode => {}
            }
        }
    }

    #[test]
    fn only_keys_resist_phishing_and_recovery_codes_are_no_factor() {
        let resistant: Vec<FactorKind> = FactorKind::ALL
            .into_iter()
            .filter(|k| k.phishing_resistant())
            .collect();
        assert_eq!(resistant, vec![FactorKind::Webauthn]);
        assert_eq!(
            FactorKind::settable().collect::<Vec<_>>(),
            vec![FactorKind::Totp, FactorKind::Webauthn, FactorKind::Push]
        );
    }

    #[test]
    fn only_a_passkey_signs_in_without_the_password_and_codes_do_not_count_as_mfa() {
        let alone: Vec<FactorKind> = FactorKind::ALL
            .into_iter()
            .filter(|k| k.signs_in_alone())
            .collect();
        assert_eq!(alone, vec![FactorKind::Webauthn]);
        assert!(!FactorKind::RecoveryCode.is_factor());
    }
}
