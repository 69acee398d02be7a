//! Time on the portal moved by the test (`--fake-clock`): an expired
//! enrollment link, a device whose clock is off, an expired push, and a
//! portal whose clock moved after enrollment (the offset learned again). Only a
//! server built with `--features test-clock` has the flag, so these run
//! when `PORTCULLIS_SERVER_BIN` names such a build (scripts/test does):
//! `PORTCULLIS_SERVER_BIN=target/debug/portcullis-server cargo test -p
//! portcullis-protect --test it fake_clock -- --ignored`.

use portcullis_api::LoginResponse;

use crate::cli::Phone;
use crate::enroll::{enrolled_phone, link_for};
use crate::portal::Browser;
use crate::server::Server;

#[test]
#[ignore = "needs a server built with --features test-clock (PORTCULLIS_SERVER_BIN)"]
fn expired_link_slow_clock_and_expired_push() {
    let server = Server::start_with(&["--fake-clock"]);
    let (browser, link) = link_for(&server, "alice@example.com");

    // Ten minutes and a second later the link is dead.
    browser.advance_clock(601);
    let phone = Phone::new();
    let run = phone.run(&["enroll", &link]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("expired or was used already"),
        "{run:?}"
    );

    // The portal is now ten minutes ahead of this machine: enrollment warns,
    // and signed requests still pass the portal's 5-minute window because
    // they carry the portal's time.
    let link = browser.enrollment_link();
    let run = phone.run(&["enroll", &link]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Your clock is about 10 minutes slow"),
        "{run:?}"
    );
    let run = phone.run(&["status"]);
    assert_eq!(run.code, 0, "{run:?}");

    // A push not answered within 60 s cannot be approved any more.
    let login = Browser::new(&server);
    assert!(matches!(
        login.login("alice@example.com"),
        LoginResponse::Mfa { .. }
    ));
    let push = login.start_push();
    browser.advance_clock(61);
    let run = phone.run(&[
        "approve",
        "--number",
        &push.number.to_string(),
        "--id",
        &push.id,
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("expired"), "{run:?}");
}

#[test]
#[ignore = "needs a server built with --features test-clock (PORTCULLIS_SERVER_BIN)"]
fn a_portal_clock_moved_after_enrollment_is_learned_again() {
    let server = Server::start_with(&["--fake-clock"]);
    let phone = enrolled_phone(&server, "ivan@example.com");
    let offset = |phone: &Phone| {
        let text = std::fs::read_to_string(phone.state()).unwrap();
        let state: serde_json::Value = serde_json::from_str(&text).unwrap();
        state["clock_offset_secs"].as_i64().unwrap()
    };
    assert!(offset(&phone).abs() <= 5, "{}", offset(&phone));

    // The portal's clock moves ten minutes on: the offset learned at
    // enrollment would sign requests outside its 5-minute window. The
    // first refusal carries the portal's time; the device signs again.
    Browser::new(&server).advance_clock(600);
    let run = phone.run(&["status"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("ivan@example.com"), "{run:?}");
    let learned = offset(&phone);
    assert!((595..=605).contains(&learned), "{learned}");
    // Kept for the next command.
    let run = phone.run(&["pending"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(offset(&phone), learned);

    // And back (a portal whose clock was set right again).
    Browser::new(&server).advance_clock(-600);
    let run = phone.run(&["pending"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(offset(&phone).abs() <= 5, "{}", offset(&phone));
}
