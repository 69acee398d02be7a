#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic
//! TOTP MFA: requirement and enrolment period, the login state machine,
//! enrolment, codes at login, reset, reminders and the admin API.
mod common;

use common::{json, session_cookie, TestServer, PASSWORD};
use portcullis_server::mfa::DAY;
use portcullis_server::totp::{code_at, step_of};
use serde_json::{json, Value};

async fn admin(s: &TestServer) -> reqwest::Client {
    let c = s.client();
    let (status, body) = json(s.login(&c, "admin@example.com", PASSWORD).await).await;
    assert_eq!((status, body["next"].as_str()), (200, Some("done")));
    c
}

async fn user_id(s: &TestServer, admin: &reqwest::Client, email: &str) -> String {
    let (status, page) = json(
        admin
            .get(s.url(&format!("/api/v1/admin/users?search={email}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    page["users"][0]["id"].as_str().unwrap().to_string()
}

async fn require(s: &TestServer, email: &str, body: Value) -> (u16, Value) {
    let a = admin(s).await;
    let id = user_id(s, &a, email).await;
    json(
        a.post(s.url(&format!("/api/v1/admin/users/{id}/require-mfa")))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn post(s: &TestServer, c: &reqwest::Client, path: &str, body: Value) -> (u16, Value) {
    json(c.post(s.url(path)).json(&body).send().await.unwrap()).await
}

fn code(secret: &str, s: &TestServer, steps_off: i64) -> String {
    code_at(secret, step_of(s.clock_now()) + steps_off).unwrap()
}

trait Now {
    fn clock_now(&self) -> i64;
}
impl Now for TestServer {
    fn clock_now(&self) -> i64 {
        use portcullis_server::clock::Clock;
        self.clock.now()
    }
}

/// Logs `email` in (password only) and enrols an authenticator; returns the
/// signed-in client and the secret.
async fn enrolled(s: &TestServer, email: &str) -> (reqwest::Client, String) {
    let (status, _) = require(s, email, json!({ "period_days": 7 })).await;
    assert_eq!(status, 200);
    let c = s.client();
    let (_, body) = json(s.login(&c, email, PASSWORD).await).await;
    assert_eq!(body["next"], "enroll", "{body}");
    let (status, e) = post(s, &c, "/api/v1/totp/enrol", json!({})).await;
    assert_eq!(status, 200, "{e}");
    let secret = e["secret"].as_str().unwrap().to_string();
    let (status, body) = post(
        s,
        &c,
        "/api/v1/totp/confirm",
        json!({ "code": code(&secret, s, 0) }),
    )
    .await;
    assert_eq!(
        (status, body["next"].as_str()),
        (200, Some("done")),
        "{body}"
    );
    // the next code must come from a later step
    s.clock.advance(30);
    (c, secret)
}

#[tokio::test]
async fn status_across_the_enrolment_period() {
    let s = TestServer::start().await;
    let (status, u) = require(&s, "ivan@example.com", json!({ "period_days": 7 })).await;
    assert_eq!(status, 200);
    assert_eq!(
        u["mfa"],
        json!({ "status": "enrolment_period", "days_left": 7 })
    );

    let next = |body: Value| {
        (
            body["next"].as_str().unwrap().to_string(),
            body["days_left"].clone(),
        )
    };
    let (_, b) = json(s.login(&s.client(), "ivan@example.com", PASSWORD).await).await;
    assert_eq!(next(b), ("enroll".to_string(), json!(7)));
    // day N-1 (the last day): one day left
    s.clock.advance(6 * DAY);
    let (_, b) = json(s.login(&s.client(), "ivan@example.com", PASSWORD).await).await;
    assert_eq!(next(b.clone()), ("enroll".to_string(), json!(1)));
    assert_eq!(b["mandatory"], false);
    // day N: over, locked, and no session is created
    s.clock.advance(DAY);
    let resp = s.login(&s.client(), "ivan@example.com", PASSWORD).await;
    assert!(session_cookie(&resp).is_none());
    let (status, b) = json(resp).await;
    assert_eq!((status, b["next"].as_str()), (200, Some("locked")));
    assert!(
        b["message"].as_str().unwrap().contains("administrator"),
        "{b}"
    );
    // day N+1: still locked
    s.clock.advance(DAY);
    let (_, b) = json(s.login(&s.client(), "ivan@example.com", PASSWORD).await).await;
    assert_eq!(b["next"], "locked");

    // an admin's Reset MFA starts a new period from today
    let a = admin(&s).await;
    let id = user_id(&s, &a, "ivan@example.com").await;
    let (status, u) = post(
        &s,
        &a,
        &format!("/api/v1/admin/users/{id}/reset-mfa"),
        json!({ "period_days": 3 }),
    )
    .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(
        u["mfa"],
        json!({ "status": "enrolment_period", "days_left": 3 })
    );
    let (_, b) = json(s.login(&s.client(), "ivan@example.com", PASSWORD).await).await;
    assert_eq!(next(b), ("enroll".to_string(), json!(3)));
}

#[tokio::test]
async fn enrolment_activates_the_factor_only_after_a_valid_first_code() {
    let s = TestServer::start().await;
    require(&s, "ivan@example.com", json!({})).await; // default period: 7 days
    let c = s.client();
    let first = session_cookie(&s.login(&c, "ivan@example.com", PASSWORD).await).unwrap();

    // password only: no portal, no admin, but the MFA endpoints
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        401
    );
    let (status, m) = json(c.get(s.url("/api/v1/mfa")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        m["status"],
        json!({ "status": "enrolment_period", "days_left": 7 })
    );
    assert_eq!(m["totp"], json!({ "state": "not_set_up" }));

    let (status, e) = post(&s, &c, "/api/v1/totp/enrol", json!({})).await;
    assert_eq!(status, 200);
    let secret = e["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160-bit key in base32");
    assert_eq!(
        e["uri"],
        format!("otpauth://totp/Portcullis:ivan@example.com?secret={secret}&issuer=Portcullis&algorithm=SHA1&digits=6&period=30")
    );
    let (_, m) = json(c.get(s.url("/api/v1/mfa")).send().await.unwrap()).await;
    assert_eq!(m["totp"], json!({ "state": "pending" }));

    // a wrong first code leaves it pending
    let wrong = if code(secret, &s, 0) == "123456" {
        "654321"
    } else {
        "123456"
    };
    let (status, b) = post(&s, &c, "/api/v1/totp/confirm", json!({ "code": wrong })).await;
    assert_eq!((status, b["code"].as_str()), (401, Some("wrong_code")));
    let (status, b) = post(&s, &c, "/api/v1/totp/confirm", json!({ "code": "12345" })).await;
    assert_eq!(status, 422);
    assert_eq!(
        b["message"],
        "Enter the 6-digit code from your authenticator app."
    );

    let resp = c
        .post(s.url("/api/v1/totp/confirm"))
        .json(&json!({ "code": code(secret, &s, 0) }))
        .send()
        .await
        .unwrap();
    let second = session_cookie(&resp).expect("a new session id after MFA");
    assert_ne!(first, second);
    let (status, b) = json(resp).await;
    assert_eq!((status, b["next"].as_str()), (200, Some("done")));
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        200
    );
    let (_, m) = json(c.get(s.url("/api/v1/mfa")).send().await.unwrap()).await;
    assert_eq!(m["status"], json!({ "status": "active" }));

    // enrolling again is refused while one is active
    let (status, b) = post(&s, &c, "/api/v1/totp/enrol", json!({})).await;
    assert_eq!((status, b["code"].as_str()), (409, Some("already_set_up")));

    let id = user_id(&s, &admin(&s).await, "ivan@example.com").await;
    let mails = portcullis_server::email::kinds_for(&s.state.db, &id)
        .await
        .unwrap();
    assert_eq!(mails, ["mfa_required", "mfa_setup_complete"]);
}

async fn start(s: &TestServer) -> reqwest::Client {
    let c = s.client();
    let (_, b) = json(s.login(&c, "judy@example.com", PASSWORD).await).await;
    assert_eq!(b["next"], "mfa");
    assert_eq!(b["factors"], json!(["totp"]));
    c
}

#[tokio::test]
async fn login_with_a_code_accepts_one_step_of_skew_and_no_replay() {
    let s = TestServer::start().await;
    let (c, secret) = enrolled(&s, "judy@example.com").await;
    c.post(s.url("/api/v1/logout")).send().await.unwrap();
    // well past the step used at enrolment
    s.clock.advance(120);

    // ±2 steps: refused
    let c = start(&s).await;
    for off in [-2, 2] {
        let (status, b) = post(
            &s,
            &c,
            "/api/v1/login/totp",
            json!({ "code": code(&secret, &s, off) }),
        )
        .await;
        assert_eq!(
            (status, b["code"].as_str()),
            (401, Some("wrong_code")),
            "offset {off}"
        );
    }
    // -1 step: accepted
    let (status, b) = post(
        &s,
        &c,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, -1) }),
    )
    .await;
    assert_eq!((status, b["next"].as_str()), (200, Some("done")), "{b}");
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        200
    );

    // the same code again (a replay, e.g. from a shoulder-surfer): refused
    let c2 = start(&s).await;
    let (status, b) = post(
        &s,
        &c2,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, -1) }),
    )
    .await;
    assert_eq!(
        (status, b["code"].as_str()),
        (401, Some("code_already_used"))
    );
    // the current step is newer: accepted once, then a replay too
    let (status, _) = post(
        &s,
        &c2,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, 0) }),
    )
    .await;
    assert_eq!(status, 200);
    let c3 = start(&s).await;
    let (status, b) = post(
        &s,
        &c3,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, 0) }),
    )
    .await;
    assert_eq!(
        (status, b["code"].as_str()),
        (401, Some("code_already_used"))
    );
    // +1 step (a phone running fast): accepted
    let (status, _) = post(
        &s,
        &c3,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, 1) }),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_codes_are_throttled_until_the_block_ends() {
    let s = TestServer::start().await;
    let (_, secret) = enrolled(&s, "mallory@example.com").await;
    let c = s.client();
    s.login(&c, "mallory@example.com", PASSWORD).await;
    let good = code(&secret, &s, 0);
    let bad = if good == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        let (status, _) = post(&s, &c, "/api/v1/login/totp", json!({ "code": bad })).await;
        assert_eq!(status, 401);
    }
    // blocked even for the right code
    let (status, b) = post(&s, &c, "/api/v1/login/totp", json!({ "code": good })).await;
    assert_eq!(
        (status, b["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    assert_eq!(b["retry_after"], 30);
    s.clock.advance(29);
    let (status, _) = post(
        &s,
        &c,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, 0) }),
    )
    .await;
    assert_eq!(status, 429);
    s.clock.advance(1);
    // one more failure doubles the block
    let (status, _) = post(&s, &c, "/api/v1/login/totp", json!({ "code": bad })).await;
    assert_eq!(status, 401);
    let (status, b) = post(
        &s,
        &c,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, 0) }),
    )
    .await;
    assert_eq!((status, b["retry_after"].as_u64()), (429, Some(60)));
    s.clock.advance(60);
    let (status, b) = post(
        &s,
        &c,
        "/api/v1/login/totp",
        json!({ "code": code(&secret, &s, 0) }),
    )
    .await;
    assert_eq!(status, 200, "{b}");
}

