//! A login's push answered by `protect`: approve, wrong number, deny,
//! and "This wasn't me" (report).

use portcullis_api::protect::PushStatus;
use portcullis_api::{FactorKind, LoginResponse};

use crate::enroll::enrolled_phone;
use crate::portal::Browser;
use crate::server::Server;

/// A new browser at the push step of `email`'s login.
fn at_push_step(server: &Server, email: &str) -> Browser {
    let b = Browser::new(server);
    match b.login(email) {
        LoginResponse::Mfa { factors } => assert!(factors.contains(&FactorKind::Push)),
        other => panic!("{other:?}"),
    }
    b
}

/// Another 2-digit number than `n`.
fn other_than(n: u8) -> u8 {
    if n == 99 {
        10
    } else {
        n + 1
    }
}

#[test]
fn approve_with_the_right_number_signs_the_browser_in() {
    let server = Server::start();
    let phone = enrolled_phone(&server, "alice@example.com");
    let none = phone.run(&["pending"]);
    assert_eq!(none.code, 0, "{none:?}");
    assert!(
        none.stdout.contains("No push requests are waiting"),
        "{none:?}"
    );

    let browser = at_push_step(&server, "alice@example.com");
    let push = browser.start_push();
    let pending = phone.run(&["pending"]);
    assert_eq!(pending.code, 0, "{pending:?}");
    for words in [
        "Sign in to User Portal from 127.0.0.1",
        "Chrome on Linux",
        "UTC",
        "expires in",
    ] {
        assert!(pending.stdout.contains(words), "{words}: {pending:?}");
    }
    assert!(pending.stdout.contains(&push.id), "{pending:?}");
    // The number is not sent to the device. (The seconds left may be the
    // same two digits: "expires in 59 s" is not the number.)
    let number = push.number.to_string();
    let words: Vec<&str> = pending.stdout.split_whitespace().collect();
    assert!(words.first() != Some(&number.as_str()), "{pending:?}");
    assert!(
        words.windows(2).all(|w| w[1] != number || w[0] == "in"),
        "{pending:?}"
    );

    let run = phone.run(&["approve", "--number", &push.number.to_string(), "--uv"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim(), "Approved.");
    let answer = browser.wait(&push.id, 5);
    assert_eq!(answer.status, PushStatus::Approved, "{answer:?}");
    assert!(
        matches!(answer.login, Some(LoginResponse::Done { .. })),
        "{answer:?}"
    );

    // Answered once only.
    let again = phone.run(&[
        "approve",
        "--number",
        &push.number.to_string(),
        "--id",
        &push.id,
    ]);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(
        !again.stderr.is_empty() && !again.stderr.contains("panicked"),
        "{again:?}"
    );
}

#[test]
fn a_wrong_number_is_a_denial_and_deny_denies() {
    let server = Server::start();
    let phone = enrolled_phone(&server, "mallory@example.com");

    let browser = at_push_step(&server, "mallory@example.com");
    let push = browser.start_push();
    let wrong = other_than(push.number).to_string();
    let run = phone.run(&["approve", "--number", &wrong]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout.trim(), "Denied: wrong number.");
    assert_eq!(browser.wait(&push.id, 5).status, PushStatus::Denied);

    // "Send another push", then deny it.
    let push = browser.start_push();
    let run = phone.run(&["deny"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim(), "Denied.");
    assert_eq!(browser.wait(&push.id, 5).status, PushStatus::Denied);

    // Nothing left to answer.
    let run = phone.run(&["approve", "--number", "42"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("No push request is waiting"), "{run:?}");
}

#[test]
fn report_denies_the_push_and_pauses_pushes() {
    let server = Server::start();
    let phone = enrolled_phone(&server, "ivan@example.com");
    let browser = at_push_step(&server, "ivan@example.com");
    let push = browser.start_push();
    let run = phone.run(&["report"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("Denied: reported as not yours"),
        "{run:?}"
    );
    assert!(run.stdout.contains("paused for 20 minutes"), "{run:?}");
    assert_eq!(browser.wait(&push.id, 5).status, PushStatus::Denied);

    // Paused: the browser cannot send another, and says until when.
    let again = browser.post::<serde_json::Value>("/api/v1/login/push", serde_json::json!({}));
    let (status, body) = again.unwrap_err();
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("push_muted") && body.contains("UTC"),
        "{body}"
    );

    // Nothing left to report.
    let run = phone.run(&["report"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("No push request is waiting"), "{run:?}");
}
