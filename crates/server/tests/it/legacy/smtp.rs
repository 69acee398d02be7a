#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
//! The outbox goes out over SMTP: a real SMTP conversation (lettre against a
//! minimal SMTP server in this test), claimed once, retried with backoff.
mod common;

use std::sync::{Arc, Mutex};

use common::{json, TestServer, PASSWORD};
use portcullis_server::mailer::{self, Mailer};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Accepts SMTP sessions and keeps each message's DATA.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(buf));
                            data = None;
                            w.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    w.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, got)
}

async fn require_for_ivan(s: &TestServer) {
    let a = s.client();
    s.login(&a, "admin@example.com", PASSWORD).await;
    let (_, page) = json(
        a.get(s.url("/api/v1/admin/users?search=ivan"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = page["users"][0]["id"].as_str().unwrap().to_string();
    let resp = a
        .post(s.url(&format!("/api/v1/admin/users/{id}/require-mfa")))
        .json(&json!({ "period_days": 7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn queued_emails_are_delivered_once() {
    let s = TestServer::start().await;
    let (port, got) = smtp_sink().await;
    let m = Mailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Portcullis <mfa@example.com>",
    )
    .unwrap();
    require_for_ivan(&s).await;

    assert_eq!(mailer::deliver_due(&s.state, &m).await.unwrap(), 1);
    let messages = got.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let msg = &messages[0];
    assert!(msg.contains("To: ivan@example.com"), "{msg}");
    assert!(msg.contains("From: Portcullis <mfa@example.com>"), "{msg}");
    assert!(
        msg.contains("Subject: Set up multi-factor authentication"),
        "{msg}"
    );
    assert!(
        msg.contains("2026-11-29"),
        "the deadline is in the text: {msg}"
    );

    // sent once: nothing is due any more
    assert_eq!(mailer::deliver_due(&s.state, &m).await.unwrap(), 0);
    s.clock.advance(3600);
    assert_eq!(mailer::deliver_due(&s.state, &m).await.unwrap(), 0);
    assert_eq!(got.lock().unwrap().len(), 1);
    let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    assert_eq!(unsent, 0);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_its_backoff() {
    let s = TestServer::start().await;
    require_for_ivan(&s).await;
    // nothing listens on this port
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = Mailer::new(&format!("smtp://127.0.0.1:{closed}"), "mfa@example.com").unwrap();
    assert_eq!(mailer::deliver_due(&s.state, &down).await.unwrap(), 0);
    let (attempts, error): (i64, Option<String>) =
        sqlx::query_as("SELECT attempts, last_error FROM outbox")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(error.is_some());

    let (port, got) = smtp_sink().await;
    let up = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "mfa@example.com").unwrap();
    // not before the backoff has passed
    s.clock.advance(mailer::backoff(1) - 1);
    assert_eq!(mailer::deliver_due(&s.state, &up).await.unwrap(), 0);
    s.clock.advance(1);
    assert_eq!(mailer::deliver_due(&s.state, &up).await.unwrap(), 1);
    assert_eq!(got.lock().unwrap().len(), 1);
}

#[test]
fn bad_settings_are_reported() {
    assert!(Mailer::new("not a url", "a@example.com").is_err());
    assert!(Mailer::new("smtp://localhost:25", "not an address").is_err());
}
