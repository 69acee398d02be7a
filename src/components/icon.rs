//! The app's one icon set: small line drawings on a 24-unit grid, drawn in
//! the text's colour, written out as inline SVG. An icon beside words that
//! say the same is hidden from assistive technology; an icon alone carries
//! its words as the image's name. No screen uses glyphs or emoji instead
//! (their look depends on the fonts a system has; tests/logic.rs checks).
//!
//! The markup is one string per icon set as the span's inner HTML: cheaper
//! in the download than building SVG nodes through the view macro.

use leptos::prelude::*;
use portcullis_api::FactorKind;

/// Every icon the screens use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    /// Done, allowed, in good order.
    Ok,
    /// Needs attention soon.
    Warning,
    /// Refused or locked out.
    Locked,
    /// Switched off or not in use.
    Off,
    /// Waiting for something or someone (a deadline, a phone).
    Waiting,
    /// An authenticator app's codes.
    App,
    /// A security key.
    Key,
    /// A passkey.
    Passkey,
    /// A phone for Protect push.
    Phone,
    /// Recovery codes.
    Codes,
    /// A menu or list that opens below.
    ChevronDown,
    /// Back to where the user came from.
    Back,
    /// A column sorted small to large.
    SortUp,
    /// A column sorted large to small.
    SortDown,
    /// A column that can be sorted.
    Sortable,
    /// Close or dismiss.
    Close,
}

impl IconKind {
    /// The drawing: paths on the 24-unit grid (circles as two arcs).
    fn paths(self) -> &'static str {
        match self {
            IconKind::Ok => "M3 12a9 9 0 1 0 18 0a9 9 0 1 0-18 0M8 12.5l2.8 2.8L16.5 9.5",
            IconKind::Warning => "M12 3.5L2.5 20h19zM12 10v4.5M12 17.5v.01",
            IconKind::Locked => "M5 11h14v10H5zM8 11V7.5a4 4 0 0 1 8 0V11M12 15v2",
            IconKind::Off => "M3 12a9 9 0 1 0 18 0a9 9 0 1 0-18 0M5.6 5.6l12.8 12.8",
            IconKind::Waiting => "M3 12a9 9 0 1 0 18 0a9 9 0 1 0-18 0M12 7v5l3.5 2",
            IconKind::App => "M7 2.5h10v19H7zM10.5 18.5h3M9.5 8h5v5h-5z",
            IconKind::Key => "M3 15a4.5 4.5 0 1 0 9 0a4.5 4.5 0 1 0-9 0M10.7 11.8L20 2.5M16 6.5l3 3M13.5 9l2 2",
            IconKind::Passkey => "M5 7a4 4 0 1 0 8 0a4 4 0 1 0-8 0M2.5 21a6.5 6.5 0 0 1 10.5-5.1M15.5 15a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0-5 0M18 17.5V22M18 20h2",
            IconKind::Phone => "M6 2.5h9v19H6zM9.5 18.5h2M18 8a4 4 0 0 1 0 6M20.5 5.5a7.5 7.5 0 0 1 0 11",
            IconKind::Codes => "M9 6h11M9 12h11M9 18h11M4 6v.01M4 12v.01M4 18v.01",
            IconKind::ChevronDown => "M6 9l6 6 6-6",
            IconKind::Back => "M19 12H5M11 18l-6-6 6-6",
            IconKind::SortUp => "M7 14l5-5 5 5",
            IconKind::SortDown => "M7 10l5 5 5-5",
            IconKind::Sortable => "M8 9l4-4 4 4M8 15l4 4 4-4",
            IconKind::Close => "M6 6l12 12M18 6L6 18",
        }
    }

    /// The icon of a kind of sign-in method.
    pub fn of_factor(kind: FactorKind) -> Self {
        match kind {
            FactorKind::Totp => IconKind::App,
            FactorKind::Webauthn => IconKind::Key,
            FactorKind::Push => IconKind::Phone,
            FactorKind::RecoveryCode => IconKind::Codes,
        }
    }

    /// The inline SVG: one em square, the text's colour.
    pub fn svg(self) -> String {
        format!(
            "<svg viewBox=\"0 0 24 24\" width=\"1em\" height=\"1em\" fill=\"none\" \
             stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" \
             stroke-linejoin=\"round\" focusable=\"false\" aria-hidden=\"true\">\
             <path d=\"{}\"/></svg>",
            self.paths()
        )
    }
}

/// An icon. With `label`, an image of that name (the icon says something
/// the words beside it do not); without, decoration beside words.
#[component]
pub fn Icon(
    /// Which icon.
    kind: IconKind,
    /// What the icon says, when no words beside it say it.
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <span
            class="icon"
            role=label.map(|_| "img")
            aria-label=label
            aria-hidden=label.is_none().then_some("true")
            inner_html=kind.svg()
        ></span>
    }
}
