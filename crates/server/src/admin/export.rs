//! The users list as CSV, with the list's filter and order: for a
//! spreadsheet, so every cell that a spreadsheet would run as a formula is
//! defused first.

use portcullis_api::{FactorKind, MfaStatus, Role};

use super::common::{admin_user, AdminError, FactorFacts};
use super::list::ListQuery;
use crate::app::AppState;
use crate::store::{self, user_list};

/// Rows fetched per query: bounded memory per step, few round trips.
const CHUNK: u32 = 1000;

const HEADER: [&str; 9] = [
    "Name",
    "Email",
    "Role",
    "MFA status",
    "Days left",
    "Factors",
    "Enrollment deadline",
    "MFA required",
    "Last MFA use",
];

/// The whole filtered list, in its order, as CSV (RFC 4180, CRLF lines).
pub async fn csv(state: &AppState, q: &ListQuery) -> Result<String, AdminError> {
    let now = state.now();
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().map(|h| h.to_string()));
    let mut after: Option<user_list::After> = None;
    loop {
        let rows = user_list::page(&state.db, &q.page(after.take(), CHUNK, now)).await?;
        let ids: Vec<String> = rows.iter().map(|r| r.listed.user.id.clone()).collect();
        let uses = store::factors::uses_of(&state.db, &ids).await?;
        for r in &rows {
            let u = admin_user(&r.listed, now, FactorFacts::of(&uses, &r.listed.user.id));
            push_row(
                &mut out,
                [
                    u.display_name,
                    u.email,
                    role_words(u.role).into(),
                    status_words(&u.mfa).into(),
                    match u.mfa {
                        MfaStatus::EnrollmentPeriod { days_left } => days_left.to_string(),
                        _ => String::new(),
                    },
                    u.factors
                        .iter()
                        .map(|k| factor_words(*k))
                        .collect::<Vec<_>>()
                        .join("; "),
                    u.deadline
                        .map(crate::notify::format_utc)
                        .unwrap_or_default(),
                    if u.mfa_required { "yes" } else { "no" }.into(),
                    u.last_mfa_at
                        .map(crate::notify::format_utc)
                        .unwrap_or_default(),
                ]
                .into_iter(),
            );
        }
        match rows.last() {
            Some(last) if rows.len() == CHUNK as usize => {
                after = Some(super::list::after_of(q.sort, last));
            }
            _ => return Ok(out),
        }
    }
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.map(|c| cell(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// One cell: a cell that spreadsheets would read as a formula gets an
/// apostrophe in front (see [`formula_like`]), so a name like
/// `=HYPERLINK(…)` is shown, not run; then quoted when it holds a comma,
/// quote or line break.
fn cell(text: &str) -> String {
    let defused = if formula_like(text) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// Whether a spreadsheet may take the cell for a formula: it starts with
/// a tab or carriage return (which hide what follows), or its first
/// character after any white space is `=`, `+`, `-` or `@`, in their
/// ASCII, full-width (`＝ ＋ － ＠`) or small (`﹦ ﹢ ﹣ ﹫`) forms, which
/// some spreadsheets fold into the ASCII ones.
fn formula_like(text: &str) -> bool {
    if text.starts_with(['\t', '\r']) {
        return true;
    }
    matches!(
        text.trim_start().chars().next(),
        Some('=' | '+' | '-' | '@' | '＝' | '＋' | '－' | '＠' | '﹦' | '﹢' | '﹣' | '﹫')
    )
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::User => "User",
        Role::Admin => "Admin",
        Role::BillingAdmin => "Billing admin",
    }
}

fn status_words(status: &MfaStatus) -> &'static str {
    match status {
        MfaStatus::Active => "MFA active",
        MfaStatus::EnrollmentPeriod { .. } => "In enrollment period",
        MfaStatus::EnrollmentExpired => "Enrollment expired, locked out",
        MfaStatus::SetUpNotRequired => "Set up, not required",
        MfaStatus::RequiredNoPeriod => "Required, no enrollment period",
        MfaStatus::None => "No MFA",
    }
}

/// A kind of factor in words (the CSV and the user details page say it alike).
pub(super) fn factor_words(kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::Totp => "Authenticator app",
        FactorKind::Push => "Protect push",
        FactorKind::Webauthn => "Security key or passkey",
        FactorKind::RecoveryCode => "Recovery codes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_separators_quoted() {
        assert_eq!(cell("Alice"), "Alice");
        assert_eq!(cell("=1+2"), "'=1+2");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=1"), "'\t=1");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=A1,B1"), "\"'=A1,B1\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn full_width_forms_and_leading_white_space_are_defused_too() {
        for formula in [
            "＝1+2",
            "＋1",
            "－1",
            "＠SUM(A1)",
            "﹦1+2",
            "﹢1",
            "﹣1",
            "﹫SUM(A1)",
            " =1+2",
            "  +1",
            "\u{a0}-1",
            "\u{3000}@SUM(A1)",
            " ＝1",
            "\u{3000}＋1",
            "\n=1",
            "\t",
            "\r",
        ] {
            let out = cell(formula);
            let inner = out.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{formula:?} gave {out:?}");
        }
        assert_eq!(cell(" =1"), "' =1");
        assert_eq!(cell("＝1"), "'＝1");
        assert_eq!(cell("\u{3000}＠x"), "'\u{3000}＠x");
        assert_eq!(cell("\n=1"), "\"'\n=1\"");
        // Other text, white space first or not, is left as it is.
        for plain in [
            " Alice",
            "Ａlice",
            "a=b",
            "1-2",
            "mail@example.com",
            "  ",
            "—dash",
        ] {
            assert_eq!(cell(plain), plain);
        }
    }
}
