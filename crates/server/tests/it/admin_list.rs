//! The admin users list: each filter finds exactly the users the login
//! would judge that way (the SQL conditions against the status function),
//! each order pages through everyone once, forwards and backwards, and bad
//! queries get readable refusals.

use std::collections::BTreeSet;

use portcullis_api::{AdminUser, ErrorCode, FactorKind, MfaStatus, StatusFilter, UserSort};

use crate::client::Api;
use crate::device::Device;
use crate::fixtures::TestServer;

fn query_name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Every user the query lists, following `next_after` page by page.
async fn all_pages(admin: &Api, query: &str, limit: u32) -> Vec<AdminUser> {
    let mut users = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let cursor = after
            .as_deref()
            .map(|a| format!("&after={a}"))
            .unwrap_or_default();
        let page = admin
            .admin_users(&format!("?limit={limit}{query}{cursor}"))
            .await
            .ok();
        assert!(page.users.len() <= limit as usize);
        users.extend(page.users);
        match page.next_after {
            Some(next) => after = Some(next),
            None => return users,
        }
    }
    panic!("the list did not end");
}

fn emails(users: &[AdminUser]) -> BTreeSet<String> {
    users.iter().map(|u| u.email.clone()).collect()
}

fn rank(status: &MfaStatus) -> usize {
    StatusFilter::ALL
        .iter()
        .position(|f| f.matches(status))
        .unwrap_or(usize::MAX)
}

#[tokio::test]
async fn each_status_filter_finds_exactly_the_users_with_that_status() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    // Now, and after every enrollment period of the demo has ended.
    for moved in [0, 8 * 86_400] {
        s.advance(moved);
        let (admin, _) = if moved == 0 {
            (admin.clone(), String::new())
        } else {
            s.admin().await
        };
        let everyone = all_pages(&admin, "", 100).await;
        assert_eq!(everyone.len(), 12);
        for filter in StatusFilter::ALL {
            let q = format!("&status={}", query_name(filter));
            let listed = all_pages(&admin, &q, 100).await;
            let expected: Vec<AdminUser> = everyone
                .iter()
                .filter(|u| filter.matches(&u.mfa))
                .cloned()
                .collect();
            assert_eq!(
                emails(&listed),
                emails(&expected),
                "{filter:?} after {moved} s"
            );
        }
        let required = all_pages(&admin, "&required=true", 100).await;
        let expected: Vec<_> = everyone
            .iter()
            .filter(|u| u.mfa_required)
            .cloned()
            .collect();
        assert_eq!(emails(&required), emails(&expected));
        let not_required = all_pages(&admin, "&required=false", 100).await;
        assert_eq!(required.len() + not_required.len(), 12);
        let with_app = all_pages(&admin, "&factor=totp", 100).await;
        let expected: Vec<_> = everyone
            .iter()
            .filter(|u| u.factors.contains(&FactorKind::Totp))
            .cloned()
            .collect();
        assert_eq!(emails(&with_app), emails(&expected));
        assert!(!with_app.is_empty());
    }
}

#[tokio::test]
async fn the_demo_users_are_listed_with_the_statuses_they_were_made_with() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let of = |filter: StatusFilter| {
        let admin = admin.clone();
        async move {
            let q = format!("&status={}", query_name(filter));
            emails(&all_pages(&admin, &q, 100).await)
        }
    };
    assert!(of(StatusFilter::EnrollmentPeriod)
        .await
        .contains("carol@example.com"));
    assert!(of(StatusFilter::EnrollmentExpired)
        .await
        .contains("erin@example.com"));
    assert!(of(StatusFilter::RequiredNoPeriod)
        .await
        .contains("heidi@example.com"));
    assert!(of(StatusFilter::SetUpNotRequired)
        .await
        .contains("frank@example.com"));
    assert!(of(StatusFilter::Active).await.contains("grace@example.com"));
    assert!(of(StatusFilter::None).await.contains("alice@example.com"));
}

