//! Helpdesk temporary access: an administrator issues a code for a user
//! who lost their phone; it is shown once, stored hashed, emailed about
//! (never itself), audited; at the login it stands in for the lost factor,
//! and the login it opens can only set up a new one (a new app replaces
//! the lost one), then goes on. One-time codes work once; others until
//! they expire; wrong ones are throttled; suspension revokes them.

use portcullis_api::{
    ErrorCode, LoginResponse, TemporaryAccess, TemporaryAccessCode, TemporaryAccessRequest,
    TotpEnrollment, UserDetail,
};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, ADMIN};

const ALICE: &str = "alice@example.com";

pub(crate) async fn issue(
    admin: &Api,
    id: &str,
    hours: u32,
    one_time: bool,
) -> Answer<TemporaryAccess> {
    let req = TemporaryAccessRequest { hours, one_time };
    admin
        .post(&format!("/api/v1/admin/users/{id}/temporary-access"), &req)
        .await
}

pub(crate) async fn offer(api: &Api, code: &str) -> Answer<LoginResponse> {
    let req = TemporaryAccessCode { code: code.into() };
    api.post("/api/v1/login/temporary-access", &req).await
}

async fn count(s: &TestServer, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_code_lets_a_user_who_lost_their_phone_replace_their_app_and_nothing_else() {
    let s = TestServer::start().await;
    let (_, old_key) = s.enrolled(ALICE).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;

    let out_of_range = issue(&admin, &id, 9, true).await.err();
    assert!(
        out_of_range.message.contains("1 to 8 hours"),
        "{}",
        out_of_range.message
    );
    let issued = issue(&admin, &id, 1, true).await;
    assert_eq!(issued.status, 201);
    let tap = issued.ok();
    assert_eq!(tap.expires_at, s.now() + 3600);
    // Only a hash is kept; the email says one was made, never the code.
    let stored: String =
        sqlx::query_scalar("SELECT code_hash FROM temporary_access WHERE user_id = $1")
            .bind(&id)
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert!(!stored.contains(&tap.code.replace('-', "")));
    let body: String = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE user_id = $1 AND kind = 'temporary_access'",
    )
    .bind(&id)
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    assert!(!body.contains(&tap.code) && !body.contains(&tap.code.replace('-', "")));
    let detail: UserDetail = admin.get(&format!("/api/v1/admin/users/{id}")).await.ok();
    assert_eq!(detail.temporary_access_until, Some(tap.expires_at));

    // At the login, the code (any case, no dashes) stands in for the app;
    // the login is not signed in: it must set up a new factor.
    let (alice, answer) = s.password_login(ALICE).await;
    assert!(matches!(answer, LoginResponse::Mfa { .. }));
    let wrong = offer(&alice, "AAAA-BBBB-CCCC").await.err();
    assert_eq!(wrong.code, ErrorCode::WrongCode);
    let typed = tap.code.replace('-', "").to_lowercase();
    let answer = offer(&alice, &typed).await.ok();
    assert_eq!(
        answer,
        LoginResponse::Enroll {
            mandatory: true,
            days_left: None
        }
    );
    assert_eq!(alice.me().await.status, 401, "not signed in yet");
    assert_eq!(
        alice
            .post_empty::<LoginResponse>("/api/v1/login/skip-enrollment")
            .await
            .status,
        403,
        "no postponing"
    );
    assert!(alice.mfa().await.ok().temporary_access);

    // A new app replaces the lost one and finishes the login; until its
    // first code, the old app still works (an abandoned setup changes
    // nothing).
    let TotpEnrollment { secret, .. } = alice.totp_enroll().await.ok();
    s.login_with_code(ALICE, &old_key).await;
    let done = alice.totp_confirm(&s.code(&secret, 0)).await.ok();
    assert!(matches!(done, LoginResponse::Done { .. }), "{done:?}");
    alice.me().await.ok();
    s.next_step();
    // The old app's codes no longer work; the new one's do.
    let (again, _) = s.password_login(ALICE).await;
    assert_eq!(
        again.login_totp(&s.code(&old_key, 0)).await.fail().1,
        ErrorCode::WrongCode
    );
    s.login_with_code(ALICE, &secret).await;

    // The one-time code is gone.
    let (third, _) = s.password_login(ALICE).await;
    assert_eq!(
        offer(&third, &tap.code).await.fail().1,
        ErrorCode::WrongCode
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM audit_events WHERE kind = 'temporary_access_used' AND subject_id = $1", &id).await,
        1
    );
}

