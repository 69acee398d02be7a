//! Protect push under the organisation's settings: the limit of pushes
//! waiting at once (on with 1, off, 3) for unknown browsers and one slot
//! per login for a browser the user signed in with before, push switched
//! off (a login neither offers nor sends one), and the biometric policy
//! (never, if enabled, always) for devices that can verify their user and
//! one that cannot, approving with and without user verification.

use portcullis_api::protect::{PushOutcomeKind, PushStarted, PushStatus, UserVerification};
use portcullis_api::{ErrorCode, FactorKind, LoginResponse, MfaSettings};
use serde_json::{json, Value};

use crate::client::{Answer, Api};
use crate::device::{self, Device};
use crate::fixtures::{TestServer, PASSWORD};
use crate::push::{event_kinds, push_login, user_with_device, wait};

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";
const JUDY: &str = "judy@example.com";

/// Changes the organisation's settings as the billing administrator.
pub(crate) async fn set(s: &TestServer, body: Value) -> MfaSettings {
    let (admin, _) = s.admin().await;
    let resp = admin
        .http
        .patch(admin.url("/api/v1/admin/settings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    Api::read(resp).await.ok()
}

async fn another(api: &Api) -> crate::client::Answer<PushStarted> {
    api.post_empty("/api/v1/login/push").await
}

fn refusals(events: &[(String, String)]) -> usize {
    events
        .iter()
        .filter(|(k, d)| k == "push_mfa_attempt_failed" && d == "too many concurrent push requests")
        .count()
}

#[tokio::test]
async fn with_the_limit_on_a_second_push_waits_for_the_first() {
    let s = TestServer::start().await;
    let (id, _d) = user_with_device(&s, ALICE).await;
    let (api, _) = push_login(&s, ALICE).await;
    s.advance(15);
    let busy = another(&api).await;
    assert_eq!(busy.status, 429);
    let e = busy.err();
    assert_eq!(e.code, ErrorCode::TooManyAttempts);
    assert_eq!(e.retry_after, Some(45));
    assert!(
        e.message.contains("send another in 45 seconds"),
        "{}",
        e.message
    );
    assert_eq!(refusals(&event_kinds(&s, &id).await), 1);
}

/// `email`'s password login in `browser`, at its second step.
async fn at_second_step(browser: &Api, email: &str) {
    let answer = browser.login(email, PASSWORD).await.ok();
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
}

/// Whether an answer set a device cookie (the browser signed in).
fn sets_device_cookie<T>(a: &Answer<T>) -> bool {
    a.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("portcullis_device="))
}

#[tokio::test]
async fn the_owners_browser_has_a_slot_per_login_that_a_password_alone_cannot_take() {
    let s = TestServer::start().await;
    // The owner's browser signs in (the password alone, before push) and
    // enrolls the phone: it holds a device cookie.
    let (owner, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    let id = owner.me().await.ok().id;
    let d = Device::for_user(&s, &owner).await;
    owner.logout().await.ok();
    // Someone holding only the password: their login gets no device
    // cookie, and their push takes the slot unknown browsers share.
    let attacker = s.api();
    let half = attacker.login(ALICE, PASSWORD).await;
    assert!(
        !sets_device_cookie(&half),
        "a password alone vouches for nothing"
    );
    let theirs: PushStarted = another(&attacker).await.ok();
    // The owner's login from their own browser still gets its push.
    s.advance(5);
    at_second_step(&owner, ALICE).await;
    let mine: PushStarted = another(&owner).await.ok();
    // One at a time per login, though.
    let busy = another(&owner).await;
    assert_eq!(busy.fail(), (429, ErrorCode::TooManyAttempts));
    // Any other browser meets the organisation's limit: one waits already.
    let stranger = s.api();
    // So does a browser with another account's device cookie.
    let (ivans, answer) = s.password_login(IVAN).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    ivans.logout().await.ok();
    for browser in [&stranger, &ivans] {
        at_second_step(browser, ALICE).await;
        let refused = another(browser).await.fail();
        assert_eq!(refused, (429, ErrorCode::TooManyAttempts));
    }
    assert_eq!(refusals(&event_kinds(&s, &id).await), 3);
    // The phone shows both; the owner approves theirs (the number is on
    // their screen), and the login that the push finishes sets the device
    // cookie again.
    let pending: Vec<String> = d.pending(0).await.ok().into_iter().map(|p| p.id).collect();
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending.contains(&theirs.id) && pending.contains(&mine.id));
    d.approve(&mine.id, i64::from(mine.number)).await.ok();
    let done = wait(&owner, &mine.id, 5).await;
    assert!(
        sets_device_cookie(&done),
        "a finished login renews the cookie"
    );
    assert_eq!(done.ok().status, PushStatus::Approved);
    assert_eq!(owner.me().await.ok().email, ALICE);
}

#[tokio::test]
async fn with_the_limit_off_pushes_do_not_wait_for_each_other() {
    let s = TestServer::start().await;
    let (id, d) = user_with_device(&s, ALICE).await;
    let settings = set(&s, json!({"push_limit_enabled": false})).await;
    assert!(!settings.push_limit_enabled);
    let (api, first) = push_login(&s, ALICE).await;
    let second = another(&api).await.ok();
    let third = another(&api).await.ok();
    let pending: Vec<String> = d.pending(0).await.ok().into_iter().map(|p| p.id).collect();
    assert_eq!(pending.len(), 3);
    for p in [&first, &second, &third] {
        assert!(pending.contains(&p.id), "{pending:?}");
    }
    assert_eq!(refusals(&event_kinds(&s, &id).await), 0);
}

#[tokio::test]
async fn with_a_limit_of_three_the_fourth_is_refused_until_the_first_frees() {
    let s = TestServer::start().await;
    let (id, _d) = user_with_device(&s, ALICE).await;
    let settings = set(&s, json!({"push_max_concurrent": 3})).await;
    assert!(settings.push_limit_enabled);
    assert_eq!(settings.push_max_concurrent, 3);
    let (api, _first) = push_login(&s, ALICE).await;
    s.advance(10);
    another(&api).await.ok();
    s.advance(10);
    another(&api).await.ok();
    let busy = another(&api).await;
    assert_eq!(busy.status, 429);
    let e = busy.err();
    // the first of the three frees 40 s from now
    assert_eq!(e.retry_after, Some(40));
    assert!(e.message.starts_with("3 pushes"), "{}", e.message);
    assert!(e.message.contains("in 40 seconds"), "{}", e.message);
    assert_eq!(refusals(&event_kinds(&s, &id).await), 1);
    s.advance(40);
    another(&api).await.ok();
}

#[tokio::test]
async fn with_push_off_a_login_neither_offers_nor_sends_a_push() {
    let s = TestServer::start().await;
    // Ivan has an authenticator app beside his device; Alice only the device.
    let (_, ivan_device) = user_with_device(&s, IVAN).await;
    let api = device::sign_in(&s, IVAN, &ivan_device).await;
    s.enroll_app(&api).await;
    api.logout().await.ok();
    user_with_device(&s, ALICE).await;
    let off = set(&s, json!({"allowed_factors": ["totp", "webauthn"]})).await;
    assert!(!off.allowed_factors.allows(FactorKind::Push));

    // Ivan is asked for his app only, and a push is refused in words.
    let (api, answer) = s.password_login(IVAN).await;
    assert_eq!(
        answer,
        LoginResponse::Mfa {
            factors: vec![FactorKind::Totp]
        }
    );
    assert!(!api.mfa().await.ok().factors.contains(&FactorKind::Push));
    let refused = another(&api).await;
    assert_eq!(refused.status, 403);
    let e = refused.err();
    assert_eq!(e.code, ErrorCode::FactorNotAllowed);
    assert!(
        e.message.contains("switched Protect push off"),
        "{}",
        e.message
    );
    assert!(ivan_device.pending(0).await.ok().is_empty());

    // Alice, whose only factor is push, signs in as a user without factors.
    let (_, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    // Required to have MFA, she is sent to set another factor up.
    s.require(ALICE, Some(7)).await;
    let (api, answer) = s.password_login(ALICE).await;
    assert!(
        matches!(
            answer,
            LoginResponse::Enroll {
                mandatory: false,
                ..
            }
        ),
        "{answer:?}"
    );
    assert_eq!(another(&api).await.status, 403);

    // Switched on again, push is offered again.
    set(&s, json!({"allowed_factors": ["totp", "webauthn", "push"]})).await;
    let (_, answer) = s.password_login(ALICE).await;
    assert_eq!(
        answer,
        LoginResponse::Mfa {
            factors: vec![FactorKind::Push]
        }
    );
}

/// `email` (no MFA) with a device enrolled that verifies its user by `uv`.
async fn user_with_device_verifying(s: &TestServer, email: &str, uv: UserVerification) -> Device {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Done { .. }), "{answer:?}");
    let d = Device::for_user_with(s, &api, uv).await;
    api.logout().await.ok();
    d
}

