//! Recovery codes: a set of ten shown once and stored only as keyed hashes,
//! each good for one login; a new set kills the old one; making one needs a
//! recent second factor; wrong codes are throttled on a counter of their
//! own (apart from the app's: `lockout.rs`); every use is recorded and
//! emailed; Reset MFA removes them.

use portcullis_api::input::{parse_recovery_code, RECOVERY_CODE_MAX_CHARS};
use portcullis_api::{
    ErrorCode, FactorKind, LoginResponse, MfaStatus, NewRecoveryCodes, RecoveryCodeRequest,
    RecoveryCodesStatus,
};
use portcullis_server::audit;
use portcullis_server::auth::throttle::CODE_ACCOUNT;
use portcullis_server::notify;

use crate::client::{Answer, Api};
use crate::fixtures::{backend, TestServer, BILLING_ADMIN, PASSWORD};

const JUDY: &str = "judy@example.com";

async fn generate(api: &Api) -> Answer<NewRecoveryCodes> {
    api.post_empty("/api/v1/recovery-codes").await
}

async fn codes_status(api: &Api) -> Answer<RecoveryCodesStatus> {
    api.get("/api/v1/recovery-codes").await
}

async fn login_code(api: &Api, code: &str) -> Answer<LoginResponse> {
    let req = RecoveryCodeRequest {
        code: code.into(),
        trust_browser: false,
    };
    api.post("/api/v1/login/recovery-code", &req).await
}

async fn user_id(s: &TestServer, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

/// Stored codes of `email`: (hash, used).
async fn stored(s: &TestServer, email: &str) -> Vec<(String, bool)> {
    let id = user_id(s, email).await;
    let rows: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT hash, used_at FROM recovery_codes WHERE user_id = $1")
            .bind(&id)
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(h, used)| (h, used.is_some()))
        .collect()
}

/// A user with an authenticator app and a fresh set of codes, signed in.
async fn with_codes(s: &TestServer, email: &str) -> (Api, String, Vec<String>) {
    let (api, key) = s.enrolled(email).await;
    let codes = generate(&api).await.ok().codes;
    (api, key, codes)
}

/// A new login of `email`, at the second-factor prompt.
async fn at_prompt(s: &TestServer, email: &str) -> Api {
    let (api, answer) = s.password_login(email).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }), "{answer:?}");
    api
}

#[tokio::test]
async fn a_set_is_ten_codes_shown_once_and_each_works_once() {
    let s = TestServer::start().await;
    let (api, _, codes) = with_codes(&s, JUDY).await;
    assert_eq!(codes.len(), 10);
    for c in &codes {
        assert_eq!(c.len(), 14, "{c}");
        assert_eq!(c.matches('-').count(), 2, "{c}");
        assert!(parse_recovery_code(c).is_ok(), "{c}");
    }
    let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 10);
    let st = codes_status(&api).await.ok();
    assert_eq!(
        st,
        RecoveryCodesStatus {
            left: 10,
            total: 10,
            generated_at: Some(s.now()),
            last_used_at: None
        }
    );
    api.logout().await.ok();

    // At the prompt, /mfa says codes can be offered; they are no factor.
    let c = at_prompt(&s, JUDY).await;
    let m = c.mfa().await.ok();
    assert_eq!(m.recovery_codes_left, 10);
    assert_eq!(m.factors, vec![FactorKind::Totp]);
    // Typed in lower case, without dashes, with blanks: the same code.
    let typed = format!(" {} ", codes[0].replace('-', "").to_lowercase());
    let done = login_code(&c, &typed).await;
    assert!(done.session_cookie().is_some(), "a new session id");
    assert!(matches!(done.ok(), LoginResponse::Done { .. }));
    assert_eq!(c.me().await.ok().email, JUDY);
    assert_eq!(c.mfa().await.ok().recovery_codes_left, 9);
    let st = codes_status(&c).await.ok();
    assert_eq!((st.left, st.last_used_at), (9, Some(s.now())));
    c.logout().await.ok();

    // The same code again: refused, in words, and no session.
    let c = at_prompt(&s, JUDY).await;
    let again = login_code(&c, &codes[0]).await;
    assert_eq!(again.status, 401);
    let body = again.err();
    assert_eq!(body.code, ErrorCode::CodeAlreadyUsed);
    assert!(body.message.contains("used already"), "{body:?}");
    assert_eq!(c.me().await.fail(), (401, ErrorCode::Unauthenticated));
    // Another code of the set still works.
    assert!(matches!(
        login_code(&c, &codes[1]).await.ok(),
        LoginResponse::Done { .. }
    ));
    assert_eq!(codes_status(&c).await.ok().left, 8);
    let used = stored(&s, JUDY).await;
    assert_eq!(used.iter().filter(|(_, u)| *u).count(), 2);
}

