//! The calm locked-out screen: an account that may not sign in (its
//! enrollment period is over, it is suspended, or a factor is suspended
//! after too many failures) gets a card of its own that says what happened
//! and who can help, instead of a red error beside a form it cannot use.

use leptos::prelude::*;

use crate::components::{Icon, IconKind};
use crate::paths::Page;
use crate::state::PageTitle;

/// The title of the locked-out screen.
pub const LOCKED_TITLE: &str = "You can’t sign in right now";

/// Who to contact, when the server's own words do not say already (they
/// name the administrator or the helpdesk where they know).
pub fn contact_words(message: &str) -> Option<&'static str> {
    let lower = message.to_ascii_lowercase();
    let says_who = ["administrator", "helpdesk", "contact"]
        .iter()
        .any(|w| lower.contains(w));
    (!says_who).then_some("Contact your administrator to get back in.")
}

/// The card; `message` is the server's explanation.
#[component]
pub fn LockedCard(message: String) -> impl IntoView {
    let contact = contact_words(&message);
    // Focus on the heading, so that a screen reader reads the card at once.
    let heading = NodeRef::<leptos::html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! {
        <PageTitle text=LOCKED_TITLE/>
        <section class="card narrow locked-out" aria-labelledby="locked-title">
            <p class="locked-icon"><Icon kind=IconKind::Locked/></p>
            <h1 id="locked-title" tabindex="-1" node_ref=heading>{LOCKED_TITLE}</h1>
            <p>{message}</p>
            {contact.map(|c| view! { <p>{c}</p> })}
            <p>
                <a class="button secondary inline" href=Page::Login.path()>"Back to log in"</a>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_words_name_who_to_contact_else_the_card_does() {
        assert_eq!(
            contact_words(
                "This account is suspended, so it cannot sign in. Contact your administrator \
                 if you think this is a mistake."
            ),
            None
        );
        assert_eq!(
            contact_words("Open the setup link you were sent, or ask another administrator."),
            None
        );
        assert_eq!(
            contact_words("This account cannot sign in."),
            Some("Contact your administrator to get back in.")
        );
    }
}