#[tokio::test]
async fn the_biometric_policy_by_device_and_answer() {
    use UserVerification::{Biometric, None as Cannot, Pin};
    let s = TestServer::start().await;
    let users = [(ALICE, Biometric), (JUDY, Pin), (IVAN, Cannot)];
    let mut devices = Vec::new();
    for (email, uv) in users {
        devices.push((email, uv, user_with_device_verifying(&s, email, uv).await));
    }
    // (policy, device's verification, approved with verification) →
    // (device told verification is required, approval counts)
    let expected = |policy: &str, uv: UserVerification, verified: bool| match (policy, uv) {
        ("never", _) => (false, true),
        ("if_enabled", Cannot) => (false, true),
        ("if_enabled", _) => (true, verified),
        ("always", Cannot) => (true, false),
        ("always", _) => (true, verified),
        _ => unreachable!(),
    };
    for policy in ["never", "if_enabled", "always"] {
        set(&s, json!({ "push_biometric": policy })).await;
        for (email, uv, d) in &devices {
            for verified in [true, false] {
                let case = format!("{policy}, {uv:?} device, verified: {verified}");
                let (required, counts) = expected(policy, *uv, verified);
                let (api, started) = push_login(&s, email).await;
                let pending = d.pending(0).await.ok();
                assert_eq!(pending[0].user_verification_required, required, "{case}");
                let number = i64::from(started.number);
                let outcome = d.approve_with(&started.id, number, verified).await.ok();
                let w = wait(&api, &started.id, 5).await.ok();
                if counts {
                    assert_eq!(outcome.outcome, PushOutcomeKind::Approved, "{case}");
                    assert_eq!(w.status, PushStatus::Approved, "{case}");
                    assert!(
                        matches!(w.login, Some(LoginResponse::Done { .. })),
                        "{case}"
                    );
                    continue;
                }
                assert_eq!(outcome.outcome, PushOutcomeKind::Denied, "{case}");
                let reason = outcome.reason.unwrap_or_default();
                assert!(
                    reason.contains("fingerprint, face or PIN"),
                    "{case}: {reason}"
                );
                assert_eq!(w.status, PushStatus::Denied, "{case}");
                assert!(w.login.is_none(), "{case}");
                let message = w.message.unwrap_or_default();
                assert!(
                    message.starts_with(
                        "The push was not accepted: your organisation requires you to \
                         confirm it with your fingerprint, face or PIN on the device"
                    ),
                    "{case}: {message}"
                );
                let cannot = *uv == Cannot;
                assert_eq!(reason.contains("enrolled without them"), cannot, "{case}");
                assert_eq!(message.contains("enrolled without them"), cannot, "{case}");
                assert_eq!(api.me().await.status, 401, "{case}: not signed in");
            }
        }
    }
    let id = s.user_id(&s.admin().await.0, IVAN).await;
    let events = event_kinds(&s, &id).await;
    assert!(
        events
            .iter()
            .any(|(k, d)| k == "push_denied" && d.contains("user verification")),
        "{events:?}"
    );
}

#[tokio::test]
async fn the_browser_is_told_why_a_push_was_denied() {
    let s = TestServer::start().await;
    let (_, d) = user_with_device(&s, ALICE).await;
    let (api, started) = push_login(&s, ALICE).await;
    let wrong = if started.number == 99 {
        10
    } else {
        started.number + 1
    };
    d.approve(&started.id, i64::from(wrong)).await.ok();
    let message = wait(&api, &started.id, 0)
        .await
        .ok()
        .message
        .unwrap_or_default();
    assert!(message.contains("the number typed"), "{message}");
    let started: PushStarted = api.post_empty("/api/v1/login/push").await.ok();
    d.deny(&started.id).await.ok();
    let message = wait(&api, &started.id, 0)
        .await
        .ok()
        .message
        .unwrap_or_default();
    assert_eq!(
        message,
        "The push was denied on your Protect device. Send another push, or use another factor."
    );
}
