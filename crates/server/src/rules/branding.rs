//! The organisation's branding as pages read it: its name, accent, help
//! text and whether (and which version of) a logo is set. Changing it is an
//! administration operation (`admin::branding`).
//!
//! It is read from the database each time a page or the public route asks
//! (one small row; the logo's bytes only by the logo's own route), never
//! kept in the process, so a change made through one instance shows on all
//! of them at the next page load.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use portcullis_api::branding::{parse_hex, Branding, Rgb};

use crate::error::Internal;
use crate::store::{self, Exec};

/// Where the logo is served; `?v=` names its version, so a new logo is a
/// new address.
pub const LOGO_PATH: &str = "/branding/logo";

/// The branding's values (`None`: not set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgBranding {
    pub org_name: Option<String>,
    /// Checked when it was set: `#rrggbb` with enough contrast.
    pub accent: Option<Rgb>,
    pub help_text: Option<String>,
    /// The logo's type and the hash naming its version.
    pub logo: Option<(String, String)>,
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

impl OrgBranding {
    /// The address of the logo, when there is one.
    pub fn logo_url(&self) -> Option<String> {
        self.logo
            .as_ref()
            .map(|(_, hash)| format!("{LOGO_PATH}?v={hash}"))
    }

    /// `#rrggbb` of the accent.
    pub fn accent_hex(&self) -> Option<String> {
        self.accent
            .map(|c| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2))
    }

    /// What anyone may read (`GET /api/v1/branding`).
    pub fn public(&self) -> Branding {
        Branding {
            org_name: self.org_name.clone(),
            accent: self.accent_hex(),
            help_text: self.help_text.clone(),
            logo_url: self.logo_url(),
        }
    }

    /// Whether anything is set (a page without branding is served as built).
    pub fn is_empty(&self) -> bool {
        *self == OrgBranding::default()
    }
}

/// The branding as it is now.
pub async fn get<'c>(db: impl Exec<'c>) -> Result<OrgBranding, Internal> {
    let row = store::branding::get(db).await?;
    let accent = match row.accent.as_str() {
        "" => None,
        // The server wrote only checked colours; another is a fault.
        text => {
            Some(parse_hex(text).ok_or_else(|| Internal::new(format!("stored accent {text:?}")))?)
        }
    };
    Ok(OrgBranding {
        org_name: non_empty(row.org_name),
        accent,
        help_text: non_empty(row.help_text),
        logo: row.logo_type.zip(row.logo_hash),
    })
}

/// The logo's type and bytes, when one is set.
pub async fn logo<'c>(db: impl Exec<'c>) -> Result<Option<(String, Vec<u8>, String)>, Internal> {
    let Some(l) = store::branding::logo(db).await? else {
        return Ok(None);
    };
    let bytes = STANDARD
        .decode(l.logo_base64.as_bytes())
        .map_err(|e| Internal::new(format!("stored logo: {e}")))?;
    Ok(Some((l.logo_type, bytes, l.logo_hash)))
}
