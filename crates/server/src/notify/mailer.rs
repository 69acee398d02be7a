//! Delivers the outbox over SMTP (when `--smtp-url` is set). Each message is
//! claimed in the database before sending, so several instances never send
//! it twice; failures back off and are retried, then given up on.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::app::AppState;
use crate::error::Internal;
use crate::store::{self, outbox::Due};

/// Attempts before a message is given up on (it stays in the outbox).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claim keeps other instances off a message being sent.
const CLAIM_SECS: i64 = 300;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `url` as lettre reads it: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (TLS).
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("invalid --smtp-url: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid --mail-from {from:?}: {e}"))?;
        Ok(Mailer { transport, from })
    }
}

/// Seconds to wait after the `attempts`-th failure: 1 min, doubling, up to 6 h.
pub fn backoff(attempts: i64) -> i64 {
    (60_i64 << attempts.clamp(0, 20)).min(6 * 3600)
}

/// Sends what is due now; returns how many went out.
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> Result<u32, Internal> {
    let now = state.now();
    let due = store::outbox::due(&state.db, now, MAX_ATTEMPTS, 20).await?;
    let mut sent = 0;
    for m in due {
        if !store::outbox::claim(&state.db, &m.id, now, now + CLAIM_SECS).await? {
            continue;
        }
        let body = crate::notify::with_link(&m.body, &m.kind, &state.settings.public_origin);
        match send(mailer, &m, body).await {
            Ok(()) => {
                store::outbox::mark_sent(&state.db, &m.id, state.now()).await?;
                if crate::notify::Kind::parse(&m.kind)
                    .is_some_and(crate::notify::Kind::carries_link)
                {
                    // Sent: the one-time link's only copy is the recipient's.
                    store::outbox::forget_body(&state.db, &m.id).await?;
                }
                sent += 1;
            }
            Err(Failure { error, permanent }) => {
                tracing::warn!(message = %m.id, %error, "email delivery failed");
                let attempts = if permanent {
                    MAX_ATTEMPTS
                } else {
                    m.attempts + 1
                };
                let error: String = error.chars().take(500).collect();
                store::outbox::record_failure(
                    &state.db,
                    &m.id,
                    attempts,
                    &error,
                    now + backoff(attempts),
                )
                .await?;
            }
        }
    }
    Ok(sent)
}

struct Failure {
    error: String,
    permanent: bool,
}

async fn send(mailer: &Mailer, m: &Due, body: String) -> Result<(), Failure> {
    let to: Mailbox = m.to_addr.parse().map_err(|e| Failure {
        error: format!("bad recipient: {e}"),
        permanent: true,
    })?;
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(&m.subject)
        .body(body)
        .map_err(|e| Failure {
            error: format!("cannot build message: {e}"),
            permanent: true,
        })?;
    mailer
        .transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| Failure {
            permanent: e.is_permanent(),
            error: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0), 60);
        assert_eq!(backoff(1), 120);
        assert_eq!(backoff(3), 480);
        assert_eq!(backoff(100), 6 * 3600);
    }
}
