//! The audit log records typed events with who did what to whom, only for
//! changes that happened, and has the indexes the event log reads by.

use portcullis_api::ErrorCode;
use portcullis_server::audit::{self, Recorded};
use portcullis_server::store;

use crate::fixtures::{TestServer, BILLING_ADMIN, PASSWORD};

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";

async fn events(s: &TestServer, subject: &str) -> Vec<Recorded> {
    audit::about(&s.state.db, subject, 50).await.unwrap()
}

fn of_kind<'a>(events: &'a [Recorded], kind: &str) -> Vec<&'a Recorded> {
    events.iter().filter(|e| e.kind == kind).collect()
}

#[tokio::test]
async fn an_admin_reset_is_recorded_with_its_actor_and_subject() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let admin_id = s.user_id(&admin, BILLING_ADMIN).await;
    let bob = s.user_id(&admin, BOB).await;

    // Refused changes are not recorded as changes.
    assert_eq!(
        admin.reset_mfa(&bob, Some(0)).await.fail(),
        (422, ErrorCode::ValidationFailed)
    );
    assert_eq!(
        admin.reset_mfa(&admin_id, Some(7)).await.fail(),
        (403, ErrorCode::Outranked)
    );
    assert!(of_kind(&events(&s, &bob).await, "admin_reset_mfa").is_empty());
    assert!(of_kind(&events(&s, &admin_id).await, "admin_reset_mfa").is_empty());

    admin.reset_mfa(&bob, Some(7)).await.ok();
    let all = audit::about(&s.state.db, &bob, 10).await.unwrap();
    let resets = of_kind(&all, "admin_reset_mfa");
    assert_eq!(resets.len(), 1, "{all:?}");
    let e = resets[0];
    assert_eq!(e.actor_kind, "admin");
    assert_eq!(e.actor_id.as_deref(), Some(admin_id.as_str()));
    assert_eq!(e.subject_id.as_deref(), Some(bob.as_str()));
    assert_eq!(e.at, s.now());
}

#[tokio::test]
async fn a_failed_login_is_recorded_as_anonymous_without_the_password() {
    let s = TestServer::start().await;
    let wrong = "not the password at all";

    // an unknown email: no subject
    let unknown = "nobody@example.com";
    assert_eq!(
        s.api().login(unknown, wrong).await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );
    let rows: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT actor_kind, actor_id, subject_id, detail FROM audit_events
         WHERE kind = 'login_failed'",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (actor_kind, actor_id, subject_id, detail) = &rows[0];
    assert_eq!(actor_kind, "anonymous");
    assert_eq!(actor_id, &None);
    assert_eq!(subject_id, &None);
    assert!(
        !detail.contains(wrong) && !detail.contains(unknown),
        "{detail}"
    );

    // a known email with a wrong password: about that user, still anonymous
    let (alice, _) = s.password_login(ALICE).await;
    let alice_id = alice.me().await.ok().id;
    assert_eq!(
        s.api().login(ALICE, wrong).await.fail(),
        (401, ErrorCode::InvalidCredentials)
    );
    let all = events(&s, &alice_id).await;
    let failed = of_kind(&all, "login_failed");
    assert_eq!(failed.len(), 1, "{all:?}");
    assert_eq!(failed[0].actor_kind, "anonymous");
    assert_eq!(failed[0].actor_id, None);
    // the right password is in no event either
    assert!(all
        .iter()
        .all(|e| !e.detail.contains(wrong) && !e.detail.contains(PASSWORD)));
}

#[tokio::test]
async fn a_users_own_app_reset_is_recorded_as_done_by_the_user() {
    let s = TestServer::start().await;
    let (alice, key) = s.enrolled(ALICE).await;
    let alice_id = alice.me().await.ok().id;

    // a wrong code removes nothing, so no reset is recorded
    assert_eq!(
        alice.totp_reset(&s.wrong_code(&key)).await.fail(),
        (401, ErrorCode::WrongCode)
    );
    assert!(of_kind(&events(&s, &alice_id).await, "mfa_reset_by_user").is_empty());

    alice.totp_reset(&s.code(&key, 0)).await.ok();
    let all = events(&s, &alice_id).await;
    let resets = of_kind(&all, "mfa_reset_by_user");
    assert_eq!(resets.len(), 1, "{all:?}");
    assert_eq!(resets[0].actor_kind, "user");
    assert_eq!(resets[0].actor_id.as_deref(), Some(alice_id.as_str()));
    assert_eq!(resets[0].subject_id.as_deref(), Some(alice_id.as_str()));
}

#[tokio::test]
async fn the_event_log_has_its_indexes() {
    let s = TestServer::start().await;
    // (index, its leading column): the log is read by time, by kind and
    // by the user it is about.
    for (index, first_column) in [
        ("audit_events_at", "at"),
        ("audit_events_kind", "kind"),
        ("audit_events_subject", "subject_id"),
    ] {
        let (table, columns) = index_columns(&s, index).await;
        assert_eq!(table.as_deref(), Some("audit_events"), "{index}");
        assert_eq!(
            columns.first().map(String::as_str),
            Some(first_column),
            "{index}: {columns:?}"
        );
    }
}

/// The table of an index and its columns in order, from the catalogue of
/// whichever database the suite runs on.
async fn index_columns(s: &TestServer, index: &str) -> (Option<String>, Vec<String>) {
    match crate::fixtures::backend() {
        store::Backend::Sqlite => {
            let table = sqlx::query_scalar(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = $1",
            )
            .bind(index)
            .fetch_optional(&s.state.db)
            .await
            .unwrap();
            let columns =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(index)
                    .fetch_all(&s.state.db)
                    .await
                    .unwrap();
            (table, columns)
        }
        store::Backend::Postgres => {
            let table =
                sqlx::query_scalar("SELECT tablename::TEXT FROM pg_indexes WHERE indexname = $1")
                    .bind(index)
                    .fetch_optional(&s.state.db)
                    .await
                    .unwrap();
            let columns = sqlx::query_scalar(
                "SELECT a.attname::TEXT FROM pg_index i
                   JOIN pg_class c ON c.oid = i.indexrelid
                   JOIN pg_attribute a ON a.attrelid = i.indrelid
                   JOIN LATERAL unnest(i.indkey::SMALLINT[]) WITH ORDINALITY AS k(attnum, n) ON k.attnum = a.attnum
                  WHERE c.relname = $1 ORDER BY k.n",
            )
            .bind(index)
            .fetch_all(&s.state.db)
            .await
            .unwrap();
            (table, columns)
        }
    }
}
