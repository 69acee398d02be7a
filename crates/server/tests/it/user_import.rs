//! Importing users from a CSV file: the preview names every bad row's
//! problem in words, nothing is written while a row is bad (unless the
//! administrator imports only the valid rows), files that cannot be read
//! are refused as a whole, and imported people are invited, put in their
//! groups (made when new) and listed as invited.

use portcullis_api::{
    AdminUser, ErrorCode, ImportReport, Role, UserDetail, UserImport, IMPORT_MAX_ROWS,
};

use crate::client::{Answer, Api};
use crate::fixtures::{TestServer, ADMIN};

async fn preview(admin: &Api, csv: &str) -> ImportReport {
    let file = UserImport {
        csv: csv.into(),
        valid_rows_only: false,
    };
    admin
        .post("/api/v1/admin/users/import/preview", &file)
        .await
        .ok()
}

async fn import(admin: &Api, csv: &str, valid_rows_only: bool) -> Answer<ImportReport> {
    let file = UserImport {
        csv: csv.into(),
        valid_rows_only,
    };
    admin.post("/api/v1/admin/users/import", &file).await
}

async fn count(s: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

/// Users, groups, memberships, links and emails: what an import writes.
async fn written(s: &TestServer) -> [i64; 5] {
    [
        count(s, "SELECT COUNT(*) FROM users").await,
        count(s, "SELECT COUNT(*) FROM user_groups").await,
        count(s, "SELECT COUNT(*) FROM user_group_members").await,
        count(s, "SELECT COUNT(*) FROM user_links").await,
        count(s, "SELECT COUNT(*) FROM outbox").await,
    ]
}

/// A spreadsheet's export: a byte-order mark, CRLF, a quoted comma, and
/// one of every kind of bad row.
const FILE: &str = "\u{feff}Name,Email,Role,Groups\r\n\
Zoë Zed,Zoe@Example.com,user,Ops; Sales\r\n\
\"=HYPERLINK(\"\"http://evil.example\"\")\",f@example.com,,\r\n\
Alice Again,ALICE@example.com,,\r\n\
Zed Two,zoe@example.com,,\r\n\
Bad Address,not-an-email,,\r\n\
Rolf,rolf@example.com,boss,\r\n\
Solo,solo@example.com\r\n\
\r\n\
\"Doe, Jane\",jane@example.com,Admin,ops\r\n";

#[tokio::test]
async fn every_bad_row_is_named_and_nothing_is_written_until_the_admin_chooses_the_valid_rows() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let before = written(&s).await;

    let report = preview(&admin, FILE).await;
    assert_eq!(report.file_problem, None);
    assert_eq!((report.rows, report.ready, report.imported), (8, 2, 0));
    assert_eq!(report.new_groups, vec!["Ops", "Sales"]);
    let problems: Vec<(u32, &str)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    let expect = [
        (3, "formula"),
        (4, "alice@example.com exists already"),
        (5, "is on line 2 already"),
        (6, "email"),
        (7, "\"boss\""),
        (8, "2 values"),
    ];
    assert_eq!(problems.len(), expect.len(), "{problems:?}");
    for ((line, message), (want_line, words)) in problems.iter().zip(expect) {
        assert_eq!(*line, want_line);
        assert!(message.contains(words), "line {line}: {message}");
    }
    assert_eq!(written(&s).await, before, "a preview writes nothing");

    // With bad rows and no choice made: refused, nothing half-written.
    let refused = import(&admin, FILE, false).await.err();
    assert_eq!(refused.code, ErrorCode::Conflict);
    assert!(
        refused.message.contains("6 of the rows"),
        "{}",
        refused.message
    );
    assert_eq!(written(&s).await, before);

    // The valid rows only: both invited, in their groups.
    let done = import(&admin, FILE, true).await.ok();
    assert_eq!((done.imported, done.ready), (2, 2));
    let zoe = admin.admin_users("?search=zoe@").await.ok().users;
    assert_eq!(zoe.len(), 1);
    assert_eq!(
        (zoe[0].display_name.as_str(), zoe[0].invited),
        ("Zoë Zed", true)
    );
    let jane = admin.admin_users("?search=jane@").await.ok().users;
    assert_eq!(
        (jane[0].display_name.as_str(), jane[0].role),
        ("Doe, Jane", Role::Admin)
    );
    let detail: UserDetail = admin
        .get(&format!("/api/v1/admin/users/{}", jane[0].id))
        .await
        .ok();
    let groups: Vec<&str> = detail.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(groups, vec!["Ops"]);
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM outbox WHERE kind = 'invitation'").await,
        2
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'user_invited' AND detail LIKE '%(CSV import)'"
        )
        .await,
        2
    );

    // The invited filter lists exactly them; an invitation link works.
    let invited = admin.admin_users("?account=invited").await.ok().users;
    let mut emails: Vec<&str> = invited.iter().map(|u| u.email.as_str()).collect();
    emails.sort_unstable();
    assert_eq!(emails, vec!["jane@example.com", "zoe@example.com"]);
    let alice = s.user_id(&admin, "alice@example.com").await;
    let _: AdminUser = admin
        .post_empty(&format!("/api/v1/admin/users/{alice}/suspend"))
        .await
        .ok();
    let suspended = admin.admin_users("?account=suspended").await.ok().users;
    assert_eq!(suspended.len(), 1);
    assert_eq!(suspended[0].id, alice);

    // The same file again: every row is taken now.
    let again = import(&admin, FILE, true).await.err();
    assert!(again.message.contains("No row"), "{}", again.message);
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_as_a_whole_in_words() {
    let s = TestServer::start().await;
    let (admin, _) = s.admin().await;
    let before = written(&s).await;
    let too_many = {
        let mut f = String::from("name,email\n");
        for i in 0..=IMPORT_MAX_ROWS {
            f.push_str(&format!("Person {i},p{i}@example.com\n"));
        }
        f
    };
    let cases = [
        ("", "empty"),
        ("name,email,phone\nA,a@example.com,1\n", "\"phone\""),
        ("name,role\nA,user\n", "no column email"),
        ("name;email\nA;a@example.com\n", "semicolons"),
        ("name,email\n\"A,a@example.com\n", "Line 2"),
        ("name,email\nA\u{fffd},a@example.com\n", "UTF-8"),
        (too_many.as_str(), "10001 rows"),
    ];
    for (file, words) in cases {
        let report = preview(&admin, file).await;
        let problem = report.file_problem.unwrap_or_default();
        assert!(problem.contains(words), "{words}: {problem}");
        let refused = import(&admin, file, true).await.err();
        assert_eq!(refused.code, ErrorCode::Conflict, "{words}");
        assert!(refused.message.contains(words), "{}", refused.message);
    }
    assert_eq!(written(&s).await, before);

    // Exactly the most rows a file may hold is read.
    let most = {
        let mut f = String::from("name,email\n");
        for i in 0..IMPORT_MAX_ROWS {
            f.push_str(&format!("Person {i},p{i}@example.com\n"));
        }
        f
    };
    let report = preview(&admin, &most).await;
    assert_eq!(report.file_problem, None);
    assert_eq!(report.ready as usize, IMPORT_MAX_ROWS);

    // A body beyond the route's limit is refused before it is read.
    let huge = "x".repeat(9 * 1024 * 1024);
    assert_eq!(import(&admin, &huge, true).await.status, 413);
}

#[tokio::test]
async fn only_administrators_with_a_second_factor_import() {
    let s = TestServer::start().await;
    let (user, _) = s.password_login("alice@example.com").await;
    let file = "name,email\nA,a@example.com\n";
    assert_eq!(
        import(&user, file, true).await.fail().0,
        403,
        "a user may not import"
    );
    // An administrator who gave only their password is not signed in yet.
    let (grace, _) = s.password_login(ADMIN).await;
    assert_eq!(import(&grace, file, true).await.status, 401);
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM users WHERE email = 'a@example.com'"
        )
        .await,
        0
    );
}
