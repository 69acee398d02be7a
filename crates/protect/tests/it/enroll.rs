//! Enrollment: by link, by QR screenshot, and the refusals in words.

use std::os::unix::fs::PermissionsExt;

use portcullis_api::LoginResponse;

use crate::cli::{bare, Phone};
use crate::portal::Browser;
use crate::server::Server;

/// Signs `email` in (a user with no second factor, so the link needs no
/// fresh proof) and returns the browser and a fresh enrollment link.
pub fn link_for(server: &Server, email: &str) -> (Browser, String) {
    let browser = Browser::new(server);
    assert!(matches!(browser.login(email), LoginResponse::Done { .. }));
    let link = browser.enrollment_link();
    (browser, link)
}

/// A phone enrolled for `email`.
pub fn enrolled_phone(server: &Server, email: &str) -> Phone {
    let (_, link) = link_for(server, email);
    let phone = Phone::new();
    let run = phone.run(&["enroll", &link]);
    assert_eq!(run.code, 0, "{run:?}");
    phone
}

#[test]
fn enroll_by_link_saves_an_owner_only_state_and_status_shows_it() {
    let server = Server::start();
    let (_, link) = link_for(&server, "alice@example.com");
    let phone = Phone::new();
    let run = phone.run(&[
        "enroll",
        &link,
        "--label",
        "Alice's laptop",
        "--type",
        "ThinkPad X1",
        "--os",
        "Debian 13",
        "--uv",
        "pin",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout.trim(),
        format!("Enrolled as alice@example.com at {}", server.base)
    );
    // Same machine, same clock: no warning.
    assert!(!run.stdout.contains("Your clock"), "{run:?}");

    let state = phone.state();
    assert_eq!(
        std::fs::metadata(&state).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let dir = state.parent().unwrap();
    assert_eq!(
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let key = saved["private_key"].as_str().unwrap();
    assert_eq!(saved["portal"], server.base.as_str());

    let status = phone.run(&["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    for words in [
        "Enrolled as alice@example.com",
        "Alice's laptop (ThinkPad X1, Debian 13, protect 0.1.0)",
        "User verification: pin",
    ] {
        assert!(status.stdout.contains(words), "{words}: {status:?}");
    }
    // The key is never printed.
    for out in [&run.stdout, &run.stderr, &status.stdout, &status.stderr] {
        assert!(!out.contains(key));
    }

    // The portal shows the device to its user.
    let browser = Browser::new(&server);
    browser.login("alice@example.com");
}

#[test]
fn a_used_link_is_refused_in_words_and_saves_nothing() {
    let server = Server::start();
    let (_, link) = link_for(&server, "ivan@example.com");
    let first = Phone::new();
    assert_eq!(first.run(&["enroll", &link]).code, 0);

    let second = Phone::new();
    let run = second.run(&["enroll", &link]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("expired or was used already"),
        "{run:?}"
    );
    assert!(!second.state().exists());
    // The first enrollment is untouched.
    assert_eq!(first.run(&["status"]).code, 0);
}

#[test]
fn enroll_from_a_qr_code_screenshot() {
    let server = Server::start();
    let (_, link) = link_for(&server, "judy@example.com");
    let phone = Phone::new();
    let shot = phone.dir.path().join("qr.png");
    std::fs::write(&shot, qr_png(&link)).unwrap();
    let run = phone.run(&["enroll", "--qr", shot.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Enrolled as judy@example.com"),
        "{run:?}"
    );

    // A picture without a code says so.
    let blank = phone.dir.path().join("blank.png");
    std::fs::write(&blank, png_of(&[255; 64 * 64], 64)).unwrap();
    let run = Phone::new().run(&["enroll", "--qr", blank.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no QR code found"), "{run:?}");
}

#[test]
fn refusals_without_a_portal_are_in_words_with_their_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let token = "A".repeat(43);
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let link =
        format!("portcullis-protect://enroll?portal=http%3A%2F%2F127.0.0.1%3A{port}&token={token}");
    // Plain http:// to another machine: refused before anything is sent.
    let remote =
        format!("portcullis-protect://enroll?portal=http%3A%2F%2Fmfa.example.org&token={token}");
    let table: [(&[&str], i32, &str); 7] = [
        (
            &["enroll", &link],
            1,
            "Cannot reach the portal at http://127.0.0.1",
        ),
        (
            &["enroll", &remote],
            1,
            "uses http://, which is not encrypted",
        ),
        (
            &["enroll", "https://example.com"],
            1,
            "not a Protect enrollment link",
        ),
        (&["status"], 1, "Not enrolled"),
        (&["approve", "--number", "42"], 1, "Not enrolled"),
        // Usage errors: exit 2.
        (&["approve"], 2, "--number"),
        (
            &["enroll", &link, "--qr", "x.png"],
            2,
            "cannot be used with",
        ),
    ];
    for (args, code, words) in table {
        let run = bare(args, home.path());
        assert_eq!(run.code, code, "{args:?}: {run:?}");
        assert!(run.stderr.contains(words), "{args:?}: {run:?}");
        assert!(!run.stderr.contains("panicked"), "{run:?}");
    }
    // The default state file is in the user's config directory.
    let run = bare(&["enroll", &link], home.path());
    assert!(
        !home
            .path()
            .join(".config/portcullis-protect/state.json")
            .exists(),
        "{run:?}"
    );
}

/// `text` as a QR code in a PNG, 4 pixels a module, quiet zone included.
fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let n = code.width();
    let colors = code.to_colors();
    let (scale, size) = (4, (n + 8) * 4);
    let mut grey = vec![255u8; size * size];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i % n + 4, i / n + 4);
            for y in my * scale..(my + 1) * scale {
                grey[y * size + mx * scale..][..scale].fill(0);
            }
        }
    }
    png_of(&grey, size)
}

fn png_of(grey: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, size as u32, size as u32);
    enc.set_color(png::ColorType::Grayscale);
    let mut w = enc.write_header().unwrap();
    w.write_image_data(grey).unwrap();
    w.finish().unwrap();
    out
}
