//! Protect push: the portal's routes (`/api/v1/protect/…`,
//! `/api/v1/login/push…`) and the device API (`/api/device/v1/…`) that the
//! `protect` client speaks, whose requests it signs with its Ed25519 key.

use serde::{Deserialize, Serialize};

use crate::LoginResponse;

/// The longest enrollment token taken (a real one has 43 characters). The
/// schema attributes below repeat these numbers (they take literals only).
pub const PROTECT_TOKEN_MAX_CHARS: usize = 128;
/// The longest public key taken (a real one has 43 characters).
pub const PROTECT_KEY_MAX_CHARS: usize = 64;
/// The longest label, device type, OS or app version, in characters.
pub const DEVICE_FIELD_MAX_CHARS: usize = 100;

/// The version line that opens every signed device request's message.
pub const SIGNATURE_SCHEME: &str = "portcullis-protect-v2";

/// The text a device signs for one request, and the portal checks
/// (`crate::signing::message` with this crate's scheme).
pub fn signed_message(
    portal: &str,
    device_id: &str,
    method: &str,
    target: &str,
    time: &str,
    nonce: &str,
    body_sha256_hex: &str,
) -> String {
    crate::signing::message(
        SIGNATURE_SCHEME,
        &crate::signing::Parts {
            portal,
            signer: device_id,
            method,
            target,
            time,
            nonce,
            body_sha256_hex,
        },
    )
}

/// Which user verification a device can perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserVerification {
    /// Fingerprint, face.
    Biometric,
    /// A PIN or passcode.
    Pin,
    None,
}

impl UserVerification {
    pub fn as_str(self) -> &'static str {
        match self {
            UserVerification::Biometric => "biometric",
            UserVerification::Pin => "pin",
            UserVerification::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<UserVerification> {
        match s {
            "biometric" => Some(UserVerification::Biometric),
            "pin" => Some(UserVerification::Pin),
            "none" => Some(UserVerification::None),
            _ => None,
        }
    }
}

/// `POST /api/v1/protect/enroll`: the one-time link the QR code carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectEnrollment {
    /// `portcullis-protect://enroll?portal=…&token=…`
    pub uri: String,
    /// Unix seconds; the link works once, until then.
    pub expires_at: i64,
    /// Whether the device enrolled with this link also becomes the user's
    /// authenticator app (the organisation's unified mode, and no other
    /// app of the user's in the way). Absent from older servers: no.
    #[serde(default)]
    pub totp_included: bool,
    /// The label of the device this link's enrollment replaces (the user's
    /// current one, whose key then stops working); absent when the user
    /// has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// The user's Protect device (`GET /api/v1/protect/device`, and the admin
/// user details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectDevice {
    pub label: String,
    /// e.g. "iPhone 8"
    pub device_type: String,
    /// e.g. "iOS 17.2"
    pub os: String,
    pub app_version: String,
    pub user_verification: UserVerification,
    /// Unix seconds.
    pub enrolled_at: i64,
    /// The device's last signed request (Unix seconds); absent: none yet.
    pub last_seen_at: Option<i64>,
    /// The latest push the user reported on the device as not theirs
    /// ("This wasn't me") in the last 30 days, so the Security page can
    /// say so and offer to review the sessions. Absent: none.
    #[serde(default)]
    pub last_report: Option<PushReport>,
}

/// A push reported on the device as not the user's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushReport {
    /// Unix seconds.
    pub reported_at: i64,
    /// "User Portal" or "Admin Portal": what the sign-in tried to reach.
    pub resource: String,
    /// The address the sign-in came from.
    pub ip: String,
    /// Its browser in words.
    pub browser: String,
    /// Until when pushes were paused because of it (Unix seconds).
    pub muted_until: i64,
}

/// `POST /api/v1/login/push`: the push sent to the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushStarted {
    pub id: String,
    /// The number to show; the user types it on the device.
    pub number: u8,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Where a push request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    Pending,
    Approved,
    Denied,
    Expired,
    /// The browser cancelled it.
    Cancelled,
}

/// `POST /api/v1/login/push/{id}/wait`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushWait {
    pub status: PushStatus,
    /// What happened, in words (denied, expired, cancelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When approved: the login's answer (the new session's cookie comes
    /// with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<LoginResponse>,
}

/// `POST /api/device/v1/enroll` (not signed: the token is the proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceEnrollRequest {
    /// From the enrollment link.
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub token: String,
    /// base64url (no padding) of the 32-byte Ed25519 public key.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub public_key: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub label: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub device_type: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub os: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub app_version: String,
    pub user_verification: UserVerification,
    /// The device's clock (Unix seconds).
    // Read as JSON Schema reads an integer (1700000000.0 is 1700000000).
    #[serde(deserialize_with = "whole_seconds")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 9_007_199_254_740_991_i64)
    )]
    pub clock: i64,
}

/// Unix seconds as a JSON number: whole, from 0 to 2^53 - 1 (where a
/// double still counts every second).
fn whole_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    const MAX: f64 = 9_007_199_254_740_991.0;
    let n = f64::deserialize(d)?;
    if n.fract() == 0.0 && (0.0..=MAX).contains(&n) {
        // whole and in range: the conversion is exact
        Ok(n as i64)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected whole Unix seconds from 0 to {MAX}, got {n}"
        )))
    }
}

