//! Browser tests: real DOM and real fetch in headless Chromium
//! (`wasm-bindgen-test-runner`; see scripts/test). They link the whole app
//! with eager routes (the `split` feature is off), since lazy routes only
//! run after wasm-split has cut the build.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use portcullis_web::api::{self, ApiError};
use portcullis_web::pages::login::LoginPage;
use portcullis_web::state::{provide_session, provide_title};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn host() -> web_sys::HtmlElement {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

/// The login screen with the contexts the app provides.
fn login_screen() -> impl IntoView {
    provide_session();
    provide_title();
    view! { <Router><LoginPage/></Router> }
}

/// Lets the spawned tasks and effects run (no fixed timers).
async fn settle() {
    for _ in 0..4 {
        tick().await;
    }
}

#[wasm_bindgen_test]
async fn login_form_labels_its_fields_and_reports_empty_ones() {
    let host = host();
    let _mounted = leptos::mount::mount_to(host.clone(), login_screen);
    settle().await;

    for (id, label) in [("login-email", "Email"), ("login-password", "Password")] {
        let l = host
            .query_selector(&format!("label[for={id}]"))
            .unwrap()
            .expect("label");
        assert_eq!(l.text_content().unwrap(), label);
        assert!(host
            .query_selector(&format!("input#{id}"))
            .unwrap()
            .is_some());
    }

    let button: web_sys::HtmlElement = host
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    settle().await;
    let text = host.text_content().unwrap();
    assert!(text.contains("Enter your email address."), "{text}");
    assert!(text.contains("Enter your password."), "{text}");
    let email = host.query_selector("#login-email").unwrap().unwrap();
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(document().title(), "Log in · Portcullis");
}

#[wasm_bindgen_test]
async fn the_app_takes_over_the_static_login_card_keeping_what_was_typed() {
    // The served page's static copy, as a user left it: an email typed,
    // then part of the password, the caret in the middle of it. (Email
    // fields have no caret position to keep; password fields do.)
    let boot = document().create_element("div").unwrap();
    boot.set_id("boot");
    boot.set_inner_html(
        r#"<input id="login-email" name="email" type="email"><input id="login-password" name="password" type="password">"#,
    );
    document().body().unwrap().append_child(&boot).unwrap();
    let field = |name: &str| -> web_sys::HtmlInputElement {
        boot.query_selector(&format!("input[name={name}]"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    field("email").set_value("grace@example.com");
    let password = field("password");
    password.set_value("correct horse");
    password.focus().unwrap();
    password.set_selection_range(7, 7).unwrap();

    let host = host();
    let _mounted = leptos::mount::mount_to(host.clone(), login_screen);
    settle().await;

    assert!(
        document().get_element_by_id("boot").is_none(),
        "copy removed"
    );
    let app_field = |id: &str| -> web_sys::HtmlInputElement {
        host.query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    assert_eq!(app_field("login-email").value(), "grace@example.com");
    let password = app_field("login-password");
    assert_eq!(password.value(), "correct horse");
    let active = document().active_element().unwrap();
    assert!(
        active.is_same_node(Some(&password)),
        "focus moved to the app's field"
    );
    assert_eq!(password.selection_start().unwrap(), Some(7));
}

#[wasm_bindgen_test]
async fn a_non_api_answer_becomes_a_typed_error() {
    // The test runner's own web server has no API: its plain-text 404 must
    // come back as a readable error, not a panic or a decoding crash.
    let err = api::me().await.unwrap_err();
    assert!(
        matches!(err, ApiError::BadResponse { status: 404, .. }),
        "{err:?}"
    );
    assert!(
        err.user_message().contains("HTTP 404"),
        "{}",
        err.user_message()
    );
}

#[wasm_bindgen_test]
async fn the_whole_app_sends_a_signed_out_visitor_to_log_in() {
    // No session hint in this browser: no request, straight to the login
    // screen, remembering where the visitor was going.
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/security"))
        .unwrap();
    let host = host();
    let _mounted = leptos::mount::mount_to(host.clone(), portcullis_web::app::App);
    settle().await;
    let location = web_sys::window().unwrap().location();
    assert_eq!(location.pathname().unwrap(), "/login");
    assert_eq!(location.search().unwrap(), "?next=%2Fsecurity");
    assert!(host.query_selector("#login-email").unwrap().is_some());
    assert!(host
        .text_content()
        .unwrap()
        .contains("Log in to Portcullis"));
}

#[wasm_bindgen_test]
fn error_bodies_are_read_through_the_browsers_json() {
    use portcullis_api::ErrorCode;
    let throttled = ApiError::from_status_and_body(
        429,
        r#"{"code":"too_many_attempts","message":"x","retry_after":42}"#,
        None,
    );
    assert_eq!(throttled.retry_after(), Some(42));
    // a newer server's code: its message is what the portal shows
    let new =
        ApiError::from_status_and_body(400, r#"{"code":"a_new_code","message":"Hello"}"#, None);
    assert_eq!(new.code(), Some(ErrorCode::Unknown));
    assert_eq!(new.user_message(), "Hello");
    let garbled = ApiError::from_status_and_body(502, "<html>", None);
    assert!(matches!(garbled, ApiError::BadResponse { status: 502, .. }));
}
