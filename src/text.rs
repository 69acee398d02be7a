//! Words shown to users, and checks of what they type, as plain functions.

use portcullis_api::input::{parse_code, plausible_email, utc_date, CodeProblem};
use portcullis_api::{FactorKind, LoginRequest, MfaOverview, MfaStatus, Role, TotpState};

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::User => "User",
        Role::Admin => "Administrator",
        Role::BillingAdmin => "Billing administrator",
    }
}

/// What is wrong with the login form, field by field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoginProblems {
    pub email: Option<String>,
    pub password: Option<String>,
}

/// Checks the login form before sending it; the server checks again.
pub fn check_login(email: &str, password: &str) -> Result<LoginRequest, LoginProblems> {
    let email = email.trim();
    let mut p = LoginProblems::default();
    if email.is_empty() {
        p.email = Some("Enter your email address.".into());
    } else if !plausible_email(email) {
        p.email = Some("Enter an email address like name@example.com.".into());
    }
    if password.is_empty() {
        p.password = Some("Enter your password.".into());
    }
    if p == LoginProblems::default() {
        Ok(LoginRequest {
            email: email.to_string(),
            password: password.to_string(),
            sso: None,
        })
    } else {
        Err(p)
    }
}

/// A one-time code as typed or pasted ("123 456", "123-456") → six digits.
pub fn normalize_code(input: &str) -> Result<String, &'static str> {
    parse_code(input).map_err(|p| match p {
        CodeProblem::Empty => "Enter the 6-digit code from your authenticator app.",
        CodeProblem::NotSixDigits => "The code has exactly 6 digits.",
    })
}

/// The key in groups of four, easier to read and type: `ABCD EFGH …`.
pub fn group_key(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// "1 day" / "3 days".
pub fn days(n: u32) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// The sentence a user reads about their own MFA status.
pub fn status_sentence(status: MfaStatus) -> String {
    match status {
        MfaStatus::Active => "Multi-factor authentication is on.".into(),
        MfaStatus::SetUpNotRequired => "Multi-factor authentication is on (your organisation does not require it).".into(),
        MfaStatus::EnrollmentPeriod { days_left } => format!(
            "Your administrator requires multi-factor authentication. You have {} left to set it up.",
            days(days_left)
        ),
        // Also what administrators read: their role requires MFA, not a
        // colleague, so the sentence names no one.
        MfaStatus::RequiredNoPeriod => "Multi-factor authentication is required for your account. Set it up now.".into(),
        MfaStatus::EnrollmentExpired => "Your time to set up multi-factor authentication has run out. Contact your administrator.".into(),
        MfaStatus::None => "Multi-factor authentication is off.".into(),
    }
}

/// `2026-11-22` for a Unix time.
pub fn date(t: i64) -> String {
    let (y, m, d) = utc_date(t);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A short label for an MFA status (the admin list's column).
pub fn mfa_status_label(status: MfaStatus) -> String {
    match status {
        MfaStatus::Active => "Active".into(),
        MfaStatus::SetUpNotRequired => "Set up (not required)".into(),
        MfaStatus::EnrollmentPeriod { days_left } => format!("Required, {} left", days(days_left)),
        MfaStatus::RequiredNoPeriod => "Required now".into(),
        MfaStatus::EnrollmentExpired => "Expired: locked out".into(),
        MfaStatus::None => "Off".into(),
    }
}

/// What the home page tells a user to do next about MFA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// Set up a factor: MFA is required, with this many days left (`None`:
    /// no period, now).
    SetUpRequired { days_left: Option<u32> },
    /// MFA is off and optional: setting it up protects the account.
    SetUpOptional,
    /// Protected: the kinds of factor set up (recovery codes aside: they
    /// back the others up), and where to add another.
    Protected { factors: Vec<FactorKind> },
    /// Locked out: only an administrator can help.
    AskAdministrator,
}

/// The next step for a user with this MFA overview.
pub fn next_step(o: &MfaOverview) -> NextStep {
    // the overview's kinds, plus an app that the kinds may not name yet
    let mut factors: Vec<FactorKind> = FactorKind::ALL
        .into_iter()
        .filter(|k| *k != FactorKind::RecoveryCode && o.factors.contains(k))
        .collect();
    if matches!(o.totp, TotpState::Active { .. }) && !factors.contains(&FactorKind::Totp) {
        factors.insert(0, FactorKind::Totp);
    }
    match o.status {
        MfaStatus::EnrollmentPeriod { days_left } => NextStep::SetUpRequired {
            days_left: Some(days_left),
        },
        MfaStatus::RequiredNoPeriod => NextStep::SetUpRequired { days_left: None },
        MfaStatus::EnrollmentExpired => NextStep::AskAdministrator,
        MfaStatus::None => NextStep::SetUpOptional,
        MfaStatus::Active | MfaStatus::SetUpNotRequired => NextStep::Protected { factors },
    }
}

// The admin users list. Only the admin area calls these, so they end up in
// its lazily loaded part.

/// The status filter's options, as the list's status column words them.
pub fn status_filter_label(s: portcullis_api::StatusFilter) -> &'static str {
    use portcullis_api::StatusFilter as S;
    match s {
        S::Active => "Active",
        S::EnrollmentPeriod => "In enrollment period",
        S::EnrollmentExpired => "Enrollment expired (locked out)",
        S::RequiredNoPeriod => "Required, no enrollment period",
        S::SetUpNotRequired => "Set up, not required",
        S::None => "No MFA",
    }
}

pub fn account_filter_label(a: portcullis_api::AccountFilter) -> &'static str {
    use portcullis_api::AccountFilter as A;
    match a {
        A::Invited => "Invited (no password yet)",
        A::Suspended => "Suspended",
    }
}