#[tokio::test]
async fn lasting_codes_expire_new_ones_replace_old_and_suspension_revokes() {
    let s = TestServer::start().await;
    s.enrolled(ALICE).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    let first = issue(&admin, &id, 2, false).await.ok();
    let second = issue(&admin, &id, 2, false).await.ok();
    let (alice, _) = s.password_login(ALICE).await;
    assert_eq!(
        offer(&alice, &first.code).await.fail().1,
        ErrorCode::WrongCode
    );
    // A lasting code works more than once while it is valid.
    assert!(matches!(
        offer(&alice, &second.code).await.ok(),
        LoginResponse::Enroll { .. }
    ));
    let (other, _) = s.password_login(ALICE).await;
    assert!(matches!(
        offer(&other, &second.code).await.ok(),
        LoginResponse::Enroll { .. }
    ));
    // …and not after it expires.
    s.advance(2 * 3600);
    let (late, _) = s.password_login(ALICE).await;
    assert_eq!(
        offer(&late, &second.code).await.fail().1,
        ErrorCode::WrongCode
    );

    // Suspending the user revokes a fresh code.
    let (admin, _) = s.admin().await;
    issue(&admin, &id, 1, false).await.ok();
    let _: portcullis_api::AdminUser = admin
        .post_empty(&format!("/api/v1/admin/users/{id}/suspend"))
        .await
        .ok();
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM temporary_access WHERE user_id = $1",
            &id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn only_for_accounts_with_a_factor_by_a_fresh_administrator_and_throttled() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    // Ivan has no factor: nothing to stand in for.
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    let none = issue(&admin, &ivan, 1, true).await.err();
    assert_eq!(none.code, ErrorCode::Conflict);
    assert!(
        none.message.contains("no second factor"),
        "{}",
        none.message
    );
    // Not one's own, and not by a user.
    let me = s.user_id(&admin, "admin@example.com").await;
    assert_eq!(issue(&admin, &me, 1, true).await.status, 403);
    s.enrolled(ALICE).await;
    let (alice_api, _) = s.password_login(ALICE).await;
    let alice = s.user_id(&admin, ALICE).await;
    assert_eq!(issue(&alice_api, &alice, 1, true).await.status, 401);

    // Wrong codes are throttled like other codes: three free, then a wait.
    let (admin, _) = s.admin().await;
    let tap = issue(&admin, &alice, 1, true).await.ok();
    let (login, _) = s.password_login(ALICE).await;
    for _ in 0..3 {
        assert_eq!(offer(&login, "ZZZZ-ZZZZ-ZZZZ").await.status, 401);
    }
    let throttled = offer(&login, &tap.code).await;
    assert_eq!(throttled.status, 429);
    assert!(throttled.headers.contains_key("retry-after"));
    // Malformed input is refused in words, not counted.
    let malformed = offer(&login, "not a code").await.err();
    assert_eq!(malformed.code, ErrorCode::ValidationFailed);

    // A code is bound to its user: Alice's does nothing for Grace.
    let (grace, _) = s.password_login(ADMIN).await;
    assert_eq!(
        offer(&grace, &tap.code).await.fail().1,
        ErrorCode::WrongCode
    );
}

#[tokio::test]
async fn issuing_a_code_is_recorded_by_whom_for_whom_without_the_code() {
    let s = TestServer::start().await;
    s.enrolled(ALICE).await;
    let (admin, _) = s.admin().await;
    let id = s.user_id(&admin, ALICE).await;
    let issued_events =
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'temporary_access_issued' AND subject_id = $1";
    assert_eq!(count(&s, issued_events, &id).await, 0);
    // A refused request records nothing.
    issue(&admin, &id, 9, true).await.err();
    assert_eq!(count(&s, issued_events, &id).await, 0);

    let once = issue(&admin, &id, 1, true).await.ok();
    let lasting = issue(&admin, &id, 3, false).await.ok();
    assert_eq!(count(&s, issued_events, &id).await, 2);
    let page: portcullis_api::EventPage = admin
        .get("/api/v1/admin/events?kind=temporary_access_issued&limit=10")
        .await
        .ok();
    let details: Vec<&str> = page.events.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "temporary access code made; works for 3 hours",
            "temporary access code made; works once within 1 hour"
        ]
    );
    for e in &page.events {
        assert_eq!(e.subject_email.as_deref(), Some(ALICE));
        assert_eq!(e.actor_kind, "admin");
        assert_eq!(e.actor_email.as_deref(), Some("admin@example.com"));
        assert_eq!(e.client_ip, "127.0.0.1");
        for code in [&once.code, &lasting.code] {
            assert!(!e.detail.contains(code.as_str()), "{}", e.detail);
            assert!(!e.detail.contains(&code.replace('-', "")), "{}", e.detail);
        }
    }
}
