//! Every address of the portal. Views build links through [`Page`], never
//! from strings of their own, so a moved screen is one edit here (and the
//! route tree in `app.rs`, whose `path!` literals a test compares with these).

use portcullis_api::{AccountFilter, EventOutcome, FactorKind, StatusFilter, UserFilter, UserSort};

/// The screens a URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Email and password (the only screen in the first download).
    Login,
    /// The second login step: a code from the authenticator app.
    LoginMfa,
    /// Setting up the authenticator app, during login or from the portal.
    Enroll,
    /// What a one-time link (invitation, setup link, reset) opens.
    Welcome,
    /// Asking for a password reset link.
    Forgot,
    /// The portal's home: MFA status and what to do next.
    Home,
    /// The user's factors.
    Security,
    /// Administration: the people of the organisation.
    AdminUsers,
    /// Administration: one user ([`admin_user_path`] names which).
    AdminUser,
    /// Administration: the organisation's MFA settings.
    AdminMfa,
    /// Administration: the event log.
    AdminEvents,
    /// Administration: groups of users.
    AdminGroups,
    /// Administration: the apps that sign in through the portal.
    AdminApps,
    /// Administration: the Linux systems whose logins ask the portal (PAM).
    AdminSystems,
    /// A sign-in to an app in progress ([`sso_request_id`] names which).
    Sso,
    /// An app's sign-out request.
    SsoLogout,
}

/// Who may open a screen; the route tree puts each behind its guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not (the login steps).
    Anyone,
    /// A signed-in user.
    SignedIn,
    /// A signed-in administrator.
    Admin,
}

impl Page {
    pub const ALL: [Page; 16] = [
        Page::Login,
        Page::LoginMfa,
        Page::Enroll,
        Page::Welcome,
        Page::Forgot,
        Page::Home,
        Page::Security,
        Page::AdminUsers,
        Page::AdminUser,
        Page::AdminMfa,
        Page::AdminEvents,
        Page::AdminGroups,
        Page::AdminApps,
        Page::AdminSystems,
        Page::Sso,
        Page::SsoLogout,
    ];

    /// The path, as the browser shows it.
    pub const fn path(self) -> &'static str {
        match self {
            Page::Login => "/login",
            Page::LoginMfa => "/login/mfa",
            Page::Enroll => "/enroll",
            Page::Welcome => "/welcome",
            Page::Forgot => "/forgot",
            Page::Home => "/",
            Page::Security => "/security",
            Page::AdminUsers => "/admin/users",
            // A pattern: links to it come from `admin_user_path`.
            Page::AdminUser => "/admin/users/:id",
            Page::AdminMfa => "/admin/mfa",
            Page::AdminEvents => "/admin/events",
            Page::AdminGroups => "/admin/groups",
            Page::AdminApps => "/admin/apps",
            Page::AdminSystems => "/admin/systems",
            // A pattern: the server sends browsers to `/sso/{id}`.
            Page::Sso => "/sso/:id",
            Page::SsoLogout => "/sso/logout",
        }
    }

    /// What `<title>` says (before " · Portcullis") and screen readers announce.
    pub const fn title(self) -> &'static str {
        match self {
            Page::Login => "Log in",
            Page::LoginMfa => "Verify it’s you",
            Page::Enroll => "Set up multi-factor authentication",
            Page::Welcome => "Welcome",
            Page::Forgot => "Forgot your password?",
            Page::Home => "Home",
            Page::Security => "Security",
            Page::AdminUsers => "Users",
            Page::AdminUser => "User",
            Page::AdminMfa => "MFA settings",
            Page::AdminEvents => "Events",
            Page::AdminGroups => "Groups",
            Page::AdminApps => "Apps",
            Page::AdminSystems => "Systems",
            Page::Sso => "Sign in to an app",
            Page::SsoLogout => "Sign out",
        }
    }

    pub const fn audience(self) -> Audience {
        match self {
            Page::Login
            | Page::LoginMfa
            | Page::Enroll
            | Page::Welcome
            | Page::Forgot
            | Page::Sso
            | Page::SsoLogout => Audience::Anyone,
            Page::Home | Page::Security => Audience::SignedIn,
            Page::AdminUsers
            | Page::AdminUser
            | Page::AdminMfa
            | Page::AdminEvents
            | Page::AdminGroups
            | Page::AdminApps
            | Page::AdminSystems => Audience::Admin,
        }
    }

    /// The screen at `path` (without query or fragment), if there is one.
    pub fn from_path(path: &str) -> Option<Page> {
        let path = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        if admin_user_id(path).is_some() || path == Page::AdminUser.path() {
            return Some(Page::AdminUser);
        }
        if path != Page::SsoLogout.path()
            && (sso_request_id(path).is_some() || path == Page::Sso.path())
        {
            return Some(Page::Sso);
        }
        Page::ALL.into_iter().find(|p| p.path() == path)
    }

    /// This screen's path, carrying on the `?next=` target (unless that is
    /// the home page, where every login ends anyway).
    pub fn with_next(self, next: &str) -> String {
        match safe_next(Some(next)).as_str() {
            "/" => self.path().to_string(),
            next => format!("{}?next={}", self.path(), encode_component(next)),
        }
    }

    /// `/enroll` after Reset authenticator app: the "Replace your app"
    /// flow, back to the Security page at the end.
    pub fn replacing_app(self) -> String {
        format!("{}&replace=app", self.with_next(Page::Security.path()))
    }
}

