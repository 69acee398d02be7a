use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

fn main() {
    // Release builds abort on panic; the hook's formatting code is not worth
    // its size there.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let mount = || leptos::mount::mount_to_body(portcullis_web::app::App);
    // Start once the browser has painted the served page (its static login
    // card) at least once: a timer set in an animation frame runs after that
    // frame's paint. Otherwise, when the wasm is quick, the app's identical
    // card replaces the static one before any paint, and the largest paint
    // waits for the wasm (what Lighthouse then measures as LCP).
    let Some(window) = web_sys::window() else {
        return mount();
    };
    let mount = Closure::once_into_js(mount);
    let after_paint = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(mount.unchecked_ref());
        }
    });
    // (Only fails without a window, handled above.)
    let _ = window.request_animation_frame(after_paint.unchecked_ref());
}