#[tokio::test]
async fn two_requests_with_one_code_sign_in_once() {
    let s = TestServer::start().await;
    let (api, _, codes) = with_codes(&s, JUDY).await;
    api.logout().await.ok();
    let a = at_prompt(&s, JUDY).await;
    let b = at_prompt(&s, JUDY).await;
    let (ra, rb) = tokio::join!(login_code(&a, &codes[3]), login_code(&b, &codes[3]));
    let mut statuses = [ra.status, rb.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401]);
}

#[tokio::test]
async fn each_use_is_recorded_and_emailed_with_what_is_left() {
    let s = TestServer::start().await;
    let (api, _, codes) = with_codes(&s, JUDY).await;
    api.logout().await.ok();
    let id = user_id(&s, JUDY).await;
    for (n, code) in codes.iter().take(2).enumerate() {
        let c = at_prompt(&s, JUDY).await;
        login_code(&c, code).await.ok();
        c.logout().await.ok();
        let left = 9 - n;
        let events = audit::about(&s.state.db, &id, 50).await.unwrap();
        let used: Vec<_> = events
            .iter()
            .filter(|e| e.kind == "recovery_code_used")
            .collect();
        assert_eq!(used.len(), n + 1);
        // (several events share a second: found by their words, not order)
        let this = used
            .iter()
            .find(|e| e.detail == format!("recovery code used; {left} left"))
            .unwrap_or_else(|| panic!("{used:?}"));
        assert_eq!(this.client_ip, "127.0.0.1");
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM outbox WHERE user_id = $1 AND kind = 'recovery_code_used' ORDER BY created_at, id",
        )
        .bind(&id)
        .fetch_all(&s.state.db)
        .await
        .unwrap();
        assert_eq!(bodies.len(), n + 1);
        let body = bodies
            .iter()
            .find(|b| b.contains(&format!("left: {left}.")));
        let body = body.unwrap_or_else(|| panic!("no email saying {left} left: {bodies:?}"));
        assert!(body.contains("If this was not you"), "{body}");
        assert!(body.contains("When: 2026-11-"), "{body}");
        assert!(body.contains("IP address: 127.0.0.1"), "{body}");
        assert!(body.contains("Browser: "), "{body}");
        for c in &codes {
            assert!(!body.contains(c.as_str()), "a code in an email");
        }
    }
    // The login itself, and making the set, are in the log too.
    let kinds: Vec<String> = audit::about(&s.state.db, &id, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"recovery_codes_generated".to_string()));
    let mails = notify::kinds_for(&s.state.db, &id).await.unwrap();
    assert_eq!(
        mails
            .iter()
            .filter(|k| *k == "recovery_codes_generated")
            .count(),
        1
    );
}

#[tokio::test]
async fn the_database_holds_no_code_in_clear() {
    let s = TestServer::start().await;
    let (api, _, codes) = with_codes(&s, JUDY).await;
    api.logout().await.ok();
    let c = at_prompt(&s, JUDY).await;
    login_code(&c, &codes[0]).await.ok();
    // Every form a code could be stored in.
    let forms: Vec<String> = codes
        .iter()
        .flat_map(|c| {
            let plain = c.replace('-', "");
            [
                c.clone(),
                c.to_lowercase(),
                plain.clone(),
                plain.to_lowercase(),
            ]
        })
        .collect();
    let rows: Vec<(String, String, i64, Option<i64>)> =
        sqlx::query_as("SELECT user_id, hash, created_at, used_at FROM recovery_codes")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 10);
    for (user, hash, ..) in &rows {
        assert_eq!(hash.len(), 64, "an HMAC-SHA256 in hex");
        for f in &forms {
            assert!(!hash.contains(f.as_str()) && !user.contains(f.as_str()));
        }
    }
    // Nor does anything else written meanwhile (events, emails).
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_events UNION ALL SELECT body FROM outbox UNION ALL SELECT subject FROM outbox",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    for t in &texts {
        for f in &forms {
            assert!(!t.contains(f.as_str()), "{t}");
        }
    }
    // On SQLite, the file itself (and its write-ahead log), byte by byte.
    if backend() == portcullis_server::store::Backend::Sqlite {
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(s.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_file() && name.contains(".db") {
                bytes.extend(std::fs::read(&path).unwrap());
            }
        }
        assert!(bytes.len() > 4096, "the database file was found");
        for f in &forms {
            assert!(
                !bytes.windows(f.len()).any(|w| w == f.as_bytes()),
                "{f} is in the database file"
            );
        }
    }
}

