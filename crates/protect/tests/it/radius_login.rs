//! VPN logins through the RADIUS server, driven by FreeRADIUS's own
//! `radclient` (Debian's freeradius-utils) against a real portal process:
//! the password (PAP), then an Access-Challenge for the code, or the code
//! after a comma in one field, or a push whose number the challenge says
//! and the real `protect` approves. A packet without Message-Authenticator,
//! or signed with another secret, gets no answer at all.

use std::io::Write;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

use portcullis_api::{LoginResponse, TotpEnrollment};

use crate::cli::Phone;
use crate::enroll::enrolled_phone;
use crate::pam_login::{admin, oathtool};
use crate::portal::Browser;
use crate::server::{free_port, Server, PASSWORD};

const SECRET: &str = "a-long-shared-secret-for-tests";
const ACCESS_REQUEST: u8 = 1;
const USER_NAME: u8 = 1;
const USER_PASSWORD: u8 = 2;

/// A portal answering RADIUS on a port of its own, with the test's
/// address registered as a client.
fn radius_portal() -> (Server, u16, Browser) {
    radius_portal_with(&[])
}

fn radius_portal_with(extra: &[&str]) -> (Server, u16, Browser) {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["--radius-listen", &listen];
    args.extend(extra);
    let server = Server::start_with(&args);
    let admin = admin(&server);
    let _: serde_json::Value = admin
        .post(
            "/api/v1/admin/radius-clients",
            serde_json::json!({
                "name": "Office VPN", "address": "127.0.0.1", "secret": SECRET, "everyone": true
            }),
        )
        .unwrap();
    (server, port, admin)
}

/// What radclient received: the packet's kind, its Reply-Message and State.
#[derive(Debug, Default)]
struct Received {
    kind: String,
    message: String,
    state: Option<String>,
}

