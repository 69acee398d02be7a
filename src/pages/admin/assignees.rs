//! Whom an app or a site is assigned to, on the admin screens: people
//! typed as emails (one per line) and found by them, and the assignment
//! in words.

use portcullis_api::apps::Id;
use portcullis_api::AppMember;

use crate::api;
use crate::paths::UsersQuery;

/// The members' emails, one per line (a label is "Name <email>").
pub(super) fn emails(users: &[AppMember]) -> String {
    users
        .iter()
        .map(|u| {
            u.label
                .rsplit_once('<')
                .map_or(u.label.as_str(), |(_, e)| e.trim_end_matches('>'))
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The people's ids, found by their emails; the email not found, if any.
pub(super) async fn people_ids(emails: Vec<String>) -> Result<Vec<Id>, String> {
    let mut ids = Vec::new();
    for email in emails {
        let query = UsersQuery {
            search: email.clone(),
            ..Default::default()
        };
        let page = api::admin::users(&query)
            .await
            .map_err(|e| e.user_message())?;
        match page
            .users
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(&email))
        {
            Some(u) => ids.push(Id(u.id)),
            None => return Err(format!("Nobody has the email {email}.")),
        }
    }
    Ok(ids)
}

/// Who may sign in, in words.
pub(super) fn who(everyone: bool, groups: &[AppMember], users: &[AppMember]) -> String {
    if everyone {
        return "Everyone".into();
    }
    let mut parts: Vec<String> = groups.iter().map(|g| g.label.clone()).collect();
    parts.extend(users.iter().map(|u| u.label.clone()));
    if parts.is_empty() {
        "Nobody yet".into()
    } else {
        parts.join(", ")
    }
}
