//! The whole HTTP application: API, SPA files, and the layers around them.

use std::path::PathBuf;

use axum::Router;
use tower_http::compression::CompressionLayer;

use crate::state::AppState;

pub fn build(state: AppState, spa_dir: Option<PathBuf>) -> Router {
    let mut app = crate::api::router(state);
    if let Some(dir) = spa_dir {
        app = app.merge(crate::spa::router(dir));
    }
    app.layer(axum::middleware::from_fn(crate::headers::security))
        .layer(CompressionLayer::new().br(true).gzip(true))
}

/// Periodic housekeeping: drop dead sessions, queue due reminders. Safe to
/// run on every instance (each step claims its work in the database).
pub fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            match crate::session::purge_expired(&state).await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "purged expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
            match crate::reminders::send_due(&state).await {
                Ok(n) if n > 0 => tracing::info!(emails = n, "queued MFA enrolment reminders"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder run failed"),
            }
        }
    });
}
