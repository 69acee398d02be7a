//! A device removed through the portal, or replaced by a new enrollment,
//! is told so.

use portcullis_api::protect::PushStatus;

use crate::cli::Phone;
use crate::enroll::enrolled_phone;
use crate::portal::Browser;
use crate::server::Server;

const UNENROLLED: &str = "not enrolled any more";

/// A browser signed in with `phone`'s approval: a second factor passed
/// just now, which removing or replacing the device asks for.
fn signed_in_with(server: &Server, phone: &Phone, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.login(email);
    let push = browser.start_push();
    let run = phone.run(&["approve", "--number", &push.number.to_string()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(browser.wait(&push.id, 5).status, PushStatus::Approved);
    browser
}

#[test]
fn status_after_the_portal_removed_the_device() {
    let server = Server::start();
    let phone = enrolled_phone(&server, "alice@example.com");
    let browser = signed_in_with(&server, &phone, "alice@example.com");
    assert_eq!(browser.delete("/api/v1/protect/device"), 204);

    for args in [&["status"][..], &["pending"][..]] {
        let run = phone.run(args);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(run.stderr.contains(UNENROLLED), "{run:?}");
    }
}

#[test]
fn a_new_enrollment_replaces_the_old_device() {
    let server = Server::start();
    let old = enrolled_phone(&server, "ivan@example.com");
    let browser = signed_in_with(&server, &old, "ivan@example.com");
    let link = browser.enrollment_link();
    let new = Phone::new();
    let run = new.run(&["enroll", &link]);
    assert_eq!(run.code, 0, "{run:?}");

    let run = old.run(&["status"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains(UNENROLLED), "{run:?}");
    assert_eq!(new.run(&["status"]).code, 0);
}