/// One request through `radclient` with these attributes (and a
/// Message-Authenticator, which radclient computes from the secret).
fn radclient(port: u16, secret: &str, attributes: &[(&str, &str)]) -> Received {
    let mut lines: Vec<String> = attributes
        .iter()
        .map(|(k, v)| {
            if v.starts_with("0x") {
                format!("{k} = {v}")
            } else {
                format!("{k} = \"{v}\"")
            }
        })
        .collect();
    lines.push("Message-Authenticator = 0x00".into());
    let mut child = Command::new("radclient")
        .args(["-x", "-t", "2", "-r", "1"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["auth", secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("radclient (Debian's freeradius-utils; scripts/install --test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.join(", ").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut got = Received::default();
    let mut after_received = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Received Access-") {
            got.kind = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            after_received = true;
        } else if after_received {
            if let Some(m) = line.strip_prefix("Reply-Message = ") {
                got.message.push_str(m.trim_matches('"'));
            } else if let Some(s) = line.strip_prefix("State = ") {
                got.state = Some(s.to_string());
            }
        }
    }
    got
}

fn totp_for(server: &Server, email: &str) -> String {
    let b = Browser::new(server);
    assert!(matches!(b.login(email), LoginResponse::Done { .. }));
    let setup: TotpEnrollment = b
        .post("/api/v1/totp/enroll", serde_json::json!({}))
        .unwrap();
    let done: LoginResponse = b
        .post(
            "/api/v1/totp/confirm",
            serde_json::json!({ "code": oathtool(&setup.secret, 0) }),
        )
        .unwrap();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    setup.secret
}

#[test]
fn password_then_a_challenge_for_the_code_or_both_in_one_field() {
    let (server, port, admin) = radius_portal();
    let alice = totp_for(&server, "alice@example.com");

    let first = radclient(
        port,
        SECRET,
        &[("User-Name", "alice"), ("User-Password", PASSWORD)],
    );
    assert_eq!(first.kind, "Challenge", "{first:?}");
    assert!(first.message.contains("Enter the code"), "{first:?}");
    let state = first.state.clone().expect("a State");
    let second = radclient(
        port,
        SECRET,
        &[
            ("User-Name", "alice"),
            ("User-Password", &oathtool(&alice, 30)),
            ("State", &state),
        ],
    );
    assert_eq!(second.kind, "Accept", "{second:?}");
    // A State is good once.
    let again = radclient(
        port,
        SECRET,
        &[
            ("User-Name", "alice"),
            ("User-Password", "123456"),
            ("State", &state),
        ],
    );
    assert_eq!(again.kind, "Reject", "{again:?}");

    let ivan = totp_for(&server, "ivan@example.com");
    let one = radclient(
        port,
        SECRET,
        &[
            ("User-Name", "ivan@example.com"),
            (
                "User-Password",
                &format!("{PASSWORD},{}", oathtool(&ivan, 30)),
            ),
        ],
    );
    assert_eq!(one.kind, "Accept", "{one:?}");

    // A wrong password and an unknown user: the same words.
    let wrong = radclient(
        port,
        SECRET,
        &[("User-Name", "alice"), ("User-Password", "nope")],
    );
    let unknown = radclient(
        port,
        SECRET,
        &[("User-Name", "zed"), ("User-Password", "nope")],
    );
    assert_eq!(
        (wrong.kind.as_str(), unknown.kind.as_str()),
        ("Reject", "Reject")
    );
    assert_eq!(wrong.message, unknown.message);

    let events: portcullis_api::EventPage = admin
        .get("/api/v1/admin/events?kind=system_login&limit=10")
        .unwrap();
    assert_eq!(events.events[0].resource.as_deref(), Some("Office VPN"));
    assert_eq!(events.events[0].detail, "password + authenticator app");
}

#[test]
fn a_push_whose_number_the_challenge_says() {
    let (server, port, _) = radius_portal();
    let phone: Phone = enrolled_phone(&server, "judy@example.com");

    let first = radclient(
        port,
        SECRET,
        &[("User-Name", "judy"), ("User-Password", PASSWORD)],
    );
    assert_eq!(first.kind, "Challenge", "{first:?}");
    let number = first
        .message
        .split("enter ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("a number in the challenge")
        .to_string();
    let state = first.state.clone().unwrap();
    // Answered before approval: asked again, with a new State.
    let early = radclient(
        port,
        SECRET,
        &[
            ("User-Name", "judy"),
            ("User-Password", ""),
            ("State", &state),
        ],
    );
    assert_eq!(early.kind, "Challenge", "{early:?}");
    assert!(early.message.contains("Not approved yet"), "{early:?}");
    let run = phone.run(&["approve", "--number", &number]);
    assert_eq!(run.code, 0, "{run:?}");
    let done = radclient(
        port,
        SECRET,
        &[
            ("User-Name", "judy"),
            ("User-Password", ""),
            ("State", &early.state.unwrap()),
        ],
    );
    assert_eq!(done.kind, "Accept", "{done:?}");

    // Two logins at once each get a push: RADIUS is exempt from the limit
    // of one waiting push per user and resource (a host's or the portal's
    // second login would be refused while the first waits).
    for _ in 0..2 {
        let login = radclient(
            port,
            SECRET,
            &[("User-Name", "judy"), ("User-Password", PASSWORD)],
        );
        assert_eq!(login.kind, "Challenge", "{login:?}");
        assert!(login.message.contains("went to your phone"), "{login:?}");
    }
}

#[test]
fn packets_from_strangers_or_without_message_authenticator_get_no_answer() {
    let metrics_port = free_port();
    let metrics = format!("127.0.0.1:{metrics_port}");
    let (_server, port, _) = radius_portal_with(&["--metrics-listen", &metrics]);
    // Another secret: dropped, so radclient hears nothing.
    let got = radclient(
        port,
        "not-the-shared-secret-at-all",
        &[("User-Name", "alice"), ("User-Password", PASSWORD)],
    );
    assert_eq!(got.kind, "", "{got:?}");

    // Without Message-Authenticator (BlastRADIUS): dropped, whatever
    // else the packet holds.
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let mut bare = vec![ACCESS_REQUEST, 7, 0, 0];
    bare.extend([9u8; 16]);
    bare.extend([USER_NAME, 7]);
    bare.extend(b"alice");
    bare.extend([USER_PASSWORD, 18]);
    bare.extend([0x5au8; 16]);
    let len = u16::try_from(bare.len()).unwrap().to_be_bytes();
    bare[2..4].copy_from_slice(&len);
    socket.send_to(&bare, ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 4096];
    assert!(
        socket.recv_from(&mut buf).is_err(),
        "answered a packet without Message-Authenticator"
    );
    // Garbage: dropped, and the server still answers after it.
    socket.send_to(&[0xff; 3000], ("127.0.0.1", port)).unwrap();
    let got = radclient(
        port,
        SECRET,
        &[("User-Name", "alice"), ("User-Password", PASSWORD)],
    );
    assert_eq!(got.kind, "Accept", "{got:?}");

    // Each drop is counted by its reason.
    let text = reqwest::blocking::get(format!("http://{metrics}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    for reason in ["bad_authenticator", "malformed"] {
        let line = text
            .lines()
            .find(|l| {
                l.starts_with(&format!(
                    "portcullis_radius_dropped_total{{reason=\"{reason}\"}}"
                ))
            })
            .unwrap_or_else(|| panic!("no {reason} line in {text}"));
        assert!(!line.ends_with(" 0"), "{line}");
    }
}
