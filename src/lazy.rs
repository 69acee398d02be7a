//! Parts of a screen that wait for a click (a form that opens, a dialog
//! that asks for a fresh second factor) in a wasm chunk of their own, so
//! that the screen's first paint does not download them.

/// Declares `async fn $load(args) -> AnyView` returning `$view`. With the
/// `split` feature, `#[lazy]` moves it into its own part, fetched the first
/// time it is awaited; without it (tests, `cargo build`) it is ready at
/// once. Show it with `Suspend::new(async move { $load(…).await })` where
/// the part opens.
macro_rules! lazy_part {
    ($load:ident($($arg:ident: $ty:ty),* $(,)?) => $view:expr) => {
        #[cfg(feature = "split")]
        #[leptos::lazy]
        fn $load($($arg: $ty),*) -> leptos::prelude::AnyView {
            use leptos::prelude::IntoAny;
            $view.into_any()
        }

        #[cfg(not(feature = "split"))]
        async fn $load($($arg: $ty),*) -> leptos::prelude::AnyView {
            use leptos::prelude::IntoAny;
            $view.into_any()
        }
    };
}
