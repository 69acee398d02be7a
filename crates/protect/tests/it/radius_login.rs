//! VPN logins through the RADIUS server, driven by FreeRADIUS's own
//! `radclient` (Debian's freeradius-utils) against a real portal process:
//! the password (PAP), then an Access-Challenge for the code, or the code
//! after a comma in one field, or a push whose number the challenge says
//! and the real `protect` approves. A packet without Message-Authenticator,
//! signed with another secret, or from an address no client is registered
//! at gets no answer at all, counted by reason. A client assigned to a
//! group lets in its members only; without `--radius-listen` the server
//! opens no UDP socket.

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
    let (_server, port, admin) = radius_portal_with(&["--metrics-listen", &metrics]);
    let before = dropped(&metrics);
    assert!(before.values().all(|n| *n == 0), "{before:?}");

    // A stranger: the only client is registered at another address, so a
    // request from here, signed with the right secret, gets no answer…
    let vpn = office_vpn(&admin);
    move_client(&admin, &vpn, "127.0.0.2");
    let got = radclient(
        port,
        SECRET,
        &[("User-Name", "alice"), ("User-Password", PASSWORD)],
    );
    assert_eq!(got.kind, "", "{got:?}");
    // …and is counted as from an unknown client, and as nothing else.
    let after = dropped(&metrics);
    assert!(after["unknown_client"] >= 1, "{after:?}");
    assert_eq!(after["bad_authenticator"], 0, "{after:?}");
    assert_eq!(after["malformed"], 0, "{after:?}");
    let strangers = after["unknown_client"];
    // Registered at this address again: the same request is answered.
    move_client(&admin, &vpn, "127.0.0.1");
    let got = radclient(
        port,
        SECRET,
        &[("User-Name", "alice"), ("User-Password", PASSWORD)],
    );
    assert_eq!(got.kind, "Accept", "{got:?}");

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

    // Each drop is counted by its reason (a known client's packets are
    // not strangers').
    let end = dropped(&metrics);
    for reason in ["bad_authenticator", "malformed"] {
        assert!(end[reason] >= 1, "{reason}: {end:?}");
    }
    assert_eq!(end["unknown_client"], strangers, "{end:?}");
}

/// The RADIUS drops the metrics address counts, by reason.
fn dropped(metrics: &str) -> std::collections::HashMap<String, u64> {
    let text = reqwest::blocking::get(format!("http://{metrics}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    let counts: std::collections::HashMap<String, u64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("portcullis_radius_dropped_total{reason=\""))
        .map(|rest| {
            let (reason, value) = rest.split_once("\"} ").unwrap();
            (reason.to_string(), value.trim().parse().unwrap())
        })
        .collect();
    for reason in ["unknown_client", "bad_authenticator", "malformed"] {
        assert!(counts.contains_key(reason), "no {reason} in {text}");
    }
    counts
}

/// The id of the client `radius_portal` registered.
fn office_vpn(admin: &Browser) -> String {
    let clients: Vec<serde_json::Value> = admin.get("/api/v1/admin/radius-clients").unwrap();
    clients
        .iter()
        .find(|c| c["name"] == "Office VPN")
        .and_then(|c| c["id"].as_str())
        .expect("the Office VPN client")
        .to_string()
}

/// Changes the client's address and who may connect through it (its
/// secret stays).
fn change_client(admin: &Browser, id: &str, address: &str, groups: &[&str]) {
    let _: serde_json::Value = admin
        .put(
            &format!("/api/v1/admin/radius-clients/{id}"),
            serde_json::json!({
                "name": "Office VPN", "address": address,
                "everyone": groups.is_empty(), "groups": groups
            }),
        )
        .unwrap();
}

fn move_client(admin: &Browser, id: &str, address: &str) {
    change_client(admin, id, address, &[]);
}

/// A user's id, as an administrator finds it.
fn user_id(admin: &Browser, email: &str) -> String {
    let page: portcullis_api::UserPage = admin
        .get(&format!("/api/v1/admin/users?search={email}"))
        .unwrap();
    page.users
        .into_iter()
        .find(|u| u.email == email)
        .unwrap_or_else(|| panic!("no user {email}"))
        .id
}

fn membership(admin: &Browser, group: &str, user: &str, add: bool) {
    let path = format!("/api/v1/admin/groups/{group}/members/{user}");
    if add {
        let _: serde_json::Value = admin.put(&path, serde_json::json!(null)).unwrap();
    } else {
        assert_eq!(admin.delete(&path), 200);
    }
}

#[test]
fn a_client_assigned_to_a_group_lets_in_its_members_only() {
    let (_server, port, admin) = radius_portal();
    let group: serde_json::Value = admin
        .post(
            "/api/v1/admin/groups",
            serde_json::json!({ "name": "VPN users" }),
        )
        .unwrap();
    let group = group["id"].as_str().unwrap().to_string();
    let alice = user_id(&admin, "alice@example.com");
    membership(&admin, &group, &alice, true);
    let vpn = office_vpn(&admin);
    change_client(&admin, &vpn, "127.0.0.1", &[&group]);
    let login = |user: &str| {
        radclient(
            port,
            SECRET,
            &[("User-Name", user), ("User-Password", PASSWORD)],
        )
    };

    // A member (no MFA asked of her) is let in.
    let member = login("alice");
    assert_eq!(member.kind, "Accept", "{member:?}");
    // A non-member with the right password is refused in words.
    let outsider = login("bob");
    assert_eq!(outsider.kind, "Reject", "{outsider:?}");
    assert!(
        outsider.message.contains("may not sign in to Office VPN"),
        "{outsider:?}"
    );
    // Out of the group, out of the VPN.
    membership(&admin, &group, &alice, false);
    let removed = login("alice");
    assert_eq!(removed.kind, "Reject", "{removed:?}");
    assert!(
        removed.message.contains("may not sign in to Office VPN"),
        "{removed:?}"
    );

    let events: portcullis_api::EventPage = admin
        .get("/api/v1/admin/events?kind=system_refused&limit=10")
        .unwrap();
    assert_eq!(events.events.len(), 2, "{events:?}");
    assert!(events.events.iter().all(|e| {
        e.resource.as_deref() == Some("Office VPN") && e.detail == "not assigned to this system"
    }));
}

/// The UDP ports the process `pid` has sockets bound to.
fn udp_ports(pid: u32) -> Vec<u16> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["udp", "udp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() > 9 && inodes.iter().any(|i| i == fields[9]) {
                let port = fields[1].rsplit(':').next().unwrap();
                ports.push(u16::from_str_radix(port, 16).unwrap());
            }
        }
    }
    ports
}

#[test]
fn without_radius_listen_the_server_opens_no_udp_socket() {
    let off = Server::start();
    assert_eq!(udp_ports(off.pid()), Vec::<u16>::new());
    // The same check sees the socket when the option is given.
    let (on, port, _) = radius_portal();
    assert_eq!(udp_ports(on.pid()), vec![port]);
}
