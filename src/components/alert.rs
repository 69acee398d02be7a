//! An alert: a message in one of four tones, with its icon and, when the
//! reader may put it away, a Close button. Screens hold the message in a
//! signal and clear it when the next action starts, so that an old message
//! never sits beside a new result.

use leptos::prelude::*;

use super::{Icon, IconKind};

/// What kind of message it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Info => "alert info",
            Tone::Success => "alert success",
            Tone::Warning => "alert warning",
            Tone::Error => "alert error",
        }
    }

    fn icon(self) -> IconKind {
        match self {
            Tone::Info => IconKind::Waiting,
            Tone::Success => IconKind::Ok,
            Tone::Warning => IconKind::Warning,
            Tone::Error => IconKind::Locked,
        }
    }
}

/// The message in `message`, while there is one. Errors interrupt (an
/// alert role); the other tones are said politely.
#[component]
pub fn Alert(
    /// The tone.
    tone: Tone,
    /// The message; `None` shows nothing. Closing the alert sets it to
    /// `None`.
    message: RwSignal<Option<String>>,
    /// Offer a Close button.
    #[prop(optional)]
    dismissible: bool,
) -> impl IntoView {
    let role = if tone == Tone::Error {
        "alert"
    } else {
        "status"
    };
    view! {
        <div role=role aria-live=if tone == Tone::Error { "assertive" } else { "polite" }>
            {move || message.get().map(|words| view! {
                <div class=tone.class()>
                    <Icon kind=tone.icon()/>
                    <p>{words}</p>
                    {dismissible.then(|| view! {
                        <button type="button" class="icon-button" aria-label="Close"
                            on:click=move |_| message.set(None)>
                            <Icon kind=IconKind::Close/>
                        </button>
                    })}
                </div>
            })}
        </div>
    }
}
