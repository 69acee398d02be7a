//! Browser tests: real DOM and real fetch in headless Chromium
//! (`wasm-bindgen-test-runner`; see scripts/test).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_router::components::Router;
use portcullis_web::api::{self, ApiError};
use portcullis_web::routes::login::LoginPage;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(50).await;
}

#[wasm_bindgen_test]
async fn login_form_labels_its_fields_and_reports_empty_ones() {
    let host = host();
    let _mounted =
        leptos::mount::mount_to(host.clone(), || view! { <Router><LoginPage/></Router> });
    tick().await;

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
    tick().await;
    let text = host.text_content().unwrap();
    assert!(text.contains("Enter your email address."), "{text}");
    assert!(text.contains("Enter your password."), "{text}");
    let email = host.query_selector("#login-email").unwrap().unwrap();
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
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
