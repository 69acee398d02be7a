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
use crate::wake::Notifier;

#[derive(Debug, Serialize, Deserialize)]
pub struct ClockState {
    /// Unix seconds.
    pub now: i64,
}

#[derive(Debug, Deserialize)]
pub struct Advance {
    pub seconds: i64,
}

/// The clock, and the wake-ups of this process: waiters (a browser's push
/// long-poll) read again when time jumps, so an expiry shows at once.
#[derive(Clone)]
struct TestClock {
    clock: ManualClock,
    wake: Notifier,
}

pub fn router(clock: ManualClock, wake: Notifier) -> Router {
    Router::new()
        .route("/api/test/clock", get(read).post(advance))
        .with_state(TestClock { clock, wake })
}

async fn read(State(t): State<TestClock>) -> Json<ClockState> {
    Json(ClockState { now: t.clock.now() })
}

async fn advance(State(t): State<TestClock>, Json(a): Json<Advance>) -> Json<ClockState> {
    t.clock.advance(a.seconds);
    t.wake.wake_everyone_here();
    Json(ClockState { now: t.clock.now() })
}
