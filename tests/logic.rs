//! Native tests of the SPA's pure logic (no browser needed).

use portcullis_api::ErrorCode;
use portcullis_web::api::ApiError;
use portcullis_web::paths::{encode_component, login_url, safe_next, Audience, Page};
use portcullis_web::text::{check_login, role_label};

#[test]
fn next_targets_stay_on_this_site() {
    assert_eq!(safe_next(Some("/security?tab=keys")), "/security?tab=keys");
    for bad in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        "/login",
        "/login?next=/",
    ] {
        assert_eq!(safe_next(Some(bad)), "/", "{bad}");
    }
    assert_eq!(safe_next(None), "/");
}

#[test]
fn login_url_remembers_where_to_return() {
    assert_eq!(login_url("/"), "/login");
    assert_eq!(login_url("/login"), "/login");
    assert_eq!(
        login_url("/?tab=profile"),
        "/login?next=%2F%3Ftab%3Dprofile"
    );
    assert_eq!(encode_component("a b&c/é"), "a%20b%26c%2F%C3%A9");
}

#[test]
fn login_form_checks() {
    let p = check_login("", "").unwrap_err();
    assert_eq!(p.email.as_deref(), Some("Enter your email address."));
    assert_eq!(p.password.as_deref(), Some("Enter your password."));
    let p = check_login("alice", "pw").unwrap_err();
    assert_eq!(
        p.email.as_deref(),
        Some("Enter an email address like name@example.com.")
    );
    assert_eq!(p.password, None);
    let ok = check_login("  alice@example.com ", "pw").unwrap();
    assert_eq!(ok.email, "alice@example.com");
    assert_eq!(ok.password, "pw");
}

#[test]
fn api_errors_read_as_sentences() {
    assert_eq!(
        ApiError::Unreachable.user_message(),
        "The server cannot be reached. Check your connection and try again."
    );
    let throttled = ApiError::from_status_and_body(
        429,
        r#"{"code":"too_many_attempts","message":"Too many failed attempts.","retry_after":42}"#,
        Some("42"),
    );
    assert_eq!(throttled.retry_after(), Some(42));
    assert_eq!(
        throttled.user_message(),
        "Too many attempts. Try again in 42 s."
    );
    // the header is used when the body lacks the number
    let throttled = ApiError::from_status_and_body(
        429,
        r#"{"code":"too_many_attempts","message":"x"}"#,
        Some("7"),
    );
    assert_eq!(
        throttled.user_message(),
        "Too many attempts. Try again in 7 s."
    );

    let wrong = ApiError::from_status_and_body(
        401,
        r#"{"code":"invalid_credentials","message":"The email or password is incorrect."}"#,
        None,
    );
    assert_eq!(wrong.user_message(), "The email or password is incorrect.");
    assert_eq!(wrong.status(), Some(401));
    assert!(!wrong.is_unauthenticated());

    let proxy_page = ApiError::from_status_and_body(502, "<html>Bad Gateway</html>", None);
    assert!(matches!(
        proxy_page,
        ApiError::BadResponse { status: 502, .. }
    ));
    assert!(
        proxy_page.user_message().contains("HTTP 502"),
        "{}",
        proxy_page.user_message()
    );
}

fn server_error(status: u16, code: ErrorCode, retry_after: Option<u64>) -> ApiError {
    ApiError::Server {
        status,
        code,
        message: "The server's own sentence.".into(),
        retry_after,
    }
}

#[test]
fn every_error_code_reads_as_a_sentence_and_only_one_ends_the_session() {
    for code in ErrorCode::ALL.into_iter().chain([ErrorCode::Unknown]) {
        let e = server_error(400, code, None);
        let text = e.user_message();
        assert!(text.ends_with('.'), "{code:?}: {text}");
        assert_eq!(
            e.is_unauthenticated(),
            code == ErrorCode::Unauthenticated,
            "{code:?}"
        );
        assert_eq!(
            e.retry_after().is_some(),
            matches!(code, ErrorCode::TooManyAttempts | ErrorCode::Unavailable),
            "{code:?}"
        );
    }
}

