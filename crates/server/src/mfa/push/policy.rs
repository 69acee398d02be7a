//! Protect push, the organisation's rules: whether push may prove a login
//! at all, how many pushes may wait at once, whether an approval needs the
//! device to have verified its user (the biometric policy), and how each
//! refusal and denial reads. Pure but for [`wait_words`], which reads the
//! device.

use portcullis_api::protect::{PushStatus, UserVerification};
use portcullis_api::BiometricPolicy;

use super::rules;
use crate::error::Internal;
use crate::store::{self, push_requests::Row, Db};

/// Why a push cannot be sent or approved while the organisation has
/// Protect push switched off.
pub const PUSH_OFF: &str = "Your organisation has switched Protect push off, so a push cannot \
     confirm your sign-in. Use another factor, or ask your administrator.";

/// What the browser's wait says beside `status` of `row`: a denial in the
/// words of its reason.
pub async fn wait_words(
    db: &Db,
    row: &Row,
    status: PushStatus,
) -> Result<Option<String>, Internal> {
    if status != PushStatus::Denied {
        return Ok(rules::words(status).map(str::to_string));
    }
    let reason = row.deny_reason.as_deref().and_then(DenyReason::parse);
    let device = match reason {
        Some(DenyReason::UserVerification) => store::protect::device_of(db, &row.user_id)
            .await?
            .and_then(|d| UserVerification::parse(&d.user_verification)),
        _ => None,
    };
    Ok(Some(browser_words(reason, device).to_string()))
}

/// Whether another push may be sent while `waiting` of the user's pushes
/// for the same portal are waiting for an answer.
pub fn room_for_another(limit: Option<u32>, waiting: i64) -> bool {
    match limit {
        None => true,
        Some(n) => waiting < i64::from(n),
    }
}

/// The message of a push refused because `limit` are still waiting; the
/// first of them frees in `secs` seconds.
pub fn busy_words(limit: u32, secs: i64) -> String {
    let s = if secs == 1 { "" } else { "s" };
    if limit <= 1 {
        return super::rules::busy_words(secs);
    }
    format!(
        "{limit} pushes sent to your Protect device in the last minute are still waiting for \
         an answer: answer one on the device, or send another in {secs} second{s}."
    )
}

/// Why a push was denied when the device did not simply deny it (stored
/// as `push_requests.deny_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// The number typed on the device was not the one the browser showed.
    WrongNumber,
    /// The organisation's biometric policy wanted the device to verify its
    /// user, and it did not (or cannot).
    UserVerification,
    /// The user reported it on the device as not theirs.
    Fraud,
}

impl DenyReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DenyReason::WrongNumber => "wrong_number",
            DenyReason::UserVerification => "user_verification",
            DenyReason::Fraud => "fraud",
        }
    }

    pub fn parse(name: &str) -> Option<DenyReason> {
        [
            DenyReason::WrongNumber,
            DenyReason::UserVerification,
            DenyReason::Fraud,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }
}

/// Whether the device can verify its user (fingerprint, face, PIN).
pub fn can_verify(device: UserVerification) -> bool {
    device != UserVerification::None
}

/// Whether `policy` asks this device to verify its user before it
/// approves (the device is told, so it can ask for the fingerprint first).
pub fn verification_required(policy: BiometricPolicy, device: UserVerification) -> bool {
    match policy {
        BiometricPolicy::Never => false,
        BiometricPolicy::IfEnabled => can_verify(device),
        BiometricPolicy::Always => true,
    }
}

/// Whether an approval counts under `policy`. A device enrolled without
/// user verification cannot meet "always", whatever it claims: its claim
/// has nothing behind it.
pub fn approval_counts(
    policy: BiometricPolicy,
    device: UserVerification,
    user_verified: bool,
) -> bool {
    match policy {
        BiometricPolicy::Never => true,
        BiometricPolicy::IfEnabled => !can_verify(device) || user_verified,
        BiometricPolicy::Always => can_verify(device) && user_verified,
    }
}