#[tokio::test]
async fn reset_needs_a_valid_code_then_leads_to_a_new_enrolment() {
    let s = TestServer::start().await;
    let (c, secret) = enrolled(&s, "ivan@example.com").await;
    let good = code(&secret, &s, 0);
    let bad = if good == "000000" { "111111" } else { "000000" };
    let (status, b) = post(&s, &c, "/api/v1/totp/reset", json!({ "code": bad })).await;
    assert_eq!((status, b["code"].as_str()), (401, Some("wrong_code")));
    let (_, m) = json(c.get(s.url("/api/v1/mfa")).send().await.unwrap()).await;
    assert_eq!(
        m["totp"]["state"], "active",
        "a wrong code must not remove the factor"
    );

    let (status, m) = post(&s, &c, "/api/v1/totp/reset", json!({ "code": good })).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["totp"], json!({ "state": "not_set_up" }));
    // still required: set up now (in this session) or at the next login
    assert_eq!(m["status"], json!({ "status": "required_no_period" }));

    // straight into a new enrolment, same session
    let (status, e) = post(&s, &c, "/api/v1/totp/enrol", json!({})).await;
    assert_eq!(status, 200);
    let new_secret = e["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    // The new app's code in the step the reset used: refused as a reuse of
    // that step, but not counted as a guess (four tries stay unblocked).
    for _ in 0..4 {
        let (status, b) = post(
            &s,
            &c,
            "/api/v1/totp/confirm",
            json!({ "code": code(&new_secret, &s, 0) }),
        )
        .await;
        assert_eq!(
            (status, b["code"].as_str()),
            (401, Some("code_already_used"))
        );
    }
    s.clock.advance(30);
    let (status, _) = post(
        &s,
        &c,
        "/api/v1/totp/confirm",
        json!({ "code": code(&new_secret, &s, 0) }),
    )
    .await;
    assert_eq!(status, 200);
    let id = user_id(&s, &admin(&s).await, "ivan@example.com").await;
    let mails = portcullis_server::email::kinds_for(&s.state.db, &id)
        .await
        .unwrap();
    assert_eq!(
        mails,
        [
            "mfa_required",
            "mfa_setup_complete",
            "authenticator_removed",
            "mfa_setup_complete"
        ]
    );

    // a half-signed-in session cannot reset
    c.post(s.url("/api/v1/logout")).send().await.unwrap();
    let c = s.client();
    s.login(&c, "ivan@example.com", PASSWORD).await;
    let (status, _) = post(
        &s,
        &c,
        "/api/v1/totp/reset",
        json!({ "code": code(&new_secret, &s, 0) }),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn remind_me_later_only_while_days_are_left() {
    let s = TestServer::start().await;
    require(&s, "ivan@example.com", json!({ "period_days": 2 })).await;
    let c = s.client();
    s.login(&c, "ivan@example.com", PASSWORD).await;
    let (status, b) = post(&s, &c, "/api/v1/login/skip-enrolment", json!({})).await;
    assert_eq!((status, b["next"].as_str()), (200, Some("done")));
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        200
    );

    // no period: mandatory, cannot be skipped
    let (status, _) = require(&s, "judy@example.com", json!({ "period_days": null })).await;
    assert_eq!(status, 200);
    let c = s.client();
    let (_, b) = json(s.login(&c, "judy@example.com", PASSWORD).await).await;
    assert_eq!(
        b,
        json!({ "next": "enroll", "mandatory": true, "days_left": null })
    );
    let (status, b) = post(&s, &c, "/api/v1/login/skip-enrolment", json!({})).await;
    assert_eq!((status, b["code"].as_str()), (403, Some("not_allowed_now")));
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        401
    );
}

