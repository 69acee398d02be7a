//! The phone's side, through the `protect` library: a new Ed25519 key
//! enrolled with the portal's one-time link, kept in memory (no state file:
//! hundreds of devices, none of them reused after the run).

use ed25519_dalek::SigningKey;
use portcullis_api::protect::{DeviceEnrollRequest, ProtectEnrollment, UserVerification};
use portcullis_protect::clock::device_now;
use portcullis_protect::link::EnrollLink;
use portcullis_protect::state::{Details, State};
use portcullis_protect::{client, signing};
use rand_core::OsRng;

use crate::browser::Browser;

/// Enrolls a new device for the signed-in `browser` (asking `base` for
/// the link); the device goes where the link says.
pub fn enroll(browser: &Browser, base: &str, label: &str) -> anyhow::Result<State> {
    let e: ProtectEnrollment = browser.post(base, "/api/v1/protect/enroll")?;
    let link = EnrollLink::parse(&e.uri)?;
    let key = SigningKey::generate(&mut OsRng);
    let clock = device_now();
    let request = DeviceEnrollRequest {
        token: link.token,
        public_key: signing::public_key_text(&key),
        label: label.to_string(),
        device_type: "push_bench".to_string(),
        os: std::env::consts::OS.to_string(),
        app_version: "push_bench".to_string(),
        user_verification: UserVerification::None,
        clock,
    };
    let enrolled = client::enroll(&link.portal, &request)?;
    Ok(State::new(
        Details {
            portal: link.portal,
            device_id: enrolled.device_id,
            user_email: enrolled.user_email,
            label: label.to_string(),
            device_type: request.device_type,
            os: request.os,
            app_version: request.app_version,
            user_verification: "none".to_string(),
            clock_offset_secs: enrolled.clock_offset_secs,
            enrolled_at: clock.saturating_add(enrolled.clock_offset_secs),
        },
        &key,
    ))
}
