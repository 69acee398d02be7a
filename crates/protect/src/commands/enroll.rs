//! `protect enroll`: a new key, the enrollment request, the state file.

use std::io::Write;
use std::path::Path;

use ed25519_dalek::SigningKey;
use portcullis_api::protect::DeviceEnrollRequest;
use rand_core::OsRng;

use super::{say, Done};
use crate::cli::Uv;
use crate::clock::{device_now, skew_warning};
use crate::link::EnrollLink;
use crate::state::{Details, State};
use crate::{client, signing, Error};

pub struct Options {
    pub label: Option<String>,
    pub device_type: Option<String>,
    pub os: Option<String>,
    pub uv: Uv,
}

pub fn enroll(path: &Path, link: &str, o: Options, out: &mut dyn Write) -> Result<Done, Error> {
    let link = EnrollLink::parse(link)?;
    // A new key for every enrollment: the portal replaces the old device,
    // and a key that was ever registered elsewhere is never reused.
    let key = SigningKey::generate(&mut OsRng);
    let label = o.label.unwrap_or_else(default_label);
    let device_type = o.device_type.unwrap_or_else(|| "protect CLI".to_string());
    let os =
        o.os.unwrap_or_else(|| format!("{} {}", std::env::consts::OS, std::env::consts::ARCH));
    let app_version = concat!("protect ", env!("CARGO_PKG_VERSION"));
    let clock = device_now();
    let request = DeviceEnrollRequest {
        token: link.token.clone(),
        public_key: signing::public_key_text(&key),
        label: label.clone(),
        device_type: device_type.clone(),
        os: os.clone(),
        app_version: app_version.to_string(),
        user_verification: o.uv.into(),
        clock,
    };
    let enrolled = client::enroll(&link.portal, &request)?;
    let state = State::new(
        Details {
            // The origin this device reached, which is the one that works
            // from here (the portal's own idea of its origin is only shown).
            portal: link.portal.clone(),
            device_id: enrolled.device_id,
            user_email: enrolled.user_email,
            label,
            device_type,
            os,
            app_version: app_version.to_string(),
            user_verification: o.uv.as_str().to_string(),
            clock_offset_secs: enrolled.clock_offset_secs,
            enrolled_at: clock.saturating_add(enrolled.clock_offset_secs),
        },
        &key,
    )
    .with_totp(enrolled.totp);
    state.save(path).map_err(|e| {
        Error::State(format!(
            "The portal enrolled this device, but its key could not be saved, so it cannot \
             answer pushes: {e} Fix that and enroll again with a new QR code."
        ))
    })?;
    say(
        out,
        &format!("Enrolled as {} at {}", state.user_email, link.portal),
    );
    if state.totp().is_some() {
        say(
            out,
            "This device is also your authenticator app: `protect code` shows the current code.",
        );
    } else if let Some(note) = &enrolled.totp_note {
        say(out, note);
    }
    if let Some(warning) = skew_warning(enrolled.clock_offset_secs) {
        say(out, &warning);
    }
    Ok(Done::Ok)
}

/// "protect on <host name>", so that the portal's device list tells
/// machines apart without a --label.
fn default_label() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("protect on {h}"),
        None => "protect".to_string(),
    }
}