#[test]
fn codes_the_portal_words_itself() {
    let said = |code| server_error(403, code, None).user_message();
    assert!(said(ErrorCode::Suspended).contains("An administrator must unlock it."));
    assert!(said(ErrorCode::MfaRequired).contains("authenticator app"));
    assert!(said(ErrorCode::ReauthenticationRequired).contains("current code"));
    assert!(said(ErrorCode::Outranked).contains("higher role"));
    assert_eq!(
        said(ErrorCode::FactorNotSetUp),
        "No authenticator app is set up for this account."
    );
    // the server's message stays where it says more than the code does
    assert_eq!(said(ErrorCode::WrongCode), "The server's own sentence.");
}

#[test]
fn a_busy_server_says_when_to_come_back() {
    let busy = ApiError::from_status_and_body(
        503,
        r#"{"code":"unavailable","message":"The server is busy."}"#,
        Some("5"),
    );
    assert_eq!(busy.code(), Some(ErrorCode::Unavailable));
    assert_eq!(busy.retry_after(), Some(5));
    assert_eq!(busy.user_message(), "The server is busy. Try again in 5 s.");
}

#[test]
fn a_code_from_a_newer_server_shows_its_message() {
    let later = ApiError::from_status_and_body(
        409,
        r#"{"code":"a_code_from_the_future","message":"Something new happened."}"#,
        None,
    );
    assert_eq!(later.code(), Some(ErrorCode::Unknown));
    assert_eq!(later.user_message(), "Something new happened.");
    assert!(!later.is_unauthenticated());
}

#[test]
fn role_labels() {
    assert_eq!(
        role_label(portcullis_api::Role::BillingAdmin),
        "Billing administrator"
    );
}

#[test]
fn codes_are_six_digits_whatever_the_spacing() {
    use portcullis_web::text::normalize_code;
    assert_eq!(normalize_code("123456"), Ok("123456".to_string()));
    assert_eq!(normalize_code(" 123 456 "), Ok("123456".to_string()));
    assert_eq!(normalize_code("123-456"), Ok("123456".to_string()));
    assert_eq!(
        normalize_code(""),
        Err("Enter the 6-digit code from your authenticator app.")
    );
    assert_eq!(
        normalize_code("12345"),
        Err("The code has exactly 6 digits.")
    );
    assert_eq!(
        normalize_code("1234567"),
        Err("The code has exactly 6 digits.")
    );
    assert_eq!(
        normalize_code("12a456"),
        Err("The code has exactly 6 digits.")
    );
}

#[test]
fn keys_are_grouped_by_four() {
    use portcullis_web::text::group_key;
    assert_eq!(group_key("ABCDEFGHIJKLMNOP"), "ABCD EFGH IJKL MNOP");
    assert_eq!(group_key("ABCDEF"), "ABCD EF");
}

#[test]
fn status_sentences_and_dates() {
    use portcullis_api::MfaStatus;
    use portcullis_web::text::{date, status_sentence};
    assert!(
        status_sentence(MfaStatus::EnrollmentPeriod { days_left: 1 })
            .contains("You have 1 day left")
    );
    assert!(
        status_sentence(MfaStatus::EnrollmentPeriod { days_left: 5 })
            .contains("You have 5 days left")
    );
    // administrators read it too: their role requires MFA, no colleague does
    let now = status_sentence(MfaStatus::RequiredNoPeriod);
    assert!(now.ends_with("Set it up now."), "{now}");
    assert!(!now.contains("administrator"), "{now}");
    assert_eq!(date(0), "1970-01-01");
    assert_eq!(date(1_795_305_600), "2026-11-22");
    assert_eq!(date(951_782_400), "2000-02-29");
}

