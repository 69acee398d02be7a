//! Trusted browsers: "Don't ask again on this browser for N days". A
//! browser trusted at a login's second step carries a long-lived cookie of
//! its own; while it lasts, the password alone signs its user in there.

use serde::{Deserialize, Serialize};

use crate::REDACTED;

/// The most days an organisation may let a browser be trusted.
pub const TRUSTED_BROWSER_MAX_DAYS: u32 = 90;

/// `GET /api/v1/trusted-browsers`: one of the user's trusted browsers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustedBrowser {
    /// Names it in `/api/v1/trusted-browsers/{id}` (not the browser's token).
    pub id: String,
    /// The browser and its system in words, e.g. "Firefox on Linux".
    pub browser: String,
    /// The address it was trusted from.
    pub ip: String,
    /// Unix seconds.
    pub created_at: i64,
    /// When it last spared its user the second factor (Unix seconds);
    /// absent: not yet.
    pub last_used_at: Option<i64>,
    /// Unix seconds.
    pub expires_at: i64,
    /// It is the browser this request came from.
    pub current: bool,
}

/// `POST /api/v1/login/totp`: a code from the authenticator app, and
/// whether to trust this browser from now on.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginCodeRequest {
    /// As `CodeRequest.code`.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 6,
            max_length = 16,
            pattern = r"^[ \u00a0-]*(?:[0-9][ \u00a0-]*){6}$"
        )
    )]
    pub code: String,
    /// "Don't ask again on this browser": honoured when the organisation
    /// allows it (`MfaOverview.trust_days`); absent: `false`.
    #[serde(default)]
    pub trust_browser: bool,
}

impl std::fmt::Debug for LoginCodeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCodeRequest")
            .field("code", &REDACTED)
            .field("trust_browser", &self.trust_browser)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_is_off_unless_asked_and_the_code_never_printed() {
        let req: LoginCodeRequest = serde_json::from_str(r#"{"code":"123456"}"#).unwrap();
        assert!(!req.trust_browser);
        let req: LoginCodeRequest =
            serde_json::from_str(r#"{"code":"123456","trust_browser":true}"#).unwrap();
        assert!(req.trust_browser);
        assert!(!format!("{req:?}").contains("123456"));
    }
}
