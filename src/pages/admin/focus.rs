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
