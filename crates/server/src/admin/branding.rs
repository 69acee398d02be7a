//! Changing the organisation's branding (its name, accent colour, help
//! text and logo): billing administrators only, with a second factor from
//! the last minutes, each change one `admin_setting_changed` event in
//! words in the same transaction. The read model is `rules::branding`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use portcullis_api::branding::{
    check_accent, ratio_words, AccentProblem, BrandingChange, BrandingSettings, LogoUpload,
    HELP_TEXT_MAX_CHARS, LOGO_MAX_BASE64, LOGO_MAX_BYTES, MIN_CONTRAST_WITH_WHITE,
    ORG_NAME_MAX_CHARS,
};
use portcullis_api::Role;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, AuthError, Authed};
use crate::error::Internal;
use crate::rules::branding::{self, OrgBranding};
use crate::store;

/// Why a change of the branding was refused.
#[derive(Debug)]
pub enum BrandingError {
    /// The input is not acceptable; the text says why.
    Invalid(String),
    /// The branding is for billing administrators.
    NotBillingAdmin,
    /// The session must prove a second factor again first.
    Auth(AuthError),
    Internal(Internal),
}

impl From<Internal> for BrandingError {
    fn from(e: Internal) -> Self {
        BrandingError::Internal(e)
    }
}

impl From<sqlx::Error> for BrandingError {
    fn from(e: sqlx::Error) -> Self {
        BrandingError::Internal(e.into())
    }
}

/// Whether `role` may change the branding: billing administrators, who
/// speak for the organisation as it appears to everyone (as for the
/// kinds of factor allowed).
pub fn may_change(role: Role) -> bool {
    role == Role::BillingAdmin
}

/// The branding as the settings page shows it to `admin`.
pub async fn view(state: &AppState, admin: &Authed) -> Result<BrandingSettings, Internal> {
    let b = branding::get(&state.db).await?;
    Ok(BrandingSettings {
        branding: b.public(),
        logo_type: b.logo.map(|(t, _)| t),
        may_change: may_change(admin.user.role()),
    })
}

/// The name as stored: trimmed, one line, at most 60 characters (counted
/// as sent, which is what the API's document bounds).
pub fn check_name(name: &str) -> Result<String, String> {
    let n = name.chars().count();
    let name = name.trim();
    if n > ORG_NAME_MAX_CHARS {
        return Err(format!(
            "The organisation's name can be at most {ORG_NAME_MAX_CHARS} characters (this one has {n})."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("The organisation's name must be one line, without tabs.".to_string());
    }
    Ok(name.to_string())
}

/// The accent as stored: `""` (the portal's colour) or lower-case `#rrggbb`.
pub fn check_accent_words(accent: &str) -> Result<String, String> {
    // as sent: seven characters at most, as the document says (blank ones
    // included)
    let checked = if accent.chars().count() > 7 {
        Err(AccentProblem::NotHex)
    } else if accent.trim().is_empty() {
        return Ok(String::new());
    } else {
        check_accent(accent)
    };
    checked.map_err(|p| match p {
        AccentProblem::NotHex => {
            "The accent colour must be # and six hexadecimal digits, such as #1d4ed8.".to_string()
        }
        AccentProblem::LowContrast(r) => format!(
            "White text on {} has a contrast of only {}; buttons need at least {MIN_CONTRAST_WITH_WHITE}:1. Choose a darker colour.",
            accent.trim().to_lowercase(),
            ratio_words(r)
        ),
    })
}

/// The help text as stored: plain text (shown as text, never as HTML), at
/// most 500 characters, blank lines at its ends trimmed.
pub fn check_help(text: &str) -> Result<String, String> {
    let n = text.chars().count();
    let text = text.trim();
    if n > HELP_TEXT_MAX_CHARS {
        return Err(format!(
            "The help text can be at most {HELP_TEXT_MAX_CHARS} characters (this one has {n})."
        ));
    }
    Ok(text.to_string())
}

/// A logo's type, judged from its bytes (never from what the browser
/// says): `image/png` or `image/svg+xml`.
pub fn logo_type(bytes: &[u8]) -> Result<&'static str, String> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) {
        return Ok("image/png");
    }
    let svg = std::str::from_utf8(bytes)
        .ok()
        .map(|t| t.trim_start_matches('\u{feff}').trim_start())
        .filter(|t| t.starts_with('<') && t.contains("<svg"));
    match svg {
        Some(_) => Ok("image/svg+xml"),
        None => Err("The logo must be a PNG or SVG image.".to_string()),
    }
}

/// The logo's bytes checked: base64 of a PNG or SVG of at most 64 KB.
fn check_logo(upload: &LogoUpload) -> Result<(Vec<u8>, &'static str), String> {
    let too_big = |bytes: usize| {
        format!(
            "The logo is {} KB; it can be at most {} KB.",
            bytes.div_ceil(1024),
            LOGO_MAX_BYTES / 1024
        )
    };
    if upload.data.len() > LOGO_MAX_BASE64 {
        return Err(too_big(upload.data.len() / 4 * 3));
    }
    let bytes = STANDARD
        .decode(upload.data.trim().as_bytes())
        .map_err(|_| "The logo could not be read: send the file's bytes in base64.".to_string())?;
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(too_big(bytes.len()));
    }
    if bytes.is_empty() {
        return Err("The logo file is empty.".to_string());
    }
    let kind = logo_type(&bytes)?;
    Ok((bytes, kind))
}

fn quoted(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("“{s}”"),
        None => "none".to_string(),
    }
}

