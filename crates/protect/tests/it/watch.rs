//! `protect watch`: the request shows up by long-poll, the number is
//! typed, or `r` reports it.

use std::io::{BufReader, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use portcullis_api::protect::PushStatus;

use crate::enroll::enrolled_phone;
use crate::portal::Browser;
use crate::server::Server;

#[test]
fn watch_shows_the_request_and_approves_with_the_typed_number() {
    let server = Server::start();
    let phone = enrolled_phone(&server, "alice@example.com");
    let mut child = phone
        .command(&["watch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Read stdout on a thread, chunk by chunk (the prompt has no newline).
    let (tx, rx) = mpsc::channel::<String>();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0
                || tx
                    .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                    .is_err()
            {
                break;
            }
        }
    });
    let mut seen = String::new();
    wait_for(&rx, &mut seen, "Waiting for push requests");

    // The watch is in its long-poll already: the push wakes it.
    let browser = Browser::new(&server);
    browser.login("alice@example.com");
    let push = browser.start_push();
    wait_for(&rx, &mut seen, "Number shown in the browser");
    assert!(seen.contains("User Portal") && seen.contains(&push.id));
    writeln!(stdin, "{}", push.number).unwrap();
    wait_for(&rx, &mut seen, "Approved.");
    assert_eq!(browser.wait(&push.id, 5).status, PushStatus::Approved);

    child.kill().ok();
    child.wait().ok();
}

#[test]
fn watch_reports_a_request_when_r_is_typed() {
    let server = Server::start();
    let phone = enrolled_phone(&server, "judy@example.com");
    let mut child = phone
        .command(&["watch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let rx = read_chunks(child.stdout.take().unwrap());
    let mut seen = String::new();
    wait_for(&rx, &mut seen, "Waiting for push requests");
    let browser = Browser::new(&server);
    browser.login("judy@example.com");
    let push = browser.start_push();
    wait_for(&rx, &mut seen, "r reports it as not yours");
    writeln!(stdin, "r").unwrap();
    wait_for(&rx, &mut seen, "Denied: reported as not yours");
    assert_eq!(browser.wait(&push.id, 5).status, PushStatus::Denied);

    child.kill().ok();
    child.wait().ok();
}

/// The output of a child, chunk by chunk (a prompt has no newline).
fn read_chunks(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel::<String>();
    let mut stdout = BufReader::new(stdout);
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0
                || tx
                    .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                    .is_err()
            {
                break;
            }
        }
    });
    rx
}

/// Collects the output until it contains `words`.
fn wait_for(rx: &mpsc::Receiver<String>, seen: &mut String, words: &str) {
    while !seen.contains(words) {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(chunk) => seen.push_str(&chunk),
            Err(_) => panic!("no {words:?} in: {seen}"),
        }
    }
}