/// Paths of the single sign-on pages start with this.
pub const SSO_PREFIX: &str = "/sso/";

/// The sign-in request a `/sso/{id}` path names.
pub fn sso_request_id(path: &str) -> Option<String> {
    let id = path.strip_prefix(SSO_PREFIX)?;
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (ok && path != Page::SsoLogout.path()).then(|| id.to_string())
}

/// The details page of the user with this id.
pub fn admin_user_path(id: &str) -> String {
    format!("/admin/users/{}", encode_component(id))
}

/// A user's details page that opens with a change's confirmation (`action`,
/// e.g. `reactivate`: see the page for the ones it knows).
pub fn admin_user_confirm_path(id: &str, action: &str) -> String {
    format!(
        "{}?confirm={}",
        admin_user_path(id),
        encode_component(action)
    )
}

/// The user id of a details page's path (`/admin/users/<id>`), if it is one.
pub fn admin_user_id(path: &str) -> Option<String> {
    let id = path.strip_prefix("/admin/users/")?;
    let id = id.strip_suffix('/').unwrap_or(id);
    // Our ids are UUIDs: anything else is no user's page.
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
        .then(|| id.to_string())
}

/// The first segment of every administration path: the admin area is one
/// lazily loaded route below it.
pub const ADMIN_PREFIX: &str = "/admin";

/// The path a `?next=` parameter may send the user to: only paths of this
/// site (an open redirect to another site would help phishing), never back
/// to the login steps themselves.
pub fn safe_next(next: Option<&str>) -> String {
    let login = Page::Login.path();
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control())
                && p != login
                && !p.starts_with("/login?")
                && !p.starts_with("/login/") =>
        {
            p.to_string()
        }
        _ => Page::Home.path().to_string(),
    }
}

/// `/login`, remembering where the user was going.
pub fn login_url(next: &str) -> String {
    Page::Login.with_next(next)
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The full `<title>` of a screen.
pub fn document_title(title: &str) -> String {
    format!("{title} · Portcullis")
}

/// What `/admin/users` shows: filter, order and page, all in the URL query
/// so that a view can be bookmarked and Back returns to the previous one.
///
/// The page is a stack of the server's opaque cursors (`after`, repeated,
/// oldest first): the server pages by keyset and cannot go backwards from a
/// cursor, so the way back to each earlier page is kept in the URL itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsersQuery {
    /// Start of a name or an email.
    pub search: String,
    pub status: Option<StatusFilter>,
    pub required: Option<bool>,
    pub factor: Option<FactorKind>,
    /// Members of the group with this id.
    pub group: Option<String>,
    /// Only invited or only suspended accounts.
    pub account: Option<AccountFilter>,
    pub sort: UserSort,
    pub desc: bool,
    /// The `after` of every page from the second up to this one.
    pub cursors: Vec<String>,
}

