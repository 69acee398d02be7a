//! Time on the portal moved by the test (`--fake-clock`): an expired
//! enrollment link, a device whose clock is off, an expired push. Only a
//! server built with `--features test-clock` has the flag, so these run
//! when `PORTCULLIS_SERVER_BIN` names such a build (scripts/test does):
//! `PORTCULLIS_SERVER_BIN=target/debug/portcullis-server cargo test -p
//! portcullis-protect --test it fake_clock -- --ignored`.

use portcullis_api::LoginResponse;

use crate::cli::Phone;
use crate::enroll::link_for;
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
