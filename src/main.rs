fn main() {
    // Release builds abort on panic; the hook's formatting code is not worth
    // its size there.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(portcullis_web::app::App);
}