#[test]
fn next_is_carried_between_login_steps() {
    assert_eq!(Page::LoginMfa.with_next("/"), "/login/mfa");
    assert_eq!(
        Page::Enroll.with_next(Page::Security.path()),
        "/enroll?next=%2Fsecurity"
    );
    assert_eq!(Page::Enroll.with_next("https://evil.example"), "/enroll");
}

#[test]
fn every_page_is_found_by_its_path_and_routed() {
    // The route tree's `path!` literals, as app.rs writes them (a route
    // under the admin prefix is one lazy route that picks its screen).
    let app = include_str!("../src/app.rs");
    for page in Page::ALL {
        assert_eq!(Page::from_path(page.path()), Some(page), "{page:?}");
        assert!(!page.title().is_empty());
        let path = page.path();
        let routed = match page.audience() {
            Audience::Admin => path.starts_with("/admin/") && app.contains("path!(\"/admin\")"),
            Audience::SignedIn if path == "/" => app.contains("path!(\"\")"),
            // the single sign-on pages: one lazy route that picks its screen
            Audience::Anyone if path.starts_with("/sso/") => app.contains("path!(\"/sso/*any\")"),
            Audience::SignedIn | Audience::Anyone => app.contains(&format!("path!(\"{path}\")")),
        };
        assert!(routed, "{page:?} has no route in app.rs");
    }
    assert_eq!(Page::from_path("/security/"), Some(Page::Security));
    assert_eq!(Page::from_path("/nope"), None);
}

#[test]
fn home_says_what_to_do_next() {
    use portcullis_api::{MfaOverview, MfaStatus, TotpState};
    use portcullis_web::text::{next_step, NextStep};
    let o = |status, totp| MfaOverview {
        status,
        deadline: None,
        totp,
        factors: vec![],
        last_used: None,
        recovery_codes_left: 0,
        trust_days: None,
        protect_merged_notice: false,
        push_muted_until: None,
        temporary_access: false,
        email: None,
        allowed: Vec::new(),
    };
    assert_eq!(
        next_step(&o(
            MfaStatus::EnrollmentPeriod { days_left: 3 },
            TotpState::NotSetUp
        )),
        NextStep::SetUpRequired { days_left: Some(3) }
    );
    assert_eq!(
        next_step(&o(MfaStatus::RequiredNoPeriod, TotpState::Pending)),
        NextStep::SetUpRequired { days_left: None }
    );
    assert_eq!(
        next_step(&o(MfaStatus::None, TotpState::NotSetUp)),
        NextStep::SetUpOptional
    );
    assert_eq!(
        next_step(&o(MfaStatus::EnrollmentExpired, TotpState::NotSetUp)),
        NextStep::AskAdministrator
    );
    assert_eq!(
        next_step(&o(
            MfaStatus::Active,
            TotpState::Active {
                since: 1_795_305_600,
                on_device: false,
            }
        )),
        NextStep::Protected {
            factors: vec![portcullis_api::FactorKind::Totp]
        }
    );
}

#[test]
fn home_lists_protect_push_for_a_push_only_user() {
    use portcullis_api::{FactorKind, MfaOverview, MfaStatus, TotpState};
    use portcullis_web::text::{next_step, NextStep};
    let o = MfaOverview {
        status: MfaStatus::Active,
        deadline: None,
        totp: TotpState::NotSetUp,
        factors: vec![FactorKind::Push, FactorKind::RecoveryCode],
        last_used: None,
        recovery_codes_left: 10,
        trust_days: None,
        protect_merged_notice: false,
        push_muted_until: None,
        temporary_access: false,
        email: None,
        allowed: Vec::new(),
    };
    assert_eq!(
        next_step(&o),
        NextStep::Protected {
            factors: vec![FactorKind::Push]
        }
    );
}

mod users_list {
    use portcullis_api::{BulkAction, BulkOutcome, FactorKind, StatusFilter, UserFilter, UserSort};
    use portcullis_web::paths::{UsersQuery, FACTOR_KINDS, STATUS_FILTERS, USER_SORTS};
    use portcullis_web::text::{bulk_names, bulk_sentence, check_period_days, users_shown};

