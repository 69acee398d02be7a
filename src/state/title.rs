//! The screen's title: `<title>` follows the route, and a polite live
//! region says the new title, since a single-page app's navigation is
//! silent to screen readers otherwise.

use leptos::prelude::*;

use crate::paths::document_title;

/// The title the live region announces.
#[derive(Clone, Copy)]
pub struct TitleAnnouncer(RwSignal<String>);

/// Creates the announcer context.
pub fn provide_title() -> TitleAnnouncer {
    let announcer = TitleAnnouncer(RwSignal::new(String::new()));
    provide_context(announcer);
    announcer
}

impl TitleAnnouncer {
    pub fn text(&self) -> String {
        self.0.get()
    }
}

/// Sets the document's title while this screen is shown, and announces it.
#[component]
pub fn PageTitle(
    /// The screen's own title, without the product name.
    text: &'static str,
) -> impl IntoView {
    let announcer = expect_context::<TitleAnnouncer>();
    // An effect, not a write while rendering: it runs once the screen is in
    // the page.
    Effect::new(move |_| {
        let full = document_title(text);
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&full);
        }
        announcer.0.set(full);
    });
}
