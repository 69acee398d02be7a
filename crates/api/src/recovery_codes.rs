//! Bodies of the recovery-code routes: ten single-use codes that stand in
//! for a second factor when the phone or key is lost. The server keeps only
//! keyed hashes, so a new set is the only time the codes are seen.

use serde::{Deserialize, Serialize};

use crate::REDACTED;

/// `GET /api/v1/recovery-codes`: what is left of the user's set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodesStatus {
    /// Codes not used yet (0 when none were ever generated).
    pub left: u32,
    /// How many the set had when it was generated.
    pub total: u32,
    /// When the set was generated (Unix seconds); absent: never.
    pub generated_at: Option<i64>,
    /// When a code of this set was last used (Unix seconds); absent: never.
    pub last_used_at: Option<i64>,
}

/// `POST /api/v1/recovery-codes`: a new set, replacing every older code.
/// Shown this once: the server cannot show them again.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRecoveryCodes {
    /// Each as `XXXX-XXXX-XXXX` (12 characters of Crockford's base32).
    pub codes: Vec<String>,
    /// Unix seconds.
    pub generated_at: i64,
}

// Hand-written: the codes must not reach a log line through `{:?}`.
impl std::fmt::Debug for NewRecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewRecoveryCodes")
            .field("codes", &REDACTED)
            .field("generated_at", &self.generated_at)
            .finish()
    }
}

/// `POST /api/v1/login/recovery-code`: one of the user's recovery codes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodeRequest {
    /// 12 letters and digits, in any case, without U; blanks, no-break
    /// spaces and dashes may stand around and between them
    /// ("abcd-efgh-jkmn"); at most 32 characters in all.
    // What `input::parse_recovery_code` accepts (I, L and O are read as
    // 1, 1 and 0); 32 is `input::RECOVERY_CODE_MAX_CHARS` (the server's
    // tests compare the two).
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 12,
            max_length = 32,
            pattern = r"^[ \u00a0-]*(?:[0-9A-TV-Za-tv-z][ \u00a0-]*){12}$"
        )
    )]
    pub code: String,
    /// "Don't ask again on this browser": honoured when the organisation
    /// allows it (`MfaOverview.trust_days`); absent: `false`.
    #[serde(default)]
    pub trust_browser: bool,
}

impl std::fmt::Debug for RecoveryCodeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryCodeRequest")
            .field("code", &REDACTED)
            .field("trust_browser", &self.trust_browser)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_redacted_in_debug_output() {
        let new = NewRecoveryCodes {
            codes: vec!["ABCD-EFGH-JKMN".into()],
            generated_at: 7,
        };
        let req = RecoveryCodeRequest {
            code: "ABCD-EFGH-JKMN".into(),
            trust_browser: false,
        };
        let text = format!("{new:?} {req:?}");
        assert!(!text.contains("ABCD"), "{text}");
    }
}
