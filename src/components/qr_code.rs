use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG of a QR code for `data`: dark modules on a light background with
/// the standard quiet zone, whatever the page's colour scheme (scanners
/// need the contrast that way round).
pub fn qr_svg(data: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(232, 232)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

/// A QR code image with a text alternative.
#[component]
pub fn QrCode(
    /// What the code encodes.
    data: String,
    /// What a screen reader says instead of the picture.
    alt: &'static str,
) -> impl IntoView {
    match qr_svg(&data) {
        Some(svg) => {
            view! { <div class="qr" role="img" aria-label=alt inner_html=svg></div> }.into_any()
        }
        None => {
            view! { <p class="form-error">"The QR code could not be drawn; use the key below."</p> }
                .into_any()
        }
    }
}