/// Each text that differs, in words for the event log.
fn differences(was: &OrgBranding, new: &OrgBranding) -> Vec<String> {
    let mut out = Vec::new();
    if was.org_name != new.org_name {
        out.push(format!(
            "organisation name: {} → {}",
            quoted(&was.org_name),
            quoted(&new.org_name)
        ));
    }
    if was.accent != new.accent {
        let words = |b: &OrgBranding| b.accent_hex().unwrap_or_else(|| "the portal's".to_string());
        out.push(format!("accent colour: {} → {}", words(was), words(new)));
    }
    if was.help_text != new.help_text {
        out.push(match &new.help_text {
            Some(t) => format!("help text: set ({} characters)", t.chars().count()),
            None => "help text: removed".to_string(),
        });
    }
    out
}

async fn record(
    tx: &mut store::Tx,
    state: &AppState,
    admin: &Authed,
    client: &Client,
    details: &[String],
) -> Result<(), Internal> {
    for detail in details {
        let event = Event {
            kind: EventKind::AdminSettingChanged,
            actor: Actor::Admin(&admin.user.id),
            subject: None,
            client: Some(client),
            detail,
            resource: None,
        };
        audit::record(&mut **tx, state.now(), event).await?;
    }
    Ok(())
}

fn may(state: &AppState, admin: &Authed) -> Result<(), BrandingError> {
    if !may_change(admin.user.role()) {
        return Err(BrandingError::NotBillingAdmin);
    }
    auth::require_fresh_mfa(state, admin).map_err(BrandingError::Auth)
}

/// Sets the name, accent and help text (each `""` for none): one event per
/// text that changed, none and no write when nothing did.
pub async fn change(
    state: &AppState,
    admin: &Authed,
    change: &BrandingChange,
    client: &Client,
) -> Result<BrandingSettings, BrandingError> {
    may(state, admin)?;
    let name = check_name(&change.org_name).map_err(BrandingError::Invalid)?;
    let accent = check_accent_words(&change.accent).map_err(BrandingError::Invalid)?;
    let help = check_help(&change.help_text).map_err(BrandingError::Invalid)?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    store::branding::lock(&mut tx).await?;
    let was = branding::get(&mut *tx).await?;
    let new = OrgBranding {
        org_name: (!name.is_empty()).then(|| name.clone()),
        accent: portcullis_api::branding::parse_hex(&accent),
        help_text: (!help.is_empty()).then(|| help.clone()),
        logo: was.logo.clone(),
    };
    let details = differences(&was, &new);
    if !details.is_empty() {
        store::branding::set_texts(&mut tx, &name, &accent, &help, now, &admin.user.id).await?;
        record(&mut tx, state, admin, client, &details).await?;
        tx.commit().await?;
    }
    Ok(view(state, admin).await?)
}

/// Sets the logo (`None`: removes it), recorded in words.
pub async fn set_logo(
    state: &AppState,
    admin: &Authed,
    upload: Option<&LogoUpload>,
    client: &Client,
) -> Result<BrandingSettings, BrandingError> {
    may(state, admin)?;
    let logo = match upload {
        Some(u) => {
            let (bytes, kind) = check_logo(u).map_err(BrandingError::Invalid)?;
            let hash = hex::encode(&Sha256::digest(&bytes)[..8]);
            Some(store::branding::Logo {
                logo_type: kind.to_string(),
                logo_base64: STANDARD.encode(&bytes),
                logo_hash: hash,
            })
        }
        None => None,
    };
    let now = state.now();
    let mut tx = state.db.begin().await?;
    store::branding::lock(&mut tx).await?;
    let was = branding::get(&mut *tx).await?;
    let detail = match &logo {
        Some(l) => {
            let kind = if l.logo_type == "image/png" {
                "PNG"
            } else {
                "SVG"
            };
            format!("logo: {kind} image set")
        }
        None if was.logo.is_none() => return Ok(view(state, admin).await?),
        None => "logo: removed".to_string(),
    };
    store::branding::set_logo(&mut tx, logo.as_ref(), now, &admin.user.id).await?;
    record(&mut tx, state, admin, client, &[detail]).await?;
    tx.commit().await?;
    Ok(view(state, admin).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Acme  ").as_deref(), Ok("Acme"));
        assert_eq!(check_name("").as_deref(), Ok(""));
        assert!(check_name(&"x".repeat(60)).is_ok());
        let words = check_name(&"x".repeat(61)).unwrap_err();
        assert!(
            words.contains("at most 60 characters (this one has 61)"),
            "{words}"
        );
        assert!(check_name("Acme\nInc").is_err());
    }

    #[test]
    fn accents_in_words() {
        assert_eq!(check_accent_words("").as_deref(), Ok(""));
        assert_eq!(check_accent_words("#0B5FFF").as_deref(), Ok("#0b5fff"));
        let low = check_accent_words("#FFCC00").unwrap_err();
        assert!(
            low.contains("White text on #ffcc00 has a contrast of only 1.5:1"),
            "{low}"
        );
        let bad = check_accent_words("blue").unwrap_err();
        assert!(bad.contains("six hexadecimal digits"), "{bad}");
    }

    #[test]
    fn logos_are_judged_by_their_bytes() {
        assert_eq!(logo_type(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(
            logo_type(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Ok("image/svg+xml")
        );
        assert!(logo_type(b"GIF89a").is_err());
        assert!(logo_type(b"<html><script>1</script></html>").is_err());
    }
}