#[tokio::test]
async fn every_order_pages_through_everyone_once_both_ways() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let everyone = all_pages(&admin, "", 100).await;
    for sort in [
        UserSort::Email,
        UserSort::Name,
        UserSort::Status,
        UserSort::Deadline,
    ] {
        let mut expected = everyone.clone();
        expected.sort_by(|a, b| {
            let key = |u: &AdminUser| match sort {
                UserSort::Email => (0, String::new()),
                UserSort::Name => (0, u.display_name.to_lowercase()),
                UserSort::Status => (rank(&u.mfa), String::new()),
                UserSort::Deadline => (0, format!("{:020}", u.deadline.unwrap_or(i64::MAX))),
            };
            key(a).cmp(&key(b)).then_with(|| a.email.cmp(&b.email))
        });
        let expected: Vec<String> = expected.into_iter().map(|u| u.email).collect();
        for (desc, limit) in [(false, 5), (true, 5), (false, 1)] {
            let q = format!("&sort={}&desc={desc}", query_name(sort));
            let got: Vec<String> = all_pages(&admin, &q, limit)
                .await
                .into_iter()
                .map(|u| u.email)
                .collect();
            let mut want = expected.clone();
            if desc {
                want.reverse();
            }
            assert_eq!(got, want, "{sort:?} desc={desc} limit={limit}");
        }
    }
}

#[tokio::test]
async fn search_and_filters_combine() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let listed = all_pages(&admin, "&search=CAR&status=enrollment_period", 100).await;
    assert_eq!(
        emails(&listed),
        BTreeSet::from(["carol@example.com".to_string()])
    );
    let none = all_pages(&admin, "&search=carol&status=active", 100).await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn the_protect_column_names_the_device_and_the_push_filter_finds_its_users() {
    let s = TestServer::start().await;
    let (alice, _) = s.password_login("alice@example.com").await;
    Device::for_user(&s, &alice).await;
    let (admin, _) = s.admin().await;

    let everyone = all_pages(&admin, "", 100).await;
    let device_of = |email: &str| {
        everyone
            .iter()
            .find(|u| u.email == email)
            .map(|u| u.protect_device.clone())
            .expect("listed")
    };
    assert_eq!(
        device_of("alice@example.com").as_deref(),
        Some("Ada's phone")
    );
    assert_eq!(device_of("ivan@example.com"), None);
    // Another factor is not a Protect device.
    assert_eq!(device_of("bob@example.com"), None);
    assert!(everyone
        .iter()
        .all(|u| u.protect_device.is_some() == u.factors.contains(&FactorKind::Push)));

    // The factor filter's `push` is "Protect enrolled", in every order.
    for sort in ["email", "name", "status", "deadline"] {
        let enrolled = all_pages(&admin, &format!("&factor=push&sort={sort}"), 1).await;
        assert_eq!(
            emails(&enrolled),
            BTreeSet::from(["alice@example.com".to_string()]),
            "{sort}"
        );
        assert_eq!(enrolled[0].protect_device.as_deref(), Some("Ada's phone"));
    }

    // One user's details say the same.
    let id = s.user_id(&admin, "alice@example.com").await;
    let d: portcullis_api::UserDetail = admin.get(&format!("/api/v1/admin/users/{id}")).await.ok();
    assert_eq!(d.user.protect_device.as_deref(), Some("Ada's phone"));
}

#[tokio::test]
async fn bad_list_queries_are_refused_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    for bad in [
        "?status=sleeping",
        "?sort=shoe_size",
        "?required=maybe",
        "?factor=pigeon",
    ] {
        let (status, code) = admin.admin_users(bad).await.fail();
        assert_eq!((status, code), (400, ErrorCode::BadRequest), "{bad}");
    }
    // A page link of one order does not continue another.
    let page = admin.admin_users("?sort=name&limit=2").await.ok();
    let next = page.next_after.expect("more than two users");
    let refused = admin
        .admin_users(&format!("?sort=email&after={next}"))
        .await
        .err();
    assert_eq!(refused.code, ErrorCode::NotFound);
    assert!(
        refused.message.contains("first page"),
        "{}",
        refused.message
    );
    let garbage = admin.admin_users("?after=not-a-cursor").await.fail();
    assert_eq!(garbage, (404, ErrorCode::NotFound));
    // A blank one is the first page.
    assert_eq!(
        admin.admin_users("?after=&limit=2").await.ok().users.len(),
        2
    );
}

