//! Delivers the outbox over SMTP (when `--smtp-url` is set). Each message is
//! claimed in the database before sending, so several instances never send
//! it twice; failures back off and are retried, then given up on.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::clock::Timestamp;
use crate::state::AppState;

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

#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    to_addr: String,
    subject: String,
    body: String,
    attempts: i64,
}

/// Sends what is due now; returns how many went out.
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> sqlx::Result<u32> {
    let now = state.now();
    let due: Vec<Due> = sqlx::query_as(
        "SELECT id, to_addr, subject, body, attempts FROM outbox
         WHERE sent_at IS NULL AND next_attempt_at <= ? AND attempts < ?
         ORDER BY created_at LIMIT 20",
    )
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .fetch_all(&state.db)
    .await?;
    let mut sent = 0;
    for m in due {
        let claimed = sqlx::query(
            "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND sent_at IS NULL AND next_attempt_at <= ?",
        )
        .bind(now + CLAIM_SECS)
        .bind(&m.id)
        .bind(now)
        .execute(&state.db)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            continue;
        }
        match send(mailer, &m).await {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?")
                    .bind(state.now())
                    .bind(&m.id)
                    .execute(&state.db)
                    .await?;
                sent += 1;
            }
            Err(Failure { error, permanent }) => {
                tracing::warn!(message = %m.id, %error, "email delivery failed");
                let attempts = if permanent {
                    MAX_ATTEMPTS
                } else {
                    m.attempts + 1
                };
                record_failure(state, &m.id, attempts, &error, now).await?;
            }
        }
    }
    Ok(sent)
}

struct Failure {
    error: String,
    permanent: bool,
}

async fn send(mailer: &Mailer, m: &Due) -> Result<(), Failure> {
    let to: Mailbox = m.to_addr.parse().map_err(|e| Failure {
        error: format!("bad recipient: {e}"),
        permanent: true,
    })?;
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(&m.subject)
        .body(m.body.clone())
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

async fn record_failure(
    state: &AppState,
    id: &str,
    attempts: i64,
    error: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    let error: String = error.chars().take(500).collect();
    sqlx::query("UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?")
        .bind(attempts)
        .bind(error)
        .bind(now + backoff(attempts))
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(())
}

/// Runs delivery every few seconds, for ever.
pub fn spawn(state: AppState, mailer: Mailer) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            tick.tick().await;
            match deliver_due(&state, &mailer).await {
                Ok(n) if n > 0 => tracing::info!(emails = n, "emails sent"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "email delivery run failed"),
            }
        }
    });
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
