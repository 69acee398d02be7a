//! The screens, by audience: `login/` (anyone), `portal/` (signed in),
//! `admin/` (administrators). One file per screen or step.
//!
//! Only the password screen is in the first download. Every other screen is
//! loaded from its own wasm chunk when first shown, if the `split` feature
//! is on (see [`lazy_screen!`]); without it (tests, `cargo build`) all are
//! eager.

/// Declares `$screen`, a component that shows the screen component `$page`
/// out of its own wasm chunk: with the `split` feature, `#[lazy]` moves the
/// screen's code into a part of its own, which wasm-split cuts out of the
/// build, and the view waits for it and for `style/app.css` (`Suspend`). A lazy function rather than
/// a `Lazy` route: the router preloads the chunk of every route a path
/// matches, even one whose guard then refuses the visitor, while this
/// loads only once the screen is really shown.
macro_rules! lazy_screen {
    // … with `$after` below the screen, in the same chunk (the help footer
    // of the signed-in screens and the MFA prompt).
    ($screen:ident, $load:ident, $page:path, after = $after:path) => {
        #[cfg(feature = "split")]
        #[leptos::lazy]
        fn $load() -> leptos::prelude::AnyView {
            use leptos::prelude::IntoAny;
            let styles = $crate::styles::app_styles();
            leptos::prelude::Suspend::new(async move {
                let _ = styles.await;
                ($page(), $after()).into_any()
            })
            .into_any()
        }

        #[leptos::component]
        pub fn $screen() -> impl leptos::prelude::IntoView {
            #[cfg(feature = "split")]
            {
                leptos::prelude::Suspend::new(async move { $load().await })
            }
            #[cfg(not(feature = "split"))]
            {
                ($page(), $after())
            }
        }
    };
    // Several screens in one part, each with `$after` below it: a visit
    // meets them together (home, then Security), and one part costs less
    // than two that share code (what two parts share is cut into many
    // small files of its own).
    ($part:ident, $load:ident, after = $after:path, { $($screen:ident => $page:path),+ $(,)? }) => {
        /// Which screen of the part to show.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $part {
            $($screen),+
        }

        #[cfg(feature = "split")]
        #[leptos::lazy]
        fn $load(screen: $part) -> leptos::prelude::AnyView {
            use leptos::prelude::IntoAny;
            let styles = $crate::styles::app_styles();
            leptos::prelude::Suspend::new(async move {
                let _ = styles.await;
                match screen {
                    $($part::$screen => ($page(), $after()).into_any(),)+
                }
            })
            .into_any()
        }

        $(
            #[leptos::component]
            pub fn $screen() -> impl leptos::prelude::IntoView {
                #[cfg(feature = "split")]
                {
                    leptos::prelude::Suspend::new(async move { $load($part::$screen).await })
                }
                #[cfg(not(feature = "split"))]
                {
                    ($page(), $after())
                }
            }
        )+
    };
    ($screen:ident, $load:ident, $page:path) => {
        // In the chunk: the screen waits for the later screens' stylesheet
        // too (its code lives in the chunks, not in the first download).
        #[cfg(feature = "split")]
        #[leptos::lazy]
        fn $load() -> leptos::prelude::AnyView {
            use leptos::prelude::IntoAny;
            let styles = $crate::styles::app_styles();
            leptos::prelude::Suspend::new(async move {
                let _ = styles.await;
                $page().into_any()
            })
            .into_any()
        }

        #[leptos::component]
        pub fn $screen() -> impl leptos::prelude::IntoView {
            #[cfg(feature = "split")]
            {
                leptos::prelude::Suspend::new(async move { $load().await })
            }
            #[cfg(not(feature = "split"))]
            {
                $page()
            }
        }
    };
}

pub mod admin;
mod error;
pub mod login;
mod not_found;
pub mod portal;

pub use error::ErrorPage;
pub use not_found::NotFound;
