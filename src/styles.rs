//! The stylesheet of everything after the login form (`style/app.css`),
//! which /login does not download: every lazily loaded screen waits for it
//! before it shows (so nothing appears unstyled), and it is added to the
//! page once, then kept for every screen after.

use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const LINK_ID: &str = "app-css";
/// Set on the link once the stylesheet loaded (or failed: the screens then
/// show plainer rather than never).
const READY: &str = "data-ready";

/// The address of a stylesheet beside the wasm chunks, in the build's
/// hashed folder (scripts/split-wasm), which the page's module preload
/// names.
pub fn beside_chunks(file: &str) -> String {
    let main_js = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("link[rel=modulepreload]").ok().flatten())
        .and_then(|link| link.get_attribute("href"));
    match main_js.as_deref().and_then(|href| href.rsplit_once('/')) {
        Some((folder, _)) => format!("{folder}/{file}"),
        None => format!("/app/{file}"),
    }
}

/// Adds `app.css` to the page if it is not there yet (at once, so that
/// it loads while the caller fetches its chunk), and gives what waits
/// until it has loaded.
pub fn app_styles() -> SendWrapper<wasm_bindgen_futures::JsFuture> {
    let done = || {
        SendWrapper::new(wasm_bindgen_futures::JsFuture::from(
            js_sys::Promise::resolve(&JsValue::NULL),
        ))
    };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return done();
    };
    let link = match doc.get_element_by_id(LINK_ID) {
        Some(link) => link,
        None => {
            let Ok(link) = doc.create_element("link") else {
                return done();
            };
            link.set_id(LINK_ID);
            let _ = link.set_attribute("rel", "stylesheet");
            let _ = link.set_attribute("href", &beside_chunks("app.css"));
            // marked ready by the page's own event, before any waiter is
            // woken: a waiter that comes later sees the mark
            let mark = link.clone();
            let on_done = Closure::<dyn Fn()>::new(move || {
                let _ = mark.set_attribute(READY, "");
            });
            for event in ["load", "error"] {
                let _ =
                    link.add_event_listener_with_callback(event, on_done.as_ref().unchecked_ref());
            }
            on_done.forget();
            if let Some(head) = doc.head() {
                let _ = head.append_child(&link);
            }
            link
        }
    };
    if link.has_attribute(READY) {
        return done();
    }
    let waiting = js_sys::Promise::new(&mut |resolve, _| {
        for event in ["load", "error"] {
            let _ = link.add_event_listener_with_callback(event, &resolve);
        }
    });
    SendWrapper::new(wasm_bindgen_futures::JsFuture::from(waiting))
}