/// Rows of a CSV text (RFC 4180: quoted cells may hold commas, quotes and
/// line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn the_csv_export_is_the_filtered_list_with_formulas_defused() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let evil = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    sqlx::query("UPDATE users SET display_name = $1 WHERE email = $2")
        .bind(evil)
        .bind("ivan@example.com")
        .execute(&s.state.db)
        .await
        .unwrap();
    let query = "status=none&sort=name&desc=true";
    let resp = admin
        .http
        .get(admin.url(&format!("/api/v1/admin/users.csv?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert!(header("content-type").starts_with("text/csv"));
    assert!(header("content-disposition").starts_with("attachment"));
    let rows = parse_csv(&resp.text().await.unwrap());
    assert_eq!(rows[0][..2], ["Name".to_string(), "Email".to_string()]);
    let exported: Vec<String> = rows[1..].iter().map(|r| r[1].clone()).collect();
    let listed: Vec<String> = all_pages(&admin, &format!("&{query}"), 2)
        .await
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(exported, listed);
    let ivan = rows
        .iter()
        .find(|r| r[1] == "ivan@example.com")
        .expect("ivan exported");
    assert_eq!(ivan[0], format!("'{evil}"));
    assert_eq!(ivan[3], "No MFA");
    assert!(rows.iter().all(|r| r.len() == 9), "{rows:?}");
    assert_eq!(rows[0][8], "Last MFA use");
    assert_eq!(ivan[8], "", "ivan never used a second factor");

    // The administrator signed in with a code: the export says when, as
    // the list does.
    let admins = admin
        .http
        .get(admin.url("/api/v1/admin/users.csv?search=admin%40"))
        .send()
        .await
        .unwrap();
    let rows = parse_csv(&admins.text().await.unwrap());
    let listed = all_pages(&admin, "&search=admin%40", 50).await;
    let used = listed[0]
        .last_mfa_at
        .expect("the admin's code counts as a use");
    assert_eq!(rows[1][1], listed[0].email);
    assert_eq!(rows[1][8], portcullis_server::notify::format_utc(used));

    // Not for users.
    let alice = s.api();
    alice
        .login("alice@example.com", crate::fixtures::PASSWORD)
        .await
        .ok();
    let refused = alice
        .http
        .get(alice.url("/api/v1/admin/users.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

/// Every user the query lists, by email, in order, at each page size and
/// both ways, against `expected` (the first-to-last order).
async fn pages_in_order(admin: &Api, query: &str, expected: &[String]) {
    for limit in [1, 2, 5] {
        for desc in [false, true] {
            let got: Vec<String> = all_pages(admin, &format!("{query}&desc={desc}"), limit)
                .await
                .into_iter()
                .map(|u| u.email)
                .collect();
            let mut want = expected.to_vec();
            if desc {
                want.reverse();
            }
            assert_eq!(got, want, "{query} desc={desc} limit={limit}");
        }
    }
}

/// Which users a filter keeps.
type Keeps = Box<dyn Fn(&AdminUser) -> bool>;

/// The filters of the list (query parameters), each with the users it keeps.
fn filters() -> Vec<(String, Keeps)> {
    let mut filters: Vec<(String, Keeps)> = vec![("".into(), Box::new(|_: &AdminUser| true))];
    for filter in StatusFilter::ALL {
        filters.push((
            format!("&status={}", query_name(filter)),
            Box::new(move |u: &AdminUser| filter.matches(&u.mfa)),
        ));
    }
    filters.push((
        "&required=true".into(),
        Box::new(|u: &AdminUser| u.mfa_required),
    ));
    filters.push((
        "&required=false".into(),
        Box::new(|u: &AdminUser| !u.mfa_required),
    ));
    filters.push((
        "&factor=totp".into(),
        Box::new(|u: &AdminUser| u.factors.contains(&FactorKind::Totp)),
    ));
    filters.push((
        "&factor=totp&required=false".into(),
        Box::new(|u: &AdminUser| u.factors.contains(&FactorKind::Totp) && !u.mfa_required),
    ));
    filters
}

/// The deadline order is read as the users with a deadline, then those
/// without (by email). Pages must cross that boundary both ways, under
/// every filter, including users the statuses alone would not place: an
/// active user and administrators with a stored deadline, and a deadline of
/// the largest key, which sorts among the users without one by email.
#[tokio::test]
async fn the_deadline_order_pages_across_users_with_and_without_a_deadline() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let now = s.state.now();
    for (email, required, deadline) in [
        // Set up, then given a period: active with a deadline.
        ("bob@example.com", true, Some(now + 2 * 86_400)),
        // Administrators with a stored deadline (their requirement has none).
        ("grace@example.com", true, Some(now + 3 * 86_400)),
        ("admin@example.com", true, Some(now - 86_400)),
        // The same key as no deadline at all.
        ("mallory@example.com", true, Some(i64::MAX)),
        // Ties with carol's deadline: the email breaks them.
        ("judy@example.com", true, None),
    ] {
        sqlx::query("UPDATE users SET mfa_required = $1, mfa_deadline = $2 WHERE email = $3")
            .bind(required)
            .bind(deadline)
            .bind(email)
            .execute(&s.state.db)
            .await
            .unwrap();
    }
    let carol: Option<i64> =
        sqlx::query_scalar("SELECT mfa_deadline FROM users WHERE email = 'carol@example.com'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    sqlx::query("UPDATE users SET mfa_deadline = $1 WHERE email = 'judy@example.com'")
        .bind(carol)
        .execute(&s.state.db)
        .await
        .unwrap();
    // The stored deadline orders the list (an administrator's is not shown).
    let stored: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT email, mfa_deadline FROM users")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    let key = |email: &str| {
        stored
            .iter()
            .find(|(e, _)| e == email)
            .and_then(|(_, d)| *d)
            .unwrap_or(i64::MAX)
    };
    let everyone = all_pages(&admin, "", 100).await;
    assert_eq!(everyone.len(), 12);
    let dated = everyone.iter().filter(|u| key(&u.email) < i64::MAX).count();
    assert!((5..12).contains(&dated), "{dated} users with a deadline");
    for (query, keep) in filters() {
        let mut expected: Vec<&AdminUser> = everyone.iter().filter(|u| keep(u)).collect();
        expected.sort_by(|a, b| {
            key(&a.email)
                .cmp(&key(&b.email))
                .then_with(|| a.email.cmp(&b.email))
        });
        let expected: Vec<String> = expected.into_iter().map(|u| u.email.clone()).collect();
        pages_in_order(&admin, &format!("&sort=deadline{query}"), &expected).await;
    }
}

/// The status order skips the groups a filter rules out; what is left must
/// still page through in order, both ways.
#[tokio::test]
async fn the_status_order_pages_through_every_filter_both_ways() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let everyone = all_pages(&admin, "", 100).await;
    for (query, keep) in filters() {
        let mut expected: Vec<&AdminUser> = everyone.iter().filter(|u| keep(u)).collect();
        expected.sort_by(|a, b| {
            rank(&a.mfa)
                .cmp(&rank(&b.mfa))
                .then_with(|| a.email.cmp(&b.email))
        });
        let expected: Vec<String> = expected.into_iter().map(|u| u.email.clone()).collect();
        pages_in_order(&admin, &format!("&sort=status{query}"), &expected).await;
    }
}