/// The answer to a device's enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceEnrolled {
    /// Sent as `x-protect-device` with every signed request.
    pub device_id: String,
    pub user_email: String,
    /// The portal's public origin.
    pub portal: String,
    /// The server's clock minus the device's (seconds).
    pub clock_offset_secs: i64,
    /// In unified mode: the authenticator key the device shows codes of.
    /// Absent in separate mode, and when the user keeps another app
    /// (`totp_note` says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<DeviceTotp>,
    /// Why a unified enrollment gave the device no authenticator key, in
    /// words for the person holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_note: Option<String>,
}

/// An authenticator key given to the device at a unified enrollment: what
/// any TOTP app needs to show the codes the portal accepts.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceTotp {
    /// The key, base32 without padding.
    pub secret: String,
    /// Digits of a code (6).
    pub digits: u32,
    /// Seconds each code lasts (30).
    pub period: u32,
    /// The HMAC of the codes: "SHA1".
    pub algorithm: String,
    /// Whose account, as authenticator apps show it ("Portcullis").
    pub issuer: String,
    /// The account: the user's email.
    pub account: String,
}

// By hand, so that `{:?}` anywhere (logs, panics) never prints the key.
impl std::fmt::Debug for DeviceTotp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceTotp")
            .field("secret", &crate::REDACTED)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .finish()
    }
}

/// `GET /api/device/v1/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceStatus {
    pub user_email: String,
    pub label: String,
    pub device_type: String,
    pub os: String,
    pub app_version: String,
    pub user_verification: UserVerification,
    pub enrolled_at: i64,
}

/// One push waiting for the device's answer (`GET /api/device/v1/pending`).
/// The number is not sent: the user types what the browser shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingPush {
    pub id: String,
    /// What the login is for: "User Portal", "Admin Portal", an app's
    /// name (single sign-on) or a host's (a Linux login).
    pub resource: String,
    /// The address the login came from.
    pub ip: String,
    /// The login's browser in words.
    pub browser: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// The organisation wants this device to verify its user (fingerprint,
    /// face, PIN) before approving: an approval without it is taken as a
    /// denial. Absent from older servers: not required.
    #[serde(default)]
    pub user_verification_required: bool,
}

/// `POST /api/device/v1/requests/{id}/approve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushApproval {
    /// The number the user typed.
    pub number: i64,
    /// The device verified its user (biometric, PIN) before answering.
    #[serde(default)]
    pub user_verified: bool,
}

/// How the device's answer was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PushOutcomeKind {
    Approved,
    Denied,
}

/// The answer to approve or deny.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushOutcome {
    pub outcome: PushOutcomeKind,
    /// Why an approval was taken as a denial, in words: "wrong number", or
    /// what the organisation's biometric policy wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enroll_with_clock(clock: &str) -> Result<DeviceEnrollRequest, String> {
        let body = format!(
            r#"{{"token":"t","public_key":"k","label":"l","device_type":"d","os":"o",
                "app_version":"a","user_verification":"none","clock":{clock}}}"#
        );
        serde_json::from_str(&body).map_err(|e| e.to_string())
    }

    #[test]
    fn an_enrollment_without_a_key_reads_and_writes_as_before() {
        let old = r#"{"device_id":"d","user_email":"a@b.c","portal":"p","clock_offset_secs":0}"#;
        let e: DeviceEnrolled = serde_json::from_str(old).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((e.totp.as_ref(), e.totp_note.as_ref()), (None, None));
        assert_eq!(serde_json::to_string(&e).ok().as_deref(), Some(old));
    }

    #[test]
    fn the_device_key_stays_out_of_debug_output() {
        let key = DeviceTotp {
            secret: "JBSWY3DPEHPK3PXP".into(),
            digits: 6,
            period: 30,
            algorithm: "SHA1".into(),
            issuer: "Portcullis".into(),
            account: "a@b.c".into(),
        };
        let e = DeviceEnrolled {
            device_id: "d".into(),
            user_email: "a@b.c".into(),
            portal: "p".into(),
            clock_offset_secs: 0,
            totp: Some(key),
            totp_note: None,
        };
        let text = format!("{e:?}");
        assert!(!text.contains("JBSWY3DPEHPK3PXP"), "{text}");
        assert!(text.contains(crate::REDACTED), "{text}");
    }

    #[test]
    fn the_device_clock_is_read_as_json_schema_reads_an_integer() {
        assert_eq!(
            enroll_with_clock("1700000000").map(|r| r.clock),
            Ok(1_700_000_000)
        );
        assert_eq!(
            enroll_with_clock("1700000000.0").map(|r| r.clock),
            Ok(1_700_000_000)
        );
        assert!(enroll_with_clock("1.5").is_err());
        assert!(enroll_with_clock("-1").is_err());
        assert!(enroll_with_clock("1e300").is_err());
    }

    #[test]
    fn the_signed_message_names_the_portal_and_the_device() {
        let m = signed_message(
            "https://mfa.example.org",
            "dev1",
            "post",
            "/api/device/v1/requests/r/approve?x=1",
            "1700000000",
            "nonce-nonce-nonce-1",
            "abc123",
        );
        assert_eq!(
            m,
            "portcullis-protect-v2\nhttps://mfa.example.org\ndev1\nPOST\n\
             /api/device/v1/requests/r/approve?x=1\n1700000000\nnonce-nonce-nonce-1\nabc123"
        );
    }
}