/// What the device is told about a denial it did not ask for
/// (`PushOutcome.reason`; the `protect` client prints "Denied: …").
pub fn device_words(reason: DenyReason, device: UserVerification) -> &'static str {
    match reason {
        DenyReason::WrongNumber => "wrong number",
        DenyReason::UserVerification if can_verify(device) => {
            "your organisation requires you to confirm each push with your fingerprint, face \
             or PIN on this device; send another push from the browser and approve it that way"
        }
        DenyReason::UserVerification => {
            "your organisation requires you to confirm each push with your fingerprint, face \
             or PIN, and this device was enrolled without them; enroll it again with user \
             verification, or use another factor"
        }
        DenyReason::Fraud => {
            "reported as not yours; pushes to this device are paused for 20 minutes and your \
             administrators have been told"
        }
    }
}

/// What the browser's wait says about a denial, by its reason (`None`:
/// the device denied it).
pub fn browser_words(reason: Option<DenyReason>, device: Option<UserVerification>) -> &'static str {
    match reason {
        None => {
            "The push was denied on your Protect device. Send another push, or use another \
             factor."
        }
        Some(DenyReason::WrongNumber) => {
            "The push was denied: the number typed on your Protect device was not the one shown \
             here. Send another push and type the new number, or use another factor."
        }
        Some(DenyReason::UserVerification) if device.is_some_and(|d| !can_verify(d)) => {
            "The push was not accepted: your organisation requires you to confirm it with your \
             fingerprint, face or PIN on the device, and your device was enrolled without them. \
             Enroll it again with user verification, or use another factor."
        }
        Some(DenyReason::UserVerification) => {
            "The push was not accepted: your organisation requires you to confirm it with your \
             fingerprint, face or PIN on the device. Send another push, or use another factor."
        }
        Some(DenyReason::Fraud) => {
            "The push was reported on the Protect device as not made by its owner. Pushes are \
             paused for a while: use another factor to sign in."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_the_pushes_waiting() {
        assert!(room_for_another(None, 0));
        assert!(room_for_another(None, 100));
        assert!(room_for_another(Some(1), 0));
        assert!(!room_for_another(Some(1), 1));
        assert!(room_for_another(Some(3), 2));
        assert!(!room_for_another(Some(3), 3));
    }

    #[test]
    fn the_refusal_says_how_many_wait_and_for_how_long() {
        assert!(busy_words(1, 12).contains("send another in 12 seconds"));
        let three = busy_words(3, 1);
        assert!(three.starts_with("3 pushes"), "{three}");
        assert!(three.ends_with("in 1 second."), "{three}");
    }
    #[test]
    fn the_biometric_policy_by_device_and_answer() {
        use BiometricPolicy::{Always, IfEnabled, Never};
        use UserVerification::{Biometric, None as NoUv, Pin};
        // (policy, device, verified) → counts
        let table = [
            (Never, Biometric, false, true),
            (Never, NoUv, false, true),
            (IfEnabled, Biometric, true, true),
            (IfEnabled, Biometric, false, false),
            (IfEnabled, Pin, false, false),
            (IfEnabled, NoUv, false, true),
            (IfEnabled, NoUv, true, true),
            (Always, Biometric, true, true),
            (Always, Pin, false, false),
            (Always, NoUv, true, false),
            (Always, NoUv, false, false),
        ];
        for (policy, device, verified, counts) in table {
            assert_eq!(
                approval_counts(policy, device, verified),
                counts,
                "{policy:?} {device:?} {verified}"
            );
        }
        assert!(!verification_required(Never, Biometric));
        assert!(verification_required(IfEnabled, Pin));
        assert!(!verification_required(IfEnabled, NoUv));
        assert!(verification_required(Always, NoUv));
    }

    #[test]
    fn deny_reasons_by_name_and_in_words() {
        for r in [
            DenyReason::WrongNumber,
            DenyReason::UserVerification,
            DenyReason::Fraud,
        ] {
            assert_eq!(DenyReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(DenyReason::parse("other"), None);
        assert_eq!(
            device_words(DenyReason::WrongNumber, UserVerification::None),
            "wrong number"
        );
        let uv = browser_words(Some(DenyReason::UserVerification), None);
        assert!(uv.contains("fingerprint, face or PIN"), "{uv}");
        let cannot = browser_words(
            Some(DenyReason::UserVerification),
            Some(UserVerification::None),
        );
        assert!(cannot.contains("enrolled without them"), "{cannot}");
        assert!(browser_words(None, None).contains("denied on your Protect device"));
    }
}
