//! The served page paints a static copy of the login screen (`#boot` in
//! `web/index.html`) before the wasm has arrived. The app takes it over:
//! the login form starts with what was typed into the copy, and once the
//! app's own screen is in the page the copy goes, in the same frame, with
//! the focus and caret moved to the same field — no jump, nothing lost.

use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlInputElement};

const BOOT_ID: &str = "boot";

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

fn boot_input(doc: &Document, name: &str) -> Option<HtmlInputElement> {
    doc.query_selector(&format!("#{BOOT_ID} input[name={name}]"))
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// What was typed into the static copy's field `name` ("" if nothing, or
/// if the copy is gone).
pub fn typed(name: &str) -> String {
    document()
        .and_then(|doc| boot_input(&doc, name))
        .map(|input| input.value())
        .unwrap_or_default()
}

/// Removes the static copy, giving its focus (and caret) to the app's
/// element with the same id. Does nothing once the copy is gone.
pub fn take_over() {
    let Some(doc) = document() else {
        return;
    };
    let Some(boot) = doc.get_element_by_id(BOOT_ID) else {
        return;
    };
    let focused = doc
        .active_element()
        .filter(|el| boot.contains(Some(el)))
        .map(|el| {
            let caret = el
                .dyn_ref::<HtmlInputElement>()
                .and_then(|i| Some((i.selection_start().ok()??, i.selection_end().ok()??)));
            (el.id(), caret)
        });
    boot.remove();
    if let Some((id, caret)) = focused {
        if let Some(el) = doc.get_element_by_id(&id) {
            if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                let _ = input.focus();
                if let Some((start, end)) = caret {
                    // After the app's own first writes to the field (which
                    // put the caret at the end), still before the next paint.
                    let input = input.clone();
                    leptos::task::spawn_local(async move {
                        let _ = input.set_selection_range(start, end);
                    });
                }
            } else if let Some(el) = el.dyn_ref::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    }
}