/// "1 user" / "12 users".
pub fn users_count(n: u32) -> String {
    if n == 1 {
        "1 user".to_string()
    } else {
        format!("{n} users")
    }
}

/// What the live region says after a page of the list has loaded.
pub fn users_shown(n: usize, more: bool) -> String {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    match (n, more) {
        (0, _) => "No users match this filter.".to_string(),
        (n, false) => format!("{} shown.", users_count(n)),
        (n, true) => format!("{} shown; more on the next page.", users_count(n)),
    }
}

/// The enrollment period typed in a bulk form: whole days, 1–365 (the
/// server's rule, checked here first so the message comes at once).
pub fn check_period_days(input: &str) -> Result<u32, &'static str> {
    const PROBLEM: &str = "Enter a whole number of days from 1 to 365.";
    let t = input.trim();
    if t.is_empty() {
        return Err("Enter the number of days (1 to 365).");
    }
    match t.parse::<u32>() {
        Ok(n) if (1..=365).contains(&n) => Ok(n),
        _ => Err(PROBLEM),
    }
}

/// The Security page's warning when few recovery codes are left (3 or
/// fewer); none above that.
pub fn codes_warning(left: u32) -> Option<String> {
    let start = match left {
        0 => "No recovery code is left".to_string(),
        1 => "Only 1 recovery code is left".to_string(),
        2 | 3 => format!("Only {left} recovery codes are left"),
        _ => return None,
    };
    Some(format!(
        "{start}: make new ones, so that losing your phone or key cannot lock you out."
    ))
}

/// How long a trusted browser is trusted, as typed: whole days, 1–90
/// (the server's rule).
pub fn check_trust_days(input: &str) -> Result<u32, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Err("Enter the number of days (1 to 90).");
    }
    match t.parse::<u32>() {
        Ok(n) if (1..=90).contains(&n) => Ok(n),
        _ => Err("Enter a whole number of days from 1 to 90."),
    }
}

/// The most pushes that may wait for an answer at once, as typed.
pub fn check_push_max(input: &str) -> Result<u32, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Err("Enter how many pushes may wait at once (1 to 10).");
    }
    match t.parse::<u32>() {
        Ok(n) if (1..=portcullis_api::PUSH_MAX_CONCURRENT_MAX).contains(&n) => Ok(n),
        _ => Err("Enter a whole number of pushes from 1 to 10."),
    }
}

/// What a bulk action will do, or did, in one sentence: how many users
/// change, and how.
pub fn bulk_sentence(
    action: portcullis_api::BulkAction,
    o: &portcullis_api::BulkOutcome,
    done: bool,
) -> String {
    use portcullis_api::BulkAction;
    if o.changed == 0 {
        return if done {
            "No user was changed.".to_string()
        } else {
            "No user would change.".to_string()
        };
    }
    let mut parts = Vec::new();
    if o.newly_required > 0 {
        parts.push(format!(
            "{} {} MFA required for the first time",
            o.newly_required,
            if done { "had" } else { "will have" }
        ));
    }
    if action == BulkAction::Reset {
        parts.push(format!(
            "{} {} their authenticator app",
            o.lose_authenticator_app,
            if done { "lost" } else { "will lose" },
        ));
    }
    let head = if done {
        format!("{} changed", users_count(o.changed))
    } else {
        format!("{} will change", users_count(o.changed))
    };
    if parts.is_empty() {
        format!("{head}.")
    } else {
        format!("{head}: {}.", parts.join(", "))
    }
}

/// Whom a bulk action changes, by name: "For Carol Chen and Frank Fox." or,
/// past the names the server sent, "For Ann, Bob, … and 5 more." (`total`
/// counts every user it changes).
pub fn bulk_names(names: &[String], total: u32) -> String {
    let shown = u32::try_from(names.len()).unwrap_or(u32::MAX);
    let more = total.saturating_sub(shown);
    let list = match (names, more) {
        ([], _) => return String::new(),
        (names, 0) => match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        },
        (names, more) => format!("{} and {more} more", names.join(", ")),
    };
    format!("For {list}.")
}

