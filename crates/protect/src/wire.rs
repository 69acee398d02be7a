//! The device API's JSON bodies, field for field as in the contract
//! (`/work/notes/protect-contract.md`). Unknown fields are ignored so that a
//! newer portal does not break an older client.

use serde::{Deserialize, Serialize};

/// `POST /api/device/v1/enroll`
#[derive(Debug, Serialize)]
pub struct EnrollRequest<'a> {
    pub token: &'a str,
    pub public_key: String,
    pub label: &'a str,
    pub device_type: &'a str,
    pub os: &'a str,
    pub app_version: &'a str,
    pub user_verification: &'a str,
    /// The device's own clock, so the portal can say when it is off.
    pub clock: i64,
}

#[derive(Debug, Deserialize)]
pub struct Enrolled {
    pub device_id: String,
    pub user_email: String,
    pub portal: String,
    /// Server time minus the device clock.
    pub clock_offset_secs: i64,
}

/// `GET /api/device/v1/status`
#[derive(Debug, Deserialize)]
pub struct Status {
    pub user_email: String,
    pub label: String,
    pub device_type: String,
    pub os: String,
    pub app_version: String,
    pub user_verification: String,
    pub enrolled_at: i64,
}

/// One element of `GET /api/device/v1/pending`.
#[derive(Debug, Clone, Deserialize)]
pub struct Pending {
    pub id: String,
    pub resource: String,
    pub ip: String,
    pub browser: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// `POST /api/device/v1/requests/{id}/approve`
#[derive(Debug, Serialize)]
pub struct Approve {
    pub number: u32,
    pub user_verified: bool,
}

/// The answer to approve and deny.
#[derive(Debug, Deserialize)]
pub struct Outcome {
    pub outcome: String,
    #[serde(default)]
    pub reason: Option<String>,
}
