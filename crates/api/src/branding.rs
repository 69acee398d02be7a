//! The organisation's branding: its name, accent colour, help text and
//! logo, set by a billing administrator and shown on every page. The
//! checks are here so that the SPA (its live contrast message) and the
//! server agree on them; each side words its own messages.

use serde::{Deserialize, Serialize};

/// The longest organisation name, in characters (after trimming).
pub const ORG_NAME_MAX_CHARS: usize = 60;
/// The longest help text, in characters.
pub const HELP_TEXT_MAX_CHARS: usize = 500;
/// The largest logo, in bytes.
pub const LOGO_MAX_BYTES: usize = 64 * 1024;
/// The longest base64 text of a logo of [`LOGO_MAX_BYTES`].
pub const LOGO_MAX_BASE64: usize = LOGO_MAX_BYTES.div_ceil(3) * 4;
/// The contrast the accent must have with white: buttons draw white text
/// on it, and 4.5:1 is what normal-size text needs (WCAG 2, AA).
pub const MIN_CONTRAST_WITH_WHITE: f64 = 4.5;

/// The branding as anyone sees it (`GET /api/v1/branding`, no session):
/// what is not set is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branding {
    /// The organisation's name, shown in the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    /// `#rrggbb`: the primary buttons' colour (white text on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    /// Plain text (never HTML): help or contact words for the footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_text: Option<String>,
    /// Where the logo is served (its address changes with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

/// `GET /api/v1/admin/branding`: the branding and whether this
/// administrator may change it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrandingSettings {
    pub branding: Branding,
    /// `image/png` or `image/svg+xml` when a logo is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_type: Option<String>,
    /// Only billing administrators change the branding.
    pub may_change: bool,
}

/// `PUT /api/v1/admin/branding`: the three texts, each `""` for none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BrandingChange {
    /// 1–60 characters once trimmed, or `""` for none.
    #[cfg_attr(feature = "openapi", schema(max_length = 60))]
    pub org_name: String,
    /// `#rrggbb` whose contrast with white is at least 4.5:1, or `""` for
    /// the portal's own colour.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 7, pattern = r"^(\s*|#[0-9A-Fa-f]{6})$")
    )]
    pub accent: String,
    /// Plain text, at most 500 characters, or `""` for none.
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub help_text: String,
}

/// `PUT /api/v1/admin/branding/logo`: a PNG or SVG file, base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogoUpload {
    /// The file's bytes in standard base64; at most 64 KB of file.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 4,
            max_length = 87384,
            pattern = r"^[A-Za-z0-9+/]+={0,2}$"
        )
    )]
    pub data: String,
}

/// An `#rrggbb` colour's red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Why a typed accent is refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AccentProblem {
    /// Not `#` and six hexadecimal digits.
    NotHex,
    /// White text on it would be hard to read: its contrast ratio.
    LowContrast(f64),
}

/// Reads `#rrggbb` (either case).
pub fn parse_hex(s: &str) -> Option<Rgb> {
    let digits = s.strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let part = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some(Rgb(part(0)?, part(2)?, part(4)?))
}

/// WCAG 2's relative luminance of an sRGB colour (0 black, 1 white).
pub fn relative_luminance(c: Rgb) -> f64 {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.040_45 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
}

/// The contrast ratio of white text on `c` (1 to 21).
pub fn contrast_with_white(c: Rgb) -> f64 {
    1.05 / (relative_luminance(c) + 0.05)
}

/// A typed accent checked: lower-case `#rrggbb` that white text can be read on.
pub fn check_accent(s: &str) -> Result<String, AccentProblem> {
    let c = parse_hex(s.trim()).ok_or(AccentProblem::NotHex)?;
    let ratio = contrast_with_white(c);
    if ratio < MIN_CONTRAST_WITH_WHITE {
        return Err(AccentProblem::LowContrast(ratio));
    }
    Ok(format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2))
}

/// The accent made darker by `percent`, for the hover state (darker only
/// raises the contrast with white).
pub fn darker(c: Rgb, percent: u8) -> String {
    let keep = u32::from(100 - percent.min(100));
    let f = |v: u8| u8::try_from(u32::from(v) * keep / 100).unwrap_or(v);
    format!("#{:02x}{:02x}{:02x}", f(c.0), f(c.1), f(c.2))
}

/// A ratio as people read it: "3.2:1" (rounded down, so a colour just
/// under the line never reads as "4.5:1").
pub fn ratio_words(ratio: f64) -> String {
    let tenths = (ratio * 10.0).floor() / 10.0;
    format!("{tenths:.1}:1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast_with_white(Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        assert!((contrast_with_white(Rgb(255, 255, 255)) - 1.0).abs() < 1e-9);
        // the portal's own blue: 6.7:1
        let blue = contrast_with_white(Rgb(0x1d, 0x4e, 0xd8));
        assert!((6.6..6.8).contains(&blue), "{blue}");
        // #767676 is the lightest grey that passes on white (4.54:1)
        assert!(check_accent("#767676").is_ok());
        assert!(matches!(
            check_accent("#777777"),
            Err(AccentProblem::LowContrast(r)) if r < 4.5 && r > 4.4
        ));
    }

    #[test]
    fn only_six_hex_digits() {
        assert_eq!(check_accent(" #1D4ED8 "), Ok("#1d4ed8".to_string()));
        for bad in [
            "",
            "1d4ed8",
            "#1d4ed",
            "#1d4ed8f",
            "#ggg000",
            "red",
            "#1d4ed8;}",
            "#+1+2+3",
        ] {
            assert_eq!(check_accent(bad), Err(AccentProblem::NotHex), "{bad}");
        }
    }

    #[test]
    fn darker_and_words() {
        assert_eq!(darker(Rgb(200, 100, 0), 15), "#aa5500");
        assert_eq!(ratio_words(4.49), "4.4:1");
        assert_eq!(ratio_words(1.0), "1.0:1");
        assert_eq!(LOGO_MAX_BASE64, 87384);
    }
}