/// Every kind of event the log can show, with its words, in the order the
/// log's filter offers them. The wire names are the API's
/// (`portcullis_api::EVENT_KINDS`; a test keeps the two lists equal).
pub const EVENT_KINDS: [(&str, &str); 53] = [
    ("login_succeeded", "Signed in"),
    ("login_password_ok", "Password accepted"),
    ("login_failed", "Sign-in refused"),
    ("login_locked", "Sign-in refused: enrollment expired"),
    ("login_suspended", "Sign-in refused: suspended"),
    ("mfa_failed", "Second factor refused"),
    ("mfa_verified", "Second factor confirmed again"),
    ("mfa_enrolled", "Factor set up"),
    ("mfa_reset_by_user", "Factor reset by the user"),
    ("mfa_factor_renamed", "Factor renamed by the user"),
    ("recovery_codes_generated", "Recovery codes generated"),
    ("recovery_code_used", "Recovery code used"),
    ("browser_trusted", "Browser trusted"),
    ("browser_trust_revoked", "Trusted browser revoked"),
    ("sessions_ended_by_user", "Sessions ended by the user"),
    ("password_changed", "Password changed"),
    ("password_change_refused", "Password change refused"),
    ("admin_require_mfa", "MFA required by an admin"),
    ("admin_unrequire_mfa", "MFA no longer required by an admin"),
    ("admin_reset_mfa", "MFA reset by an admin"),
    ("admin_unlock", "Unlocked by an admin"),
    ("admin_remove_factor", "Factor removed by an admin"),
    ("admin_end_sessions", "Sessions ended by an admin"),
    ("admin_mfa_reminder", "MFA email sent again"),
    ("admin_setting_changed", "MFA setting changed"),
    ("reminder_queued", "Reminder email queued"),
    ("push_sent", "Push sent to the Protect device"),
    ("push_approved", "Push approved"),
    ("push_denied", "Push denied"),
    ("push_expired", "Push expired unanswered"),
    ("push_mfa_attempt_failed", "Push blocked: too many at once"),
    ("push_device_enrolled", "Protect device enrolled"),
    ("push_device_removed", "Protect device removed"),
    ("push_fraud_reported", "Push reported as fraud"),
    ("user_invited", "User added and invited"),
    ("setup_link_issued", "Setup link made"),
    ("link_used", "Invitation or setup link used"),
    ("admin_suspend", "Suspended by an admin"),
    ("admin_reactivate", "Reactivated by an admin"),
    ("password_reset_sent", "Password reset link sent"),
    ("password_reset", "Password reset"),
    (
        "admin_user_changed",
        "Name, email or role changed by an admin",
    ),
    ("admin_delete_user", "User deleted by an admin"),
    ("admin_group_changed", "Group changed by an admin"),
    ("temporary_access_issued", "Temporary access code made"),
    ("temporary_access_used", "Temporary access code used"),
    ("admin_scim_token", "Directory sync token made or revoked"),
    ("admin_app_changed", "App registered, changed or removed"),
    ("sso_sign_in", "Signed in to an app"),
    ("sso_refused", "Sign-in to an app refused"),
    (
        "admin_system_changed",
        "Host or RADIUS client registered, changed or removed",
    ),
    ("system_login", "Signed in to a host or VPN"),
    ("system_refused", "Sign-in to a host or VPN refused"),
];

/// An event kind in words (a kind this portal does not know yet: its
/// wire name, made readable).
pub fn event_kind_label(kind: &str) -> String {
    match EVENT_KINDS.iter().find(|(k, _)| *k == kind) {
        Some((_, words)) => words.to_string(),
        None => {
            let words = kind.replace('_', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// "1 event shown" / "No events match …".
pub fn events_shown(n: usize, more: bool) -> String {
    match (n, more) {
        (0, _) => "No events match these filters.".to_string(),
        (1, false) => "1 event shown.".to_string(),
        (n, false) => format!("{n} events shown."),
        (1, true) => "1 event shown; older ones on the next page.".to_string(),
        (n, true) => format!("{n} events shown; older ones on the next page."),
    }
}

/// A browser and its system in words (shared with the server's emails).
pub use portcullis_api::user_agent::browser_in_words;

/// How a Protect device checks who holds it, in words.
pub fn verification_words(v: portcullis_api::protect::UserVerification) -> &'static str {
    use portcullis_api::protect::UserVerification as V;
    match v {
        V::Biometric => "Biometrics (fingerprint or face)",
        V::Pin => "PIN or passcode",
        V::None => "None",
    }
}

/// Where a host (a Linux system that asks the portal after the password)
/// is with its enrollment, in words; `when` writes an instant out.
pub fn host_enrollment_words(
    enrolled_at: Option<i64>,
    token_expires_at: Option<i64>,
    when: impl Fn(i64) -> String,
) -> String {
    match (enrolled_at, token_expires_at) {
        (Some(at), None) => format!("Enrolled {}", when(at)),
        (Some(at), Some(until)) => format!(
            "Enrolled {}; a new token is valid until {}",
            when(at),
            when(until)
        ),
        (None, Some(until)) => {
            format!("Waiting for enrollment (token valid until {})", when(until))
        }
        (None, None) => "Not enrolled: its token has expired. Make a new one.".to_string(),
    }
}
