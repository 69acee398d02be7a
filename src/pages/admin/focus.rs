//! Moving the keyboard focus on the admin screens, to where a person
//! carries on after a form or a confirmation closes.

use leptos::prelude::*;

/// Moves the focus to the element with this id once the view has caught up.
pub(super) fn focus_on(id: String) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

/// Runs `update`, which redraws part of the page (a list refreshed after a
/// change), and gives the focus back to the element with the same id when
/// the redraw took it away: a keyboard user who moved on to a row's button
/// while the list was reloading stays there instead of landing at the top of
/// the page.
pub(super) fn keeping_focus(update: impl FnOnce()) {
    let document = web_sys::window().and_then(|w| w.document());
    let id = document
        .as_ref()
        .and_then(|d| d.active_element())
        .map(|e| e.id())
        .filter(|id| !id.is_empty());
    update();
    if let Some(id) = id {
        request_animation_frame(move || {
            let Some(d) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            let body = d.body().map(web_sys::Element::from);
            let lost = match d.active_element() {
                None => true,
                Some(active) => Some(&active) == body.as_ref(),
            };
            if lost {
                focus_on(id);
            }
        });
    }
}