/// Every status filter, in the order the filter offers them.
pub const STATUS_FILTERS: [StatusFilter; 6] = [
    StatusFilter::Active,
    StatusFilter::EnrollmentPeriod,
    StatusFilter::EnrollmentExpired,
    StatusFilter::RequiredNoPeriod,
    StatusFilter::SetUpNotRequired,
    StatusFilter::None,
];
pub const USER_SORTS: [UserSort; 4] = [
    UserSort::Name,
    UserSort::Email,
    UserSort::Status,
    UserSort::Deadline,
];
/// The factor kinds, as `crates/api` lists them.
pub const FACTOR_KINDS: [FactorKind; 4] = FactorKind::ALL;

// The wire names (those of the API's serde derives), written out so that
// building a URL needs no JSON serializer.
pub const fn status_name(s: StatusFilter) -> &'static str {
    match s {
        StatusFilter::Active => "active",
        StatusFilter::EnrollmentPeriod => "enrollment_period",
        StatusFilter::EnrollmentExpired => "enrollment_expired",
        StatusFilter::SetUpNotRequired => "set_up_not_required",
        StatusFilter::RequiredNoPeriod => "required_no_period",
        StatusFilter::None => "none",
    }
}

pub const fn sort_name(s: UserSort) -> &'static str {
    match s {
        UserSort::Email => "email",
        UserSort::Name => "name",
        UserSort::Status => "status",
        UserSort::Deadline => "deadline",
    }
}

/// The value whose wire name is `name`, if any.
pub fn by_name<T: Copy>(all: &[T], name_of: fn(T) -> &'static str, name: &str) -> Option<T> {
    all.iter().copied().find(|v| name_of(*v) == name)
}

