//! `--fake-clock`: a server whose time moves only when a test says so, for
//! browser tests of expiry, enrollment periods and TOTP steps without
//! waiting. It lets anyone move time, so it exists only in builds with the
//! `test-clock` cargo feature, which only the test command enables: a
//! release binary has no flag, no environment variable and no route for it.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, ManualClock};

#[derive(Debug, Serialize, Deserialize)]
pub struct ClockState {
    /// Unix seconds.
    pub now: i64,
}

#[derive(Debug, Deserialize)]
pub struct Advance {
    pub seconds: i64,
}

pub fn router(clock: ManualClock) -> Router {
    Router::new()
        .route("/api/test/clock", get(read).post(advance))
        .with_state(clock)
}

async fn read(State(clock): State<ManualClock>) -> Json<ClockState> {
    Json(ClockState { now: clock.now() })
}

async fn advance(State(clock): State<ManualClock>, Json(a): Json<Advance>) -> Json<ClockState> {
    clock.advance(a.seconds);
    Json(ClockState { now: clock.now() })
}
