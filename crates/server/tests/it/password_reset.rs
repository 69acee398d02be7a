//! "Forgot password?": the same answer for every address, a few emails an
//! hour per address and client, a 15-minute link that works once, and the
//! account's second factor before the new password when it has one.

use portcullis_api::{
    ErrorCode, ForgotPassword, LinkPurpose, LoginResponse, NewRecoveryCodes, PasswordReset,
};

use crate::client::{Answer, Api};
use portcullis_server::auth::throttle::RESET_PER_CLIENT;

use crate::fixtures::{headers_but_date, token_of, TestServer, PASSWORD};
use crate::throttle::{behind_a_proxy, forwarded};

const ALICE: &str = "alice@example.com";
const IVAN: &str = "ivan@example.com";
const NEW: &str = "a quiet harbour at dawn";

async fn forgot(api: &Api, email: &str) -> Answer<()> {
    api.post(
        "/api/v1/password/forgot",
        &ForgotPassword {
            email: email.into(),
        },
    )
    .await
}

async fn reset(api: &Api, token: &str, password: &str, code: Option<&str>) -> Answer<()> {
    api.post(
        "/api/v1/password/reset",
        &PasswordReset {
            token: token.into(),
            password: password.into(),
            code: code.map(str::to_string),
        },
    )
    .await
}

async fn emailed_token(s: &TestServer, email: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE to_addr = $1 AND kind = 'password_reset' \
         ORDER BY created_at DESC, id DESC",
    )
    .bind(email)
    .fetch_optional(&s.state.db)
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("no reset email to {email}"));
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/welcome#"))
        .unwrap();
    token_of(link)
}

async fn count(s: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_address_gets_the_same_answer_and_a_few_an_hour() {
    let s = TestServer::start().await;
    let known = forgot(&s.api(), ALICE).await;
    let unknown = forgot(&s.api(), "nobody@example.com").await;
    assert_eq!((known.status, unknown.status), (204, 204));
    assert_eq!(
        headers_but_date(&known.headers),
        headers_but_date(&unknown.headers)
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'"
        )
        .await,
        1
    );
    // Three an hour per address, known or not; then the same refusal.
    for _ in 0..2 {
        forgot(&s.api(), ALICE).await.ok();
        forgot(&s.api(), "nobody@example.com").await.ok();
    }
    for email in [ALICE, "nobody@example.com"] {
        assert_eq!(
            forgot(&s.api(), email).await.fail(),
            (429, ErrorCode::TooManyAttempts),
            "{email}"
        );
    }
    s.advance(3601);
    forgot(&s.api(), ALICE).await.ok();
    // Bad input is said so.
    assert_eq!(
        forgot(&s.api(), "not-an-email").await.fail(),
        (422, ErrorCode::ValidationFailed)
    );
}

#[tokio::test]
async fn one_client_gets_a_few_an_hour_whatever_the_addresses() {
    let s = TestServer::start_with(behind_a_proxy()).await;
    let one = forwarded(&s, "203.0.113.5");
    let per_client = RESET_PER_CLIENT.max;
    assert!(per_client > 3, "more than the per-address limit");
    // Each address asked for once (below its own limit), known or not.
    for i in 0..per_client {
        let email = if i == 0 {
            ALICE.to_string()
        } else {
            format!("someone-{i}@example.com")
        };
        assert_eq!(forgot(&one, &email).await.status, 204, "{email}");
    }
    // The next, for an address nobody asked for: refused, with a wait.
    let refused = forgot(&one, IVAN).await;
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(refused.fail(), (429, ErrorCode::TooManyAttempts));
    let sent = "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'";
    assert_eq!(count(&s, sent).await, 1, "only Alice's went");
    // Another client asks for it: taken, so the limit was this client's.
    let other = forwarded(&s, "198.51.100.9");
    assert_eq!(forgot(&other, IVAN).await.status, 204);
    assert_eq!(count(&s, sent).await, 2);
    // An hour on, the first client is heard again.
    s.advance(3601);
    assert_eq!(forgot(&one, "someone-new@example.com").await.status, 204);
}

