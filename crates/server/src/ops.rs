//! Operations: whether this instance can serve (`/readyz`), the metrics'
//! text (`/metrics`) and who may read it. No axum here; `http/ops.rs`
//! answers with these.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::Internal;
use crate::metrics::{self, Gauges};
use crate::notify::mailer::MAX_ATTEMPTS;
use crate::store;

/// A readiness check gives up after this long: a load balancer asks often
/// and must not pile up waiting requests on a stuck database.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// Ready when the database answers and has every migration this binary
/// carries; otherwise why not, in words.
pub async fn readiness(state: &AppState) -> Result<(), String> {
    let check = store::missing_migrations(&state.db);
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(missing)) => match missing.first() {
            None => Ok(()),
            Some(first) => Err(format!(
                "The database lacks {} of this version's migrations (first missing: {first}). \
                 Restart this instance to migrate it.",
                missing.len()
            )),
        },
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: the database did not answer");
            Err("The database does not answer.".to_string())
        }
        Err(_) => Err(format!(
            "The database did not answer within {} seconds.",
            READY_TIMEOUT.as_secs()
        )),
    }
}

/// Whether `presented` (the bearer token of a request) is the configured
/// metrics token. Both are hashed first, so the comparison takes the same
/// time whatever the lengths and wherever they differ.
pub fn metrics_token_ok(state: &AppState, presented: Option<&str>) -> bool {
    let (Some(want), Some(got)) = (state.settings.metrics_token.as_ref(), presented) else {
        return false;
    };
    let a = Sha256::digest(want.expose().as_bytes());
    let b = Sha256::digest(got.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The metrics in Prometheus' text format: this process's counters and
/// the queues read from the database now.
pub async fn metrics_text(state: &AppState) -> Result<String, Internal> {
    let gauges = Gauges {
        outbox_waiting: store::ops::outbox_waiting(&state.db, MAX_ATTEMPTS).await?,
        pending_pushes: store::ops::pending_pushes(&state.db, state.now()).await?,
        pool_size: state.db.size(),
        pool_idle: state.db.num_idle(),
    };
    Ok(metrics::render(&gauges))
}