#[tokio::test]
async fn a_new_set_replaces_every_old_code() {
    let s = TestServer::start().await;
    let (api, _, old) = with_codes(&s, JUDY).await;
    let new = generate(&api).await.ok().codes;
    assert!(old.iter().all(|c| !new.contains(c)));
    assert_eq!(stored(&s, JUDY).await.len(), 10);
    api.logout().await.ok();
    let c = at_prompt(&s, JUDY).await;
    // (fewer tries than the throttle allows)
    for code in [&old[0], &old[9]] {
        assert_eq!(
            login_code(&c, code).await.fail(),
            (401, ErrorCode::WrongCode),
            "an old code"
        );
    }
    assert!(matches!(
        login_code(&c, &new[0]).await.ok(),
        LoginResponse::Done { .. }
    ));
}

#[tokio::test]
async fn a_new_set_needs_a_second_factor_in_the_last_ten_minutes() {
    let s = TestServer::start().await;
    let (api, key) = s.enrolled(JUDY).await;
    s.advance(11 * 60);
    let refused = generate(&api).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.err().code, ErrorCode::ReauthenticationRequired);
    assert!(stored(&s, JUDY).await.is_empty());
    // Prove the app again: the set is made.
    api.verify(&s.code(&key, 0)).await.ok();
    assert_eq!(generate(&api).await.ok().codes.len(), 10);
    // Nine minutes later: still fresh.
    s.advance(9 * 60);
    generate(&api).await.ok();

    // A user without a factor has nothing for codes to stand in for.
    let alice = s.api();
    alice.login("alice@example.com", PASSWORD).await.ok();
    let (status, code) = generate(&alice).await.fail();
    assert_eq!((status, code), (403, ErrorCode::NotAllowedNow));
    // Signed out: neither route.
    let anonymous = s.api();
    assert_eq!(generate(&anonymous).await.status, 401);
    assert_eq!(codes_status(&anonymous).await.status, 401);
    // Half signed in (password only): no codes are shown or made.
    let half = at_prompt(&s, JUDY).await;
    assert_eq!(generate(&half).await.status, 401);
    assert_eq!(codes_status(&half).await.status, 401);
}

#[tokio::test]
async fn a_session_proven_with_a_code_has_a_second_factor() {
    let s = TestServer::start().await;
    // The billing admin enrolls, makes codes, and signs in with one.
    let (admin, _) = s.admin().await;
    let codes = generate(&admin).await.ok().codes;
    admin.logout().await.ok();
    let c = at_prompt(&s, BILLING_ADMIN).await;
    login_code(&c, &codes[0]).await.ok();
    // Administration needs a second factor: this is one.
    assert_eq!(c.admin_users("").await.status, 200);
    // ...a recent one, too: a new set can be made at once.
    assert_eq!(generate(&c).await.status, 200);
}

#[tokio::test]
async fn wrong_codes_are_throttled_with_growing_delays() {
    let s = TestServer::start().await;
    let (api, _, codes) = with_codes(&s, JUDY).await;
    api.logout().await.ok();
    let c = at_prompt(&s, JUDY).await;
    let wrong = "AAAA-AAAA-AAAA";
    assert!(!codes.contains(&wrong.to_string()));
    for _ in 0..CODE_ACCOUNT.free {
        let answer = login_code(&c, wrong).await;
        assert_eq!(answer.status, 401);
        let body = answer.err();
        assert_eq!(body.code, ErrorCode::WrongCode);
        assert!(body.message.contains("recovery code"), "{body:?}");
    }
    // Then blocked, even the right code.
    let blocked = login_code(&c, &codes[0]).await.err();
    assert_eq!(
        (blocked.code, blocked.retry_after),
        (ErrorCode::TooManyAttempts, Some(30))
    );
    s.advance(30);
    assert!(matches!(
        login_code(&c, &codes[0]).await.ok(),
        LoginResponse::Done { .. }
    ));
}