#[tokio::test]
async fn without_a_second_factor_the_link_sets_a_new_password_and_signs_out_everywhere() {
    let s = TestServer::start().await;
    let (old, _) = s.password_login(ALICE).await;
    forgot(&s.api(), "  Alice@Example.com").await.ok();
    let token = emailed_token(&s, ALICE).await;
    let api = s.api();
    let info = api.welcome_peek(&token).await.ok();
    assert_eq!(
        (info.purpose, info.needs_code, info.min_password_chars),
        (LinkPurpose::Reset, false, 15)
    );
    // Not a welcome link.
    assert_eq!(api.welcome(&token, NEW).await.fail().0, 404);
    let weak = reset(&api, &token, "password1234567", None).await.err();
    assert_eq!(weak.code, ErrorCode::Conflict);
    reset(&api, &token, NEW, None).await.ok();
    // Every session ended; only the new password signs in.
    assert_eq!(old.me().await.fail(), (401, ErrorCode::Unauthenticated));
    assert_eq!(
        s.api().login(ALICE, PASSWORD).await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );
    assert!(matches!(
        s.api().login(ALICE, NEW).await.ok(),
        LoginResponse::Done { .. }
    ));
    // Once.
    assert_eq!(reset(&api, &token, NEW, None).await.fail().0, 404);
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'password_was_reset'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'password_reset'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn with_a_second_factor_the_mailbox_alone_is_not_enough() {
    let s = TestServer::start().await;
    let (ivan, key) = s.enrolled(IVAN).await;
    let codes: NewRecoveryCodes = ivan.post("/api/v1/recovery-codes", &()).await.ok();
    forgot(&s.api(), IVAN).await.ok();
    let token = emailed_token(&s, IVAN).await;
    let api = s.api();
    let info = api.welcome_peek(&token).await.ok();
    assert!(info.needs_code);
    assert_eq!(info.min_password_chars, 8);
    // No code: refused in words, the link stays.
    let none = reset(&api, &token, NEW, None).await.err();
    assert_eq!(none.code, ErrorCode::ValidationFailed);
    assert!(
        none.message.contains("the email alone cannot reset it"),
        "{}",
        none.message
    );
    // A wrong code, of either kind.
    let wrong = s.wrong_code(&key);
    assert_eq!(
        reset(&api, &token, NEW, Some(&wrong)).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    assert_eq!(
        reset(&api, &token, NEW, Some("AAAA-BBBB-CCCC"))
            .await
            .fail()
            .0,
        401
    );
    // A recovery code does it (and is used up).
    reset(&api, &token, NEW, Some(&codes.codes[0])).await.ok();
    assert_eq!(ivan.me().await.fail(), (401, ErrorCode::Unauthenticated));
    assert!(matches!(
        s.api().login(IVAN, NEW).await.ok(),
        LoginResponse::Mfa { .. }
    ));

    // Again, with a code from the app, after 15 minutes: too late.
    forgot(&s.api(), IVAN).await.ok();
    let token = emailed_token(&s, IVAN).await;
    s.advance(15 * 60 + 1);
    let code = s.code(&key, 0);
    assert_eq!(
        reset(&api, &token, "another quiet harbour", Some(&code))
            .await
            .fail()
            .0,
        404
    );
}

#[tokio::test]
async fn an_administrator_sends_a_link_they_never_see() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    let answer: Answer<serde_json::Value> = admin
        .post_empty(&format!("/api/v1/admin/users/{id}/password-reset"))
        .await;
    let body = answer.ok().to_string();
    let token = emailed_token(&s, ALICE).await;
    assert!(!body.contains(&token), "the admin's answer holds no link");
    // An hour, not 15 minutes.
    s.advance(30 * 60);
    reset(&s.api(), &token, NEW, None).await.ok();
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'password_reset_sent' AND actor_kind = 'admin'"
        )
        .await,
        1
    );
}