#[tokio::test]
async fn the_reminder_goes_out_once_24_hours_before_the_deadline() {
    let s = TestServer::start().await;
    // the demo's last-day user is due at once; send it out of the way
    portcullis_server::reminders::send_due(&s.state)
        .await
        .unwrap();
    // 5 days: not the same deadline as the demo's 7-day user
    require(&s, "ivan@example.com", json!({ "period_days": 5 })).await;
    let id = user_id(&s, &admin(&s).await, "ivan@example.com").await;
    let reminders = || async {
        portcullis_server::email::kinds_for(&s.state.db, &id)
            .await
            .unwrap()
            .into_iter()
            .filter(|k| k == "mfa_reminder")
            .count()
    };
    s.clock.advance(4 * DAY - 1);
    assert_eq!(
        portcullis_server::reminders::send_due(&s.state)
            .await
            .unwrap(),
        0
    );
    s.clock.advance(1);
    assert_eq!(
        portcullis_server::reminders::send_due(&s.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(reminders().await, 1);
    s.clock.advance(3600);
    assert_eq!(
        portcullis_server::reminders::send_due(&s.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(reminders().await, 1);
    // a new deadline earns a new reminder
    let a = admin(&s).await;
    post(
        &s,
        &a,
        &format!("/api/v1/admin/users/{id}/require-mfa"),
        json!({ "period_days": 2 }),
    )
    .await;
    s.clock.advance(DAY);
    assert_eq!(
        portcullis_server::reminders::send_due(&s.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(reminders().await, 2);
}

#[tokio::test]
async fn period_validation() {
    let s = TestServer::start().await;
    for bad in [0, 366] {
        let (status, b) = require(&s, "ivan@example.com", json!({ "period_days": bad })).await;
        assert_eq!(status, 422, "{bad}");
        assert_eq!(
            b["message"],
            format!("The enrolment period must be between 1 and 365 days (got {bad}).")
        );
    }
    let (status, _) = require(&s, "ivan@example.com", json!({ "period_days": -3 })).await;
    assert_eq!(status, 422);
    let (status, u) = require(&s, "ivan@example.com", json!({ "period_days": 365 })).await;
    assert_eq!(status, 200);
    assert_eq!(u["mfa"]["days_left"], 365);
    let (status, u) = require(&s, "ivan@example.com", json!({ "period_days": 1 })).await;
    assert_eq!(status, 200);
    assert_eq!(u["mfa"]["days_left"], 1);
}

#[tokio::test]
async fn admin_api_is_for_admins_only() {
    let s = TestServer::start().await;
    let c = s.client();
    s.login(&c, "alice@example.com", PASSWORD).await;
    let (status, b) = json(c.get(s.url("/api/v1/admin/users")).send().await.unwrap()).await;
    assert_eq!((status, b["code"].as_str()), (403, Some("forbidden")));
    let a = admin(&s).await;
    let (status, _) = post(
        &s,
        &a,
        "/api/v1/admin/users/no-such-id/require-mfa",
        json!({}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn admin_list_pages_and_shows_every_status() {
    let s = TestServer::start().await;
    let a = admin(&s).await;
    let mut after: Option<String> = None;
    let mut all = Vec::new();
    loop {
        let url = match &after {
            Some(x) => s.url(&format!("/api/v1/admin/users?limit=5&after={x}")),
            None => s.url("/api/v1/admin/users?limit=5"),
        };
        let (status, page) = json(a.get(url).send().await.unwrap()).await;
        assert_eq!(status, 200);
        let users = page["users"].as_array().unwrap().clone();
        assert!(users.len() <= 5);
        all.extend(users);
        match page["next_after"].as_str() {
            Some(x) => after = Some(x.to_string()),
            None => break,
        }
    }
    assert_eq!(all.len(), portcullis_server::demo::USERS.len());
    let emails: Vec<&str> = all.iter().map(|u| u["email"].as_str().unwrap()).collect();
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    let mut statuses: Vec<String> = all
        .iter()
        .map(|u| u["mfa"]["status"].as_str().unwrap().to_string())
        .collect();
    statuses.sort();
    statuses.dedup();
    assert_eq!(
        statuses,
        [
            "active",
            "enrolment_expired",
            "enrolment_period",
            "none",
            "required_no_period",
            "set_up_not_required"
        ]
    );
    // search by name start
    let (_, page) = json(
        a.get(s.url("/api/v1/admin/users?search=Car"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["users"].as_array().unwrap().len(), 1);
    assert_eq!(page["users"][0]["email"], "carol@example.com");
    // LIKE wildcards are literal
    let (_, page) = json(
        a.get(s.url("/api/v1/admin/users?search=%25"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["users"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn demo_users_in_mfa_states_log_in_accordingly() {
    let s = TestServer::start().await;
    for (email, next) in [
        ("bob@example.com", "mfa"),
        ("frank@example.com", "mfa"),
        ("carol@example.com", "enroll"),
        ("heidi@example.com", "enroll"),
        ("erin@example.com", "locked"),
        ("alice@example.com", "done"),
    ] {
        let (_, b) = json(s.login(&s.client(), email, PASSWORD).await).await;
        assert_eq!(b["next"], next, "{email}");
    }
}

#[tokio::test]
async fn a_restarted_enrolment_cannot_be_confirmed_with_the_old_secret() {
    let s = TestServer::start().await;
    require(&s, "ivan@example.com", json!({ "period_days": 7 })).await;
    let c = s.client();
    s.login(&c, "ivan@example.com", PASSWORD).await;
    let (_, first) = post(&s, &c, "/api/v1/totp/enrol", json!({})).await;
    let (_, second) = post(&s, &c, "/api/v1/totp/enrol", json!({})).await;
    let old = first["secret"].as_str().unwrap();
    let new = second["secret"].as_str().unwrap();
    assert_ne!(old, new);
    let (status, b) = post(
        &s,
        &c,
        "/api/v1/totp/confirm",
        json!({ "code": code(old, &s, 0) }),
    )
    .await;
    assert_eq!((status, b["code"].as_str()), (401, Some("wrong_code")));
    let (status, _) = post(
        &s,
        &c,
        "/api/v1/totp/confirm",
        json!({ "code": code(new, &s, 0) }),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_admin_reset_ends_the_users_sessions() {
    let s = TestServer::start().await;
    let (c, _) = enrolled(&s, "ivan@example.com").await;
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        200
    );
    let a = admin(&s).await;
    let id = user_id(&s, &a, "ivan@example.com").await;
    let (status, u) = post(
        &s,
        &a,
        &format!("/api/v1/admin/users/{id}/reset-mfa"),
        json!({ "period_days": 7 }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(u["totp"], json!({ "state": "not_set_up" }));
    assert_eq!(
        c.get(s.url("/api/v1/me")).send().await.unwrap().status(),
        401
    );
}
