//! A row's actions behind one button ("Actions"), as the Security page's
//! sign-in methods and the admin pages' rows have them: a disclosure, not
//! an ARIA menu. Tab moves through the actions, Escape closes the list and
//! gives the focus back to the button, choosing an action closes it.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::{Icon, IconKind};

#[component]
pub fn ActionsMenu(
    /// The button's name for assistive technology, e.g. "Actions for Blue
    /// key" (the button itself says "Actions").
    label: String,
    /// The actions: buttons, each doing its own thing on click.
    children: Children,
    /// While true, the button cannot be pressed (another change of the
    /// same thing is being confirmed).
    #[prop(optional)]
    disabled: Option<Signal<bool>>,
    /// The list's id, for a page that names it (the button controls it).
    #[prop(optional)]
    list_id: Option<&'static str>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let close_to_button = move || {
        open.set(false);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            close_to_button();
        }
    };
    view! {
        <div class="actions-menu" on:keydown=on_key>
            <button
                type="button"
                class="button secondary"
                node_ref=button
                aria-label=label
                aria-expanded=move || open.get().to_string()
                aria-controls=list_id
                disabled=move || disabled.is_some_and(|d| d.get())
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Actions"
                <Icon kind=IconKind::ChevronDown/>
            </button>
            // a click on any action inside closes the list (after the
            // action's own handler ran)
            <div class="actions-list" id=list_id hidden=move || !open.get() on:click=move |_| open.set(false)>
                {children()}
            </div>
        </div>
    }
}
