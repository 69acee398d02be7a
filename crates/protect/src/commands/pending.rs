//! `protect pending`, and how one request is shown (also by `watch`).

use std::io::Write;

use super::{say, Done};
use crate::client::Device;
use crate::clock::{portal_now, utc};
use crate::state::State;
use crate::Error;
use portcullis_api::protect::PendingPush;

pub fn pending(state: &State, out: &mut dyn Write) -> Result<Done, Error> {
    let device = Device::new(state)?;
    let list = device.pending(0)?;
    if list.is_empty() {
        say(out, "No push requests are waiting.");
    }
    for p in &list {
        say(out, &describe(p, device.clock_offset_secs()));
    }
    Ok(Done::Ok)
}

/// "Sign in to <resource>", IP, browser, time and time left, on two lines; a third when
/// the organisation wants the user verified before an approval.
pub fn describe(p: &PendingPush, clock_offset_secs: i64) -> String {
    let left = p.expires_at.saturating_sub(portal_now(clock_offset_secs));
    let expiry = if left > 0 {
        format!("expires in {left} s")
    } else {
        "expired".to_string()
    };
    let mut text = format!(
        "Sign in to {} from {}, {}\n  at {}, {expiry} (id {})",
        p.resource,
        p.ip,
        p.browser,
        utc(p.created_at),
        p.id
    );
    if p.user_verification_required {
        text.push_str(
            "\n  Your organisation requires your fingerprint, face or PIN for this: approve \
             with --uv once you have given it.",
        );
    }
    text
}

/// The request a command acts on: the one given, or the only one pending.
pub fn choose(device: &Device<'_>, id: Option<&str>) -> Result<String, Error> {
    if let Some(id) = id {
        return Ok(id.to_string());
    }
    let list = device.pending(0)?;
    match &list[..] {
        [] => Err(Error::Refused {
            status: 0,
            message: "No push request is waiting. Start the sign-in in the browser first, \
                      then answer it here."
                .to_string(),
        }),
        [only] => Ok(only.id.clone()),
        several => {
            let ids: Vec<&str> = several.iter().map(|p| p.id.as_str()).collect();
            Err(Error::Usage(format!(
                "{} push requests are waiting; say which with --id (see `protect pending`): {}",
                several.len(),
                ids.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(resource: &str) -> PendingPush {
        PendingPush {
            id: "p1".into(),
            resource: resource.into(),
            ip: "192.0.2.7".into(),
            browser: "Firefox on Linux".into(),
            created_at: 1_795_305_600,
            expires_at: i64::MAX,
            user_verification_required: false,
        }
    }

    #[test]
    fn a_push_names_what_it_signs_in_to() {
        for resource in ["User Portal", "Wiki", "db-1"] {
            let text = describe(&push(resource), 0);
            assert!(
                text.starts_with(&format!(
                    "Sign in to {resource} from 192.0.2.7, Firefox on Linux\n"
                )),
                "{text}"
            );
            assert!(text.contains("(id p1)"), "{text}");
        }
    }
}
