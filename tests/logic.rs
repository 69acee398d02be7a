//! Native tests of the SPA's pure logic (no browser needed).

use portcullis_web::api::ApiError;
use portcullis_web::nav::{encode_component, login_url, safe_next};
use portcullis_web::text::{check_login, role_label};

#[test]
fn next_targets_stay_on_this_site() {
    assert_eq!(safe_next(Some("/security?tab=keys")), "/security?tab=keys");
    for bad in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        "/login",
        "/login?next=/",
    ] {
        assert_eq!(safe_next(Some(bad)), "/", "{bad}");
    }
    assert_eq!(safe_next(None), "/");
}

#[test]
fn login_url_remembers_where_to_return() {
    assert_eq!(login_url("/"), "/login");
    assert_eq!(login_url("/login"), "/login");
    assert_eq!(
        login_url("/?tab=profile"),
        "/login?next=%2F%3Ftab%3Dprofile"
    );
    assert_eq!(encode_component("a b&c/é"), "a%20b%26c%2F%C3%A9");
}

#[test]
fn login_form_checks() {
    let p = check_login("", "").unwrap_err();
    assert_eq!(p.email.as_deref(), Some("Enter your email address."));
    assert_eq!(p.password.as_deref(), Some("Enter your password."));
    let p = check_login("alice", "pw").unwrap_err();
    assert_eq!(
        p.email.as_deref(),
        Some("Enter an email address like name@example.com.")
    );
    assert_eq!(p.password, None);
    let ok = check_login("  alice@example.com ", "pw").unwrap();
    assert_eq!(ok.email, "alice@example.com");
    assert_eq!(ok.password, "pw");
}

#[test]
fn api_errors_read_as_sentences() {
    assert_eq!(
        ApiError::Unreachable.user_message(),
        "The server cannot be reached. Check your connection and try again."
    );
    let throttled = ApiError::from_status_and_body(
        429,
        r#"{"code":"too_many_attempts","message":"Too many failed attempts.","retry_after":42}"#,
        Some("42"),
    );
    assert_eq!(throttled.retry_after(), Some(42));
    assert_eq!(
        throttled.user_message(),
        "Too many attempts. Try again in 42 s."
    );
    // the header is used when the body lacks the number
    let throttled = ApiError::from_status_and_body(
        429,
        r#"{"code":"too_many_attempts","message":"x"}"#,
        Some("7"),
    );
    assert_eq!(
        throttled.user_message(),
        "Too many attempts. Try again in 7 s."
    );

    let wrong = ApiError::from_status_and_body(
        401,
        r#"{"code":"invalid_credentials","message":"The email or password is incorrect."}"#,
        None,
    );
    assert_eq!(wrong.user_message(), "The email or password is incorrect.");
    assert_eq!(wrong.status(), Some(401));
    assert!(!wrong.is_unauthenticated());

    let proxy_page = ApiError::from_status_and_body(502, "<html>Bad Gateway</html>", None);
    assert!(matches!(
        proxy_page,
        ApiError::BadResponse { status: 502, .. }
    ));
    assert!(
        proxy_page.user_message().contains("HTTP 502"),
        "{}",
        proxy_page.user_message()
    );
}

#[test]
fn role_labels() {
    assert_eq!(
        role_label(portcullis_api::Role::BillingAdmin),
        "Billing administrator"
    );
}
