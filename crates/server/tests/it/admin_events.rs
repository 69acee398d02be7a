//! The admin event log: newest first, every filter (user, kind, outcome,
//! time) keeps exactly the matching events, pages join up without gaps or
//! repeats, and bad queries are refused in words.

use portcullis_api::{AdminEvent, ErrorCode, EventOutcome, EventPage};

use crate::client::Api;
use crate::fixtures::{TestServer, BILLING_ADMIN, PASSWORD};

async fn log(admin: &Api, query: &str) -> crate::client::Answer<EventPage> {
    admin.get(&format!("/api/v1/admin/events{query}")).await
}

/// Every event the query lists, page by page.
async fn all(admin: &Api, query: &str, limit: u32) -> Vec<AdminEvent> {
    let mut events = Vec::new();
    let mut before = String::new();
    for _ in 0..200 {
        let page = log(admin, &format!("?limit={limit}{query}{before}"))
            .await
            .ok();
        events.extend(page.events);
        match page.next_before {
            Some(next) => before = format!("&before={next}"),
            None => return events,
        }
    }
    panic!("the log did not end");
}

/// Some history: a failed login, a login, a requirement set by the admin.
async fn history(s: &TestServer) -> (Api, i64) {
    let (admin, _) = s.admin().await;
    s.advance(60);
    let mark = s.now();
    s.api().login("alice@example.com", "wrong password").await;
    s.api().login("alice@example.com", PASSWORD).await.ok();
    s.advance(60);
    let ivan = s.user_id(&admin, "ivan@example.com").await;
    admin.require_mfa(&ivan, Some(7)).await.ok();
    (admin, mark)
}

#[tokio::test]
async fn the_log_is_newest_first_and_pages_join_up() {
    let s = TestServer::start().await;
    let (admin, _) = history(&s).await;
    let everything = all(&admin, "", 100).await;
    assert!(everything.len() >= 5, "{everything:?}");
    assert!(everything.windows(2).all(|w| w[0].at >= w[1].at));
    let paged = all(&admin, "", 2).await;
    assert_eq!(paged, everything);
    let newest = &everything[0];
    assert_eq!(newest.kind, "admin_require_mfa");
    assert_eq!(newest.subject_email.as_deref(), Some("ivan@example.com"));
    assert_eq!(newest.actor_email.as_deref(), Some(BILLING_ADMIN));
    assert_eq!(newest.actor_kind, "admin");
    assert_eq!(newest.outcome, EventOutcome::Success);
    assert!(newest.detail.contains("7-day"), "{}", newest.detail);
}

#[tokio::test]
async fn each_filter_keeps_exactly_the_matching_events() {
    let s = TestServer::start().await;
    let (admin, mark) = history(&s).await;
    let everything = all(&admin, "", 100).await;
    let keep = |f: &dyn Fn(&AdminEvent) -> bool| -> Vec<AdminEvent> {
        everything.iter().filter(|e| f(e)).cloned().collect()
    };
    assert_eq!(
        all(&admin, "&user=Alice@Example.com", 100).await,
        keep(&|e| e.subject_email.as_deref() == Some("alice@example.com"))
    );
    assert_eq!(
        all(&admin, "&kind=login_succeeded", 100).await,
        keep(&|e| e.kind == "login_succeeded")
    );
    let failures = all(&admin, "&outcome=failure", 100).await;
    assert_eq!(failures, keep(&|e| e.outcome == EventOutcome::Failure));
    assert!(failures.iter().any(|e| e.kind == "login_failed"));
    assert_eq!(
        all(&admin, "&outcome=success", 100).await,
        keep(&|e| e.outcome == EventOutcome::Success)
    );
    let window = format!("&from={mark}&to={}", mark + 60);
    let in_window = all(&admin, &window, 100).await;
    assert_eq!(in_window, keep(&|e| e.at >= mark && e.at < mark + 60));
    assert!(in_window.iter().any(|e| e.kind == "login_failed"));
    assert!(!in_window.iter().any(|e| e.kind == "admin_require_mfa"));
    // Filters combine; a kind of the other outcome lists nothing.
    assert_eq!(
        all(&admin, "&kind=login_failed&user=alice@example.com", 100).await,
        keep(&|e| e.kind == "login_failed"
            && e.subject_email.as_deref() == Some("alice@example.com"))
    );
    assert!(all(&admin, "&kind=login_failed&outcome=success", 100)
        .await
        .is_empty());
}

#[tokio::test]
async fn bad_log_queries_are_refused_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = history(&s).await;
    for (query, says) in [
        ("?kind=tea_break", "no event kind"),
        ("?before=yesterday", "Start from the newest"),
    ] {
        let answer = log(&admin, query).await;
        assert_eq!(answer.status, 404, "{query}");
        let err = answer.err();
        assert!(err.message.contains(says), "{query}: {}", err.message);
    }
    // A range that ends before it starts holds nothing.
    assert!(log(&admin, "?from=200&to=100").await.ok().events.is_empty());
    for query in ["?from=soon", "?outcome=meh", "?limit=-1"] {
        assert_eq!(log(&admin, query).await.status, 400, "{query}");
    }
    let alice = s.api();
    alice.login("alice@example.com", PASSWORD).await.ok();
    assert_eq!(log(&alice, "").await.fail(), (403, ErrorCode::Forbidden));
}
