//! Protect enrollment links (the QR code), what ends them early: a user
//! has at most one live link (a new one revokes the old), and every link
//! of the user is revoked when a device enrolls, when factors are reset
//! or removed, and when the user's sessions are ended. A revoked link
//! keeps its reason, so a device offering it is told why it stopped.

use crate::clock::Timestamp;
use crate::store::{self, Exec};

use super::rules::LINK_INVALID;

/// Why a link stopped working before its use or expiry
/// (`protect_enrollments.revoked_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// A newer link of the user.
    Replaced,
    /// A device enrolled (with another link).
    Enrolled,
    /// The user's factors were reset or removed (Reset MFA, a factor or
    /// the device removed, Reset Authenticator App).
    Factors,
    /// The user's sessions were ended.
    Sessions,
}

impl Revoked {
    pub fn as_str(self) -> &'static str {
        match self {
            Revoked::Replaced => "replaced",
            Revoked::Enrolled => "enrolled",
            Revoked::Factors => "factors",
            Revoked::Sessions => "sessions",
        }
    }

    pub fn parse(name: &str) -> Option<Revoked> {
        [
            Revoked::Replaced,
            Revoked::Enrolled,
            Revoked::Factors,
            Revoked::Sessions,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }

    /// What the device is told when it offers a link revoked so.
    pub fn words(self) -> &'static str {
        match self {
            Revoked::Replaced => {
                "This enrollment link was replaced by a newer one: scan the latest QR code on \
                 the portal's Security page."
            }
            Revoked::Enrolled => {
                "A device was enrolled for this account after this link was made, so the link \
                 no longer works. To enroll this device instead, show a new QR code on the \
                 Security page."
            }
            Revoked::Factors => {
                "This enrollment link was cancelled because the account's sign-in factors were \
                 reset or removed after it was made. Show a new QR code on the Security page."
            }
            Revoked::Sessions => {
                "This enrollment link was cancelled because the account's sessions were ended \
                 after it was made. Sign in again and show a new QR code on the Security page."
            }
        }
    }
}

/// The refusal for a link that could not be used: why it was revoked, or
/// that it expired or was used (`reason` as stored, if any).
pub fn refusal_words(reason: Option<&str>) -> &'static str {
    reason
        .and_then(Revoked::parse)
        .map_or(LINK_INVALID, Revoked::words)
}

/// Revokes every live link of the user, in the caller's transaction.
pub async fn revoke_all<'c>(
    db: impl Exec<'c>,
    user_id: &str,
    reason: Revoked,
    now: Timestamp,
) -> sqlx::Result<u64> {
    store::protect::revoke_enrollments(db, user_id, reason.as_str(), now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_by_name_and_in_words() {
        for r in [
            Revoked::Replaced,
            Revoked::Enrolled,
            Revoked::Factors,
            Revoked::Sessions,
        ] {
            assert_eq!(Revoked::parse(r.as_str()), Some(r));
            assert_eq!(refusal_words(Some(r.as_str())), r.words());
        }
        assert_eq!(refusal_words(None), LINK_INVALID);
        assert_eq!(refusal_words(Some("other")), LINK_INVALID);
        assert!(Revoked::Factors.words().contains("reset"));
    }
}