#[tokio::test]
async fn malformed_codes_are_explained_and_not_counted() {
    let s = TestServer::start().await;
    let (api, _, codes) = with_codes(&s, JUDY).await;
    api.logout().await.ok();
    let c = at_prompt(&s, JUDY).await;
    let too_long = format!("{}-", "A".repeat(RECOVERY_CODE_MAX_CHARS));
    for bad in [
        "",
        "   ",
        "ABCD-EFGH",
        "ABCD-EFGH-JKMU",
        "ABCD-EFGH-JKMN-P",
        "123456",
        "ÄBCD-EFGH-JKMN",
        too_long.as_str(),
    ] {
        let answer = login_code(&c, bad).await;
        assert_eq!(answer.status, 422, "{bad:?}");
        let body = answer.err();
        assert_eq!(body.code, ErrorCode::ValidationFailed, "{bad:?}");
        assert_eq!(
            body.message,
            "Enter a recovery code: 12 letters and digits, like ABCD-EFGH-JKMN."
        );
    }
    // Not JSON of the right shape: a readable refusal, not a crash.
    let resp = c
        .http
        .post(c.url("/api/v1/login/recovery-code"))
        .json(&serde_json::json!({"code": 42}))
        .send()
        .await
        .unwrap();
    let answer = Api::read::<serde_json::Value>(resp).await;
    assert_eq!(answer.status, 422);
    assert!(!answer.err().message.is_empty());
    // None of those counted: the right code passes at once.
    assert!(matches!(
        login_code(&c, &codes[0]).await.ok(),
        LoginResponse::Done { .. }
    ));
}

#[tokio::test]
async fn codes_are_no_factor_and_only_answer_a_second_factor_prompt() {
    let s = TestServer::start().await;
    let (api, _, codes) = with_codes(&s, JUDY).await;
    let m = api.mfa().await.ok();
    assert_eq!(m.status, MfaStatus::Active);
    assert_eq!(m.factors, vec![FactorKind::Totp]);
    assert_eq!(m.recovery_codes_left, 10);
    // Signed in already: not a step now.
    assert_eq!(
        login_code(&api, &codes[0]).await.fail(),
        (403, ErrorCode::NotAllowedNow)
    );
    // A login that asks for enrollment, not a second factor: refused.
    s.require("ivan@example.com", Some(7)).await;
    let (ivan, answer) = s.password_login("ivan@example.com").await;
    assert!(matches!(answer, LoginResponse::Enroll { .. }), "{answer:?}");
    assert_eq!(
        login_code(&ivan, &codes[1]).await.fail(),
        (403, ErrorCode::NotAllowedNow)
    );
    // Someone else's code is just wrong.
    let (_, _, _) = with_codes(&s, "mallory@example.com").await;
    let m = at_prompt(&s, "mallory@example.com").await;
    assert_eq!(
        login_code(&m, &codes[1]).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    // A user with an app but no codes is told so.
    let (alice_api, _) = s.enrolled("alice@example.com").await;
    alice_api.logout().await.ok();
    let alice = at_prompt(&s, "alice@example.com").await;
    assert_eq!(alice.mfa().await.ok().recovery_codes_left, 0);
    let none = login_code(&alice, &codes[2]).await.err();
    assert_eq!(none.code, ErrorCode::NotAllowedNow);
    assert!(
        none.message.contains("no unused recovery codes"),
        "{none:?}"
    );
}

#[tokio::test]
async fn reset_mfa_removes_the_codes() {
    let s = TestServer::start().await;
    let (_, _, codes) = with_codes(&s, JUDY).await;
    assert_eq!(stored(&s, JUDY).await.len(), 10);
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, JUDY).await;
    admin.reset_mfa(&id, Some(7)).await.ok();
    assert!(stored(&s, JUDY).await.is_empty());
    // A new app does not bring the old codes back.
    let (api, _) = s.enroll_at_login(JUDY).await;
    assert_eq!(api.mfa().await.ok().recovery_codes_left, 0);
    api.logout().await.ok();
    let c = at_prompt(&s, JUDY).await;
    assert_eq!(
        login_code(&c, &codes[0]).await.fail(),
        (403, ErrorCode::NotAllowedNow)
    );
}

#[tokio::test]
async fn resetting_the_only_app_removes_the_codes_too() {
    let s = TestServer::start().await;
    let (api, key, _) = with_codes(&s, JUDY).await;
    api.totp_reset(&s.code(&key, 0)).await.ok();
    assert!(stored(&s, JUDY).await.is_empty());
}
