//! The outbox goes out over SMTP: a real SMTP conversation (lettre against
//! a minimal SMTP server in this test), each message sent once, failures
//! retried after their backoff.

use std::sync::{Arc, Mutex};

use portcullis_server::notify::mailer::{self, Mailer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::fixtures::TestServer;

/// Accepts SMTP sessions and keeps each message's DATA.
pub async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
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

/// A message's text with quoted-printable soft line breaks joined, so a
/// phrase the encoder wrapped can still be found.
pub fn unwrapped(msg: &str) -> String {
    msg.replace("=\n", "")
}

async fn unsent(s: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(&s.state.db)
        .await
        .unwrap()
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
    // The fixture's administrator gets a setup link and enrolls an app,
    // each with its email: deliver those first.
    s.admin().await;
    assert_eq!(mailer::deliver_due(&s.state, &m).await.unwrap(), 2);
    assert!(got.lock().unwrap()[0].contains("To: admin@example.com"));
    // The setup link's email was sent: its link is no longer kept.
    let kept: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox WHERE kind = 'setup_link'")
        .fetch_all(&s.state.db)
        .await
        .unwrap();
    assert_eq!(kept, vec![String::new()]);

    s.require("ivan@example.com", Some(7)).await;
    assert_eq!(unsent(&s).await, 1);
    assert_eq!(mailer::deliver_due(&s.state, &m).await.unwrap(), 1);
    let messages = got.lock().unwrap().clone();
    assert_eq!(messages.len(), 3);
    let msg = unwrapped(&messages[2]);
    assert!(msg.contains("To: ivan@example.com"), "{msg}");
    assert!(msg.contains("From: Portcullis <mfa@example.com>"), "{msg}");
    assert!(
        msg.contains("Subject: Set up multi-factor authentication"),
        "{msg}"
    );
    // T0 is 2026-11-22: the 7-day deadline is in the text.
    assert!(msg.contains("by 2026-11-29"), "{msg}");
    // The email links to where MFA is set up, at the portal's origin.
    let link = format!(
        "Open Portcullis: {}/login?next=%2Fenroll",
        s.state.settings.public_origin.trim_end_matches('/')
    );
    // (Quoted-printable writes `=` as `=3D`.)
    assert!(msg.replace("=3D", "=").contains(&link), "{msg}");

    // Sent once: nothing is due any more, now or later.
    assert_eq!(mailer::deliver_due(&s.state, &m).await.unwrap(), 0);
    s.advance(3600);
    assert_eq!(mailer::deliver_due(&s.state, &m).await.unwrap(), 0);
    assert_eq!(got.lock().unwrap().len(), 3);
    assert_eq!(unsent(&s).await, 0);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_its_backoff() {
    let s = TestServer::start().await;
    s.require("ivan@example.com", Some(7)).await;
    let queued = unsent(&s).await;
    assert!(queued > 0);
    // Nothing listens on this port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = Mailer::new(&format!("smtp://127.0.0.1:{closed}"), "mfa@example.com").unwrap();
    assert_eq!(mailer::deliver_due(&s.state, &down).await.unwrap(), 0);
    let rows: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT attempts, last_error FROM outbox WHERE sent_at IS NULL")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(rows.len() as i64, queued);
    for (attempts, error) in rows {
        assert_eq!(attempts, 1);
        assert!(error.is_some_and(|e| !e.is_empty()));
    }

    let (port, got) = smtp_sink().await;
    let up = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "mfa@example.com").unwrap();
    // Not before the backoff has passed.
    s.advance(mailer::backoff(1) - 1);
    assert_eq!(mailer::deliver_due(&s.state, &up).await.unwrap(), 0);
    assert!(got.lock().unwrap().is_empty());
    s.advance(1);
    let sent = mailer::deliver_due(&s.state, &up).await.unwrap();
    assert_eq!(i64::from(sent), queued);
    assert_eq!(got.lock().unwrap().len() as i64, queued);
    assert_eq!(unsent(&s).await, 0);
}

#[test]
fn bad_settings_are_reported() {
    assert!(Mailer::new("not a url", "a@example.com").is_err());
    assert!(Mailer::new("smtp://localhost:25", "not an address").is_err());
    assert!(Mailer::new("smtp://localhost:25", "Portcullis <mfa@example.com>").is_ok());
}
