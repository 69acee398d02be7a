//! The organisation's branding: the public read (the footer's help text)
//! and the billing administrators' changes. Only lazily loaded screens use
//! them: the first paint gets the branding from the served page itself.

use portcullis_api::branding::{Branding, BrandingChange, BrandingSettings, LogoUpload};

use super::client::{delete, get, send_json};
use super::ApiError;

/// The branding as anyone sees it.
pub async fn branding() -> Result<Branding, ApiError> {
    get("/branding").await
}

/// The branding, and whether this administrator may change it.
pub async fn settings() -> Result<BrandingSettings, ApiError> {
    get("/admin/branding").await
}

/// Sets the name, accent and help text.
pub async fn change(change: &BrandingChange) -> Result<BrandingSettings, ApiError> {
    send_json("PUT", "/admin/branding", change).await
}

/// Sets the logo (the file's bytes in base64).
pub async fn set_logo(upload: &LogoUpload) -> Result<BrandingSettings, ApiError> {
    send_json("PUT", "/admin/branding/logo", upload).await
}

/// Removes the logo.
pub async fn remove_logo() -> Result<BrandingSettings, ApiError> {
    delete("/admin/branding/logo").await
}