    fn parse(url: &str) -> UsersQuery {
        // What the router hands over: decoded pairs, `after` repeated.
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), decode(v))
            })
            .collect();
        let cursors = pairs
            .iter()
            .filter(|(k, _)| k == "after")
            .map(|(_, v)| v.clone())
            .collect();
        UsersQuery::from_params(
            |key| {
                pairs
                    .iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            },
            cursors,
        )
    }

    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn the_plain_list_is_the_plain_path() {
        let q = UsersQuery::default();
        assert_eq!(q.url(), "/admin/users");
        assert_eq!(q.api_path(), "/admin/users");
        assert_eq!(q.csv_url(), "/api/v1/admin/users.csv");
        assert_eq!(parse("/admin/users"), q);
    }

    #[test]
    fn every_view_survives_its_url() {
        for status in STATUS_FILTERS {
            for sort in USER_SORTS {
                for factor in FACTOR_KINDS {
                    let q = UsersQuery {
                        search: "Ann O'Neil&co".into(),
                        status: Some(status),
                        required: Some(sort == UserSort::Name),
                        factor: Some(factor),
                        group: Some("9f1c a&b".into()),
                        account: Some(portcullis_api::AccountFilter::Suspended),
                        sort,
                        desc: true,
                        cursors: vec!["YWJj_LQ".into(), "ZGVm".into()],
                    };
                    assert_eq!(parse(&q.url()), q, "{}", q.url());
                }
            }
        }
    }

    #[test]
    fn the_api_gets_the_last_cursor_and_the_csv_none() {
        let q = UsersQuery {
            status: Some(StatusFilter::EnrollmentPeriod),
            sort: UserSort::Deadline,
            cursors: vec!["one".into(), "two".into()],
            ..Default::default()
        };
        assert_eq!(
            q.url(),
            "/admin/users?status=enrollment_period&sort=deadline&after=one&after=two"
        );
        assert_eq!(
            q.api_path(),
            "/admin/users?status=enrollment_period&sort=deadline&after=two"
        );
        assert_eq!(
            q.csv_url(),
            "/api/v1/admin/users.csv?status=enrollment_period&sort=deadline"
        );
    }

    #[test]
    fn paging_and_sorting() {
        let first = UsersQuery::default();
        let second = first.next_page("c1");
        let third = second.next_page("c2");
        assert_eq!(third.page_number(), 3);
        assert_eq!(third.previous_page(), second);
        assert_eq!(first.previous_page(), first);
        // A new order starts again at page 1; the same header twice reverses.
        let by_name = third.sorted_by(UserSort::Name);
        assert_eq!(
            (by_name.sort, by_name.desc, by_name.page_number()),
            (UserSort::Name, false, 1)
        );
        assert!(by_name.sorted_by(UserSort::Name).desc);
        assert!(
            !by_name
                .sorted_by(UserSort::Name)
                .sorted_by(UserSort::Name)
                .desc
        );
        // A new filter too, keeping the order.
        let filtered = third.sorted_by(UserSort::Status).with_filter(UserFilter {
            factor: Some(FactorKind::Totp),
            ..Default::default()
        });
        assert_eq!(filtered.url(), "/admin/users?factor=totp&sort=status");
    }

    #[test]
    fn unknown_values_in_a_bookmark_are_ignored() {
        let q = parse("/admin/users?status=nope&sort=age&desc=maybe&required=yes&search=%20bo%20");
        assert_eq!(
            q,
            UsersQuery {
                search: "bo".into(),
                ..Default::default()
            }
        );
    }

    #[test]
    fn period_days_as_the_server_allows() {
        assert_eq!(check_period_days(" 7 "), Ok(7));
        assert_eq!(check_period_days("1"), Ok(1));
        assert_eq!(check_period_days("365"), Ok(365));
        for bad in ["0", "366", "-3", "2.5", "seven", "1e2"] {
            assert!(check_period_days(bad).is_err(), "{bad}");
        }
        assert!(check_period_days("").is_err());
    }

    #[test]
    fn the_push_limit_as_the_server_allows() {
        use portcullis_web::text::check_push_max;
        assert_eq!(check_push_max(" 3 "), Ok(3));
        assert_eq!(check_push_max("1"), Ok(1));
        assert_eq!(check_push_max("10"), Ok(10));
        for bad in ["0", "11", "-1", "1.5", "two", ""] {
            assert!(check_push_max(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sentences() {
        let o = BulkOutcome {
            changed: 12,
            lose_authenticator_app: 3,
            newly_required: 0,
            skipped: vec![],
            names: vec![],
        };
        assert_eq!(
            bulk_sentence(BulkAction::Reset, &o, false),
            "12 users will change: 3 will lose their authenticator app."
        );
        assert_eq!(
            bulk_sentence(BulkAction::Reset, &o, true),
            "12 users changed: 3 lost their authenticator app."
        );
        let o = BulkOutcome {
            changed: 1,
            lose_authenticator_app: 0,
            newly_required: 1,
            skipped: vec![],
            names: vec![],
        };
        assert_eq!(
            bulk_sentence(BulkAction::Require, &o, false),
            "1 user will change: 1 will have MFA required for the first time."
        );
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(bulk_names(&names(&["Ann"]), 1), "For Ann.");
        assert_eq!(bulk_names(&names(&["Ann", "Bob"]), 2), "For Ann and Bob.");
        assert_eq!(
            bulk_names(&names(&["Ann", "Bob", "Cy"]), 3),
            "For Ann, Bob and Cy."
        );
        assert_eq!(
            bulk_names(&names(&["Ann", "Bob"]), 7),
            "For Ann, Bob and 5 more."
        );
        assert_eq!(bulk_names(&[], 4), "");
        assert_eq!(users_shown(12, false), "12 users shown.");
        assert_eq!(users_shown(1, true), "1 user shown; more on the next page.");
        assert_eq!(users_shown(0, false), "No users match this filter.");
    }
}

#[test]
fn admin_user_pages_are_found_by_their_paths() {
    use portcullis_web::paths::{admin_user_id, admin_user_path};
    let id = "0193a0c4-5f6e-7a8b-9c0d-1e2f3a4b5c6d";
    let path = admin_user_path(id);
    assert_eq!(path, format!("/admin/users/{id}"));
    assert_eq!(Page::from_path(&path), Some(Page::AdminUser));
    assert_eq!(admin_user_id(&path).as_deref(), Some(id));
    assert_eq!(admin_user_id(&format!("{path}/")).as_deref(), Some(id));
    // not a user's page: the list itself, deeper paths, other characters
    assert_eq!(Page::from_path("/admin/users"), Some(Page::AdminUsers));
    assert_eq!(admin_user_id("/admin/users/"), None);
    assert_eq!(admin_user_id("/admin/users/x/y"), None);
    assert_eq!(admin_user_id("/admin/users/<script>"), None);
    assert_eq!(Page::from_path("/admin/users/nope!"), None);
}

#[test]
fn the_event_log_view_lives_in_the_url() {
    use portcullis_api::EventOutcome;
    use portcullis_web::paths::EventsQuery;
    let parse = |url: &str| {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.replace("%40", "@")))
            .collect();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let before = pairs
            .iter()
            .filter(|(k, _)| k == "before")
            .map(|(_, v)| v.clone())
            .collect();
        EventsQuery::from_params(get, before)
    };
    let q = EventsQuery {
        user: "bob@example.com".into(),
        kind: "admin_reset_mfa".into(),
        outcome: Some(EventOutcome::Success),
        from: "2026-11-01".into(),
        to: "2026-11-30".into(),
        cursors: vec!["c1".into(), "c2".into()],
    };
    let url = q.url();
    assert!(url.starts_with("/admin/events?user=bob%40example.com&kind=admin_reset_mfa&outcome=success&from=2026-11-01&to=2026-11-30&before=c1&before=c2"), "{url}");
    assert_eq!(parse(&url), q, "a bookmark gives the same view back");
    assert_eq!(q.page_number(), 3);
    assert_eq!(q.previous_page().cursors, vec!["c1".to_string()]);
    assert_eq!(q.first_page().cursors, Vec::<String>::new());
    // The API gets instants: the last day is included, so `to` is the
    // start of the day after it; only the last cursor goes.
    let instant = |s: &str| match s {
        "2026-11-01T00:00" => Some(1_000),
        "2026-12-01T00:00" => Some(9_000),
        _ => None,
    };
    assert_eq!(
        q.api_path(instant),
        "/admin/events?user=bob%40example.com&kind=admin_reset_mfa&outcome=success&from=1000&to=9000&before=c2"
    );
    // Malformed values in a hand-edited URL count as absent.
    let odd = parse("/admin/events?outcome=maybe&from=yesterday&to=2026-13&kind=DROP%20TABLE");
    assert_eq!(odd.outcome, None);
    assert_eq!(odd.from, "");
    assert_eq!(odd.to, "");
    assert!(odd.kind.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    assert_eq!(EventsQuery::default().url(), "/admin/events");
    assert!(!EventsQuery::default().is_filtered());
}

#[test]
fn the_day_after() {
    use portcullis_web::paths::next_day;
    assert_eq!(next_day("2026-11-30"), "2026-12-01");
    assert_eq!(next_day("2026-12-31"), "2027-01-01");
    assert_eq!(next_day("2028-02-28"), "2028-02-29");
    assert_eq!(next_day("2100-02-28"), "2100-03-01");
    assert_eq!(next_day("2000-02-28"), "2000-02-29");
    assert_eq!(next_day("2026-04-30"), "2026-05-01");
}

#[test]
fn events_and_browsers_in_words() {
    use portcullis_web::text::{browser_in_words, event_kind_label, events_shown};
    assert_eq!(event_kind_label("admin_reset_mfa"), "MFA reset by an admin");
    // a kind a newer server records: its name, readable
    assert_eq!(event_kind_label("push_mfa_sent"), "Push mfa sent");
    assert_eq!(events_shown(0, false), "No events match these filters.");
    assert_eq!(events_shown(1, false), "1 event shown.");
    assert_eq!(
        events_shown(50, true),
        "50 events shown; older ones on the next page."
    );
    let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    assert_eq!(browser_in_words(chrome), "Chrome on Linux");
    let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
    assert_eq!(browser_in_words(edge), "Edge on Windows");
    let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    assert_eq!(browser_in_words(safari), "Safari on iOS");
    assert_eq!(browser_in_words("curl/8.5.0"), "curl");
    assert_eq!(browser_in_words(""), "Unknown browser");
}

#[test]
fn the_event_filter_offers_every_kind_the_server_records() {
    let ours: Vec<&str> = portcullis_web::text::EVENT_KINDS
        .iter()
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(ours, portcullis_api::EVENT_KINDS);
    for (_, words) in portcullis_web::text::EVENT_KINDS {
        assert!(!words.is_empty() && !words.contains('_'), "{words}");
    }
}

#[test]
fn home_lists_security_keys_among_the_factors() {
    use portcullis_api::{FactorKind, MfaOverview, MfaStatus, TotpState};
    use portcullis_web::text::{next_step, NextStep};
    let o = MfaOverview {
        status: MfaStatus::Active,
        deadline: None,
        totp: TotpState::NotSetUp,
        factors: vec![FactorKind::Webauthn],
        last_used: None,
        recovery_codes_left: 0,
        trust_days: None,
        protect_merged_notice: false,
        push_muted_until: None,
        temporary_access: false,
        email: None,
        allowed: Vec::new(),
    };
    assert_eq!(
        next_step(&o),
        NextStep::Protected {
            factors: vec![FactorKind::Webauthn]
        }
    );
}

#[test]
fn browser_errors_of_a_key_ceremony_become_sentences() {
    use portcullis_web::webauthn::Failure;
    assert_eq!(Failure::from_name("NotAllowedError"), Failure::Cancelled);
    assert_eq!(Failure::from_name("AbortError"), Failure::Superseded);
    assert_eq!(
        Failure::from_name("InvalidStateError"),
        Failure::AlreadyRegistered
    );
    assert_eq!(Failure::from_name("SecurityError"), Failure::WrongSite);
    assert_eq!(Failure::from_name("NotSupportedError"), Failure::KeyCannot);
    assert_eq!(Failure::from_name("TypeError"), Failure::Other);
    assert!(Failure::Unsupported
        .sentence()
        .starts_with("This browser cannot use security keys here."));
    assert!(Failure::WrongSite.sentence().contains("IP address"));
    // Every sentence says how to go on.
    for f in [
        Failure::Unsupported,
        Failure::Cancelled,
        Failure::AlreadyRegistered,
        Failure::WrongSite,
        Failure::KeyCannot,
        Failure::Unreadable,
        Failure::Other,
    ] {
        let s = f.sentence().to_lowercase();
        assert!(s.contains("try again") || s.contains("another"), "{s}");
    }
}

#[test]
fn a_refused_key_says_the_way_on_once() {
    use portcullis_web::webauthn::{with_way_on, Problem};
    let refused = |message: &str| {
        let body = serde_json::json!({"code": "wrong_code", "message": message}).to_string();
        Problem::Server(ApiError::from_status_and_body(401, &body, None)).sentence()
    };
    // The passkey's refusal at /login/mfa: once, not "Try again. Try again, …".
    assert_eq!(
        refused("The passkey did not verify you (PIN, fingerprint or face). Try again."),
        "The passkey did not verify you (PIN, fingerprint or face). Try again, or use \
         another factor."
    );
    // Already saying another factor, or another way on: as it is.
    let whole =
        "The security key's answer could not be verified. Try again, or use another factor.";
    assert_eq!(refused(whole), whole);
    assert_eq!(
        refused("The security key answered another request. Start again."),
        "The security key answered another request. Start again."
    );
    // A sentence without a way on gets it.
    assert_eq!(
        refused("This security key is not one of yours. Use a key you added to this account."),
        "This security key is not one of yours. Use a key you added to this account. Try \
         again, or use another factor."
    );
    // The SPA's own words for a throttled start say when; nothing is added.
    let busy = ApiError::from_status_and_body(
        429,
        r#"{"code":"too_many_attempts","message":"x","retry_after":9}"#,
        None,
    );
    assert_eq!(
        Problem::Server(busy).sentence(),
        "Too many attempts. Try again in 9 s."
    );
    assert_eq!(with_way_on(""), "Try again, or use another factor.");
    // Whatever the message, the way on is never said twice.
    for message in [
        "Try again.",
        "No. Try again.",
        "x",
        "Try again, or use another factor.",
    ] {
        let said = with_way_on(message);
        assert_eq!(said.matches("another factor").count(), 1, "{said}");
        assert!(said.matches("Try again").count() <= 1, "{said}");
    }
}

#[test]
fn key_ceremony_json_is_checked_before_use() {
    use portcullis_web::webauthn::{json, Failure};
    use serde_json::json;
    // The options: `publicKey` with its challenge; nulls left out (the
    // browser's parser refuses them), at any depth.
    let options = json!({"publicKey": {
        "challenge": "AAEC", "timeout": null,
        "user": {"id": "AQ", "displayName": null},
        "excludeCredentials": [{"id": "AQ", "transports": null}]
    }});
    assert_eq!(
        json::public_key(&options),
        Ok(json!({"challenge": "AAEC", "user": {"id": "AQ"},
                  "excludeCredentials": [{"id": "AQ"}]}))
    );
    for bad in [
        json!({}),
        json!({"publicKey": "x"}),
        json!({"publicKey": {}}),
        json!({"publicKey": {"challenge": 1}}),
        json!(null),
    ] {
        assert_eq!(json::public_key(&bad), Err(Failure::Unreadable), "{bad}");
    }

    // The browser's credential: its type, base64url ids, and the
    // response fields the ceremony needs.
    let good = json!({"id": "AQ-_", "rawId": "AQ-_", "type": "public-key",
        "response": {"clientDataJSON": "e30", "attestationObject": "oA"},
        "clientExtensionResults": {}});
    assert_eq!(
        json::credential(good.clone(), &["attestationObject"]),
        Ok(good.clone())
    );
    assert_eq!(
        json::credential(good.clone(), &["signature"]),
        Err(Failure::Unreadable)
    );
    let mut wrong = good.clone();
    wrong["type"] = json!("password");
    assert!(json::credential(wrong, &[]).is_err());
    let mut padded = good.clone();
    padded["id"] = json!("AQ==");
    assert!(json::credential(padded, &[]).is_err());
    let mut empty = good.clone();
    empty["response"]["clientDataJSON"] = json!("");
    assert!(json::credential(empty, &[]).is_err());
    assert!(json::credential(json!([1, 2]), &[]).is_err());
    assert!(json::credential(json!({"type": "public-key"}), &[]).is_err());
}

#[test]
fn few_recovery_codes_left_are_warned_about_from_three() {
    use portcullis_web::text::codes_warning;
    assert_eq!(codes_warning(10), None);
    assert_eq!(codes_warning(4), None);
    for left in 1..=3 {
        let words = codes_warning(left).unwrap_or_default();
        assert!(words.contains(&left.to_string()), "{words}");
        assert!(words.contains("make new ones"), "{words}");
    }
    assert!(codes_warning(1)
        .unwrap_or_default()
        .starts_with("Only 1 recovery code is left"));
    assert!(codes_warning(0)
        .unwrap_or_default()
        .starts_with("No recovery code is left"));
}

#[test]
fn a_hosts_enrollment_in_words() {
    use portcullis_web::text::host_enrollment_words;
    let when = |t: i64| format!("at {t}");
    assert_eq!(
        host_enrollment_words(None, Some(99), when),
        "Waiting for enrollment (token valid until at 99)"
    );
    assert_eq!(host_enrollment_words(Some(5), None, when), "Enrolled at 5");
    assert_eq!(
        host_enrollment_words(Some(5), Some(99), when),
        "Enrolled at 5; a new token is valid until at 99"
    );
    assert!(host_enrollment_words(None, None, when).contains("expired"));
}

/// Icons are the SVG set of `components/icon.rs`: no screen draws a glyph or
/// an emoji instead (arrows, shapes, dingbats, emoji: their look depends on
/// the fonts a system has, and a missing one shows as an empty box).
#[test]
fn screens_draw_no_glyphs() {
    fn is_glyph(c: char) -> bool {
        matches!(c as u32, 0x2190..=0x2BFF | 0x1F000..=0x1FAFF | 0xFE0F)
    }
    fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable source folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                visit(&path, found);
                continue;
            }
            let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
                continue;
            };
            if !matches!(ext, "rs" | "html" | "css") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable source file");
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                // comments may describe text ("123 → 123456")
                if code.starts_with("//") || code.starts_with("/*") || code.starts_with('*') {
                    continue;
                }
                if let Some(c) = line.chars().find(|&c| is_glyph(c)) {
                    found.push(format!("{}:{}: {c:?}", path.display(), n + 1));
                }
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in ["src", "web", "style"] {
        visit(&root.join(dir), &mut found);
    }
    assert!(found.is_empty(), "glyphs instead of icons: {found:#?}");
}