fn parse_bool(s: Option<String>) -> Option<bool> {
    match s.as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

impl UsersQuery {
    /// Reads the query of `/admin/users`; `get` gives a parameter's value,
    /// `cursors` every `after`. Unknown values count as absent, so a
    /// mistyped bookmark still shows a list.
    pub fn from_params(get: impl Fn(&str) -> Option<String>, cursors: Vec<String>) -> Self {
        let named = |key: &str| get(key).unwrap_or_default();
        UsersQuery {
            search: named("search").trim().to_string(),
            status: by_name(&STATUS_FILTERS, status_name, &named("status")),
            required: parse_bool(get("required")),
            factor: by_name(&FACTOR_KINDS, FactorKind::wire, &named("factor")),
            group: get("group").filter(|g| !g.is_empty()),
            account: by_name(&AccountFilter::ALL, AccountFilter::wire, &named("account")),
            sort: by_name(&USER_SORTS, sort_name, &named("sort")).unwrap_or_default(),
            desc: parse_bool(get("desc")).unwrap_or(false),
            cursors: cursors.into_iter().filter(|c| !c.is_empty()).collect(),
        }
    }

    /// `key=value&…` of the filter and order (defaults left out, so the
    /// plain list is the plain path).
    fn filter_and_sort(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if !self.search.is_empty() {
            q.push(("search", self.search.clone()));
        }
        if let Some(s) = self.status {
            q.push(("status", status_name(s).to_string()));
        }
        if let Some(r) = self.required {
            q.push(("required", r.to_string()));
        }
        if let Some(f) = self.factor {
            q.push(("factor", f.wire().to_string()));
        }
        if let Some(g) = &self.group {
            q.push(("group", g.clone()));
        }
        if let Some(a) = self.account {
            q.push(("account", a.wire().to_string()));
        }
        if self.sort != UserSort::default() {
            q.push(("sort", sort_name(self.sort).to_string()));
        }
        if self.desc {
            q.push(("desc", "true".to_string()));
        }
        q
    }

    pub(crate) fn with_query(path: &str, pairs: &[(&'static str, String)]) -> String {
        if pairs.is_empty() {
            return path.to_string();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect();
        format!("{path}?{}", query.join("&"))
    }

    /// This view's address in the portal.
    pub fn url(&self) -> String {
        let mut pairs = self.filter_and_sort();
        pairs.extend(self.cursors.iter().map(|c| ("after", c.clone())));
        Self::with_query(Page::AdminUsers.path(), &pairs)
    }

    /// The API call for this page (below `/api/v1`): only the last cursor.
    pub fn api_path(&self) -> String {
        let mut pairs = self.filter_and_sort();
        if let Some(c) = self.cursors.last() {
            pairs.push(("after", c.clone()));
        }
        Self::with_query("/admin/users", &pairs)
    }

    /// The CSV export of every user this filter matches, in this order.
    pub fn csv_url(&self) -> String {
        let path = format!("{}/admin/users.csv", portcullis_api::API_BASE);
        Self::with_query(&path, &self.filter_and_sort())
    }

    /// The filter alone (a bulk action's target).
    pub fn filter(&self) -> UserFilter {
        UserFilter {
            search: Some(self.search.clone()).filter(|s| !s.is_empty()),
            status: self.status,
            required: self.required,
            factor: self.factor,
            group: self.group.clone(),
            account: self.account,
        }
    }

    /// Whether any filter narrows the list.
    pub fn is_filtered(&self) -> bool {
        self.filter() != UserFilter::default()
    }

    /// The first page of another filter, in the same order.
    pub fn with_filter(&self, filter: UserFilter) -> Self {
        UsersQuery {
            search: filter.search.unwrap_or_default().trim().to_string(),
            status: filter.status,
            required: filter.required,
            factor: filter.factor,
            group: filter.group,
            account: filter.account,
            sort: self.sort,
            desc: self.desc,
            cursors: Vec::new(),
        }
    }

    /// Ordered by `sort`: the other direction if it already is, else
    /// ascending. Back to the first page (a cursor belongs to its order).
    pub fn sorted_by(&self, sort: UserSort) -> Self {
        UsersQuery {
            desc: self.sort == sort && !self.desc,
            sort,
            cursors: Vec::new(),
            ..self.clone()
        }
    }

    /// The page after this one, whose cursor the server gave.
    pub fn next_page(&self, after: &str) -> Self {
        let mut q = self.clone();
        q.cursors.push(after.to_string());
        q
    }

    /// The page before this one (the first page stays the first).
    pub fn previous_page(&self) -> Self {
        let mut q = self.clone();
        q.cursors.pop();
        q
    }

    /// 1 for the first page.
    pub fn page_number(&self) -> usize {
        self.cursors.len() + 1
    }
}

/// What `/admin/events` shows: the filters and the page, in the URL query
/// like [`UsersQuery`]. Days are the browser's dates (`2026-11-30`); the
/// view turns them into instants in the browser's time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventsQuery {
    /// The email of the user the events are about.
    pub user: String,
    /// An event kind's wire name.
    pub kind: String,
    pub outcome: Option<EventOutcome>,
    /// First day shown, inclusive.
    pub from: String,
    /// Last day shown, inclusive.
    pub to: String,
    /// The `before` of every page from the second up to this one.
    pub cursors: Vec<String>,
}

pub const fn outcome_name(o: EventOutcome) -> &'static str {
    match o {
        EventOutcome::Success => "success",
        EventOutcome::Failure => "failure",
    }
}

pub const OUTCOMES: [EventOutcome; 2] = [EventOutcome::Success, EventOutcome::Failure];

/// Whether `s` reads as a date of `<input type="date">` (YYYY-MM-DD).
fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

impl EventsQuery {
    /// Reads the query of `/admin/events`; malformed values count as absent.
    pub fn from_params(get: impl Fn(&str) -> Option<String>, cursors: Vec<String>) -> Self {
        let named = |key: &str| get(key).unwrap_or_default().trim().to_string();
        let day = |key: &str| Some(named(key)).filter(|d| is_day(d)).unwrap_or_default();
        EventsQuery {
            user: named("user"),
            kind: named("kind")
                .chars()
                .filter(|c| c.is_ascii_lowercase() || *c == '_')
                .collect(),
            outcome: by_name(&OUTCOMES, outcome_name, &named("outcome")),
            from: day("from"),
            to: day("to"),
            cursors: cursors.into_iter().filter(|c| !c.is_empty()).collect(),
        }
    }

    /// User, kind and outcome: the same in the portal's URL and the API's.
    fn named_filters(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        for (key, value) in [("user", &self.user), ("kind", &self.kind)] {
            if !value.is_empty() {
                q.push((key, value.clone()));
            }
        }
        if let Some(o) = self.outcome {
            q.push(("outcome", outcome_name(o).to_string()));
        }
        q
    }

    fn filters(&self) -> Vec<(&'static str, String)> {
        let mut q = self.named_filters();
        for (key, value) in [("from", &self.from), ("to", &self.to)] {
            if !value.is_empty() {
                q.push((key, value.clone()));
            }
        }
        q
    }

    /// This view's address in the portal.
    pub fn url(&self) -> String {
        let mut pairs = self.filters();
        pairs.extend(self.cursors.iter().map(|c| ("before", c.clone())));
        UsersQuery::with_query(Page::AdminEvents.path(), &pairs)
    }

    /// The API call for this page. `instant` turns a day and a time of day
    /// (`"2026-11-30T00:00"`) into Unix seconds in the browser's zone; the
    /// last day is included, so the range ends at the next day's start.
    pub fn api_path(&self, instant: impl Fn(&str) -> Option<i64>) -> String {
        let mut pairs = self.named_filters();
        if let Some(t) = Some(&self.from)
            .filter(|d| !d.is_empty())
            .and_then(|d| instant(&format!("{d}T00:00")))
        {
            pairs.push(("from", t.to_string()));
        }
        // the start of the day after, whatever length daylight saving gives the day
        if let Some(t) = Some(&self.to)
            .filter(|d| !d.is_empty())
            .and_then(|d| instant(&format!("{}T00:00", next_day(d))))
        {
            pairs.push(("to", t.to_string()));
        }
        if let Some(c) = self.cursors.last() {
            pairs.push(("before", c.clone()));
        }
        UsersQuery::with_query("/admin/events", &pairs)
    }

    /// Whether any filter narrows the log.
    pub fn is_filtered(&self) -> bool {
        !self.filters().is_empty()
    }

    /// The first page of these filters.
    pub fn first_page(&self) -> Self {
        EventsQuery {
            cursors: Vec::new(),
            ..self.clone()
        }
    }

    /// The page after this one (older events).
    pub fn next_page(&self, before: &str) -> Self {
        let mut q = self.clone();
        q.cursors.push(before.to_string());
        q
    }

    /// The page before this one (newer events).
    pub fn previous_page(&self) -> Self {
        let mut q = self.clone();
        q.cursors.pop();
        q
    }

    /// 1 for the first (newest) page.
    pub fn page_number(&self) -> usize {
        self.cursors.len() + 1
    }
}

/// The calendar day after `day` (YYYY-MM-DD), proleptic Gregorian.
pub fn next_day(day: &str) -> String {
    let num = |r: std::ops::Range<usize>| day.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return day.to_string();
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let (y, m, d) = if d < days_in_month {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    };
    format!("{y:04}-{m:02}-{d:02}")
}
