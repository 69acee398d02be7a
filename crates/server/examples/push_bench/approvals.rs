//! Approval latency: the device approves, the browser's long-poll answers
//! "approved". Each round is one login at its push step: the browser sends
//! the push and waits on the first instance; the phone reads its pending
//! list (as the app learns of a push; this also opens its connection) and
//! approves through the instance its link named.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use portcullis_api::protect::{PushStarted, PushStatus, PushWait};
use portcullis_api::{FactorKind, LoginResponse};
use portcullis_protect::client::Device;
use portcullis_protect::state::State;
use reqwest::blocking::Client;

use crate::browser::Browser;

/// Time for the browser's wait to reach the server and park before the
/// approval is sent, as it has when a person takes the phone in hand.
/// Were it not parked yet, the round would read the answer straight away
/// and time less, never more.
pub const PARKED: Duration = Duration::from_millis(100);

/// One round's times.
pub struct Round {
    /// From just before the signed approve is sent until the browser's
    /// wait has answered "approved".
    pub approved: Duration,
    /// The approve request alone, until its answer.
    pub request: Duration,
}

/// A browser signed in with the password at `base`, at the push step.
pub fn at_push_step<'a>(http: &'a Client, base: &str, email: &str) -> anyhow::Result<Browser<'a>> {
    let (browser, answer) = Browser::login(http, base, email)?;
    match answer {
        LoginResponse::Mfa { factors } if factors.contains(&FactorKind::Push) => Ok(browser),
        other => bail!("{email}: the login answered {other:?}, not the push step"),
    }
}

/// One timed approval of `email`'s login: the browser on `browser_base`,
/// the phone wherever its state says.
pub fn round(
    http: &Client,
    browser_base: &str,
    email: &str,
    phone: &State,
) -> anyhow::Result<Round> {
    let browser = at_push_step(http, browser_base, email)?;
    let push: PushStarted = browser.post(browser_base, "/api/v1/login/push")?;
    let device = Device::new(phone)?;
    let pending = device.pending(0)?;
    ensure!(
        pending.iter().any(|p| p.id == push.id),
        "{email}: the push did not reach the device"
    );
    let wait_path = format!("/api/v1/login/push/{}/wait?wait=30", push.id);
    std::thread::scope(|s| {
        let waiting = s.spawn(|| {
            let answer: PushWait = browser.post(browser_base, &wait_path)?;
            anyhow::Ok((Instant::now(), answer))
        });
        std::thread::sleep(PARKED);
        let t0 = Instant::now();
        let approved = device.approve(&push.id, u32::from(push.number), false);
        let request = t0.elapsed();
        let waited = waiting
            .join()
            .map_err(|_| anyhow::anyhow!("the browser's wait panicked"))?;
        approved?;
        let (t1, answer) = waited?;
        ensure!(
            answer.status == PushStatus::Approved
                && matches!(answer.login, Some(LoginResponse::Done { .. })),
            "{email}: the wait answered {answer:?}"
        );
        Ok(Round {
            approved: t1.saturating_duration_since(t0),
            request,
        })
    })
}
