//! One-time links: an invitation (a new account chooses its password) and
//! a setup link (an account with no factor binds its first one). 256
//! random bits in the link, only a keyed hash stored; one live link per
//! account (a new one replaces it); used up by the first request that
//! uses it, on any instance; gone with the account.

use portcullis_api::LinkPurpose;

use crate::app::AppState;
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::rules::requirement::DAY;
use crate::secret::{new_token, Secret};
use crate::store::{self, user_links::Link, Exec};

const CONTEXT: &str = "user-link";

/// A token is 43 characters; anything much longer is not one of ours.
pub const TOKEN_MAX_CHARS: usize = 100;

pub fn purpose_name(p: LinkPurpose) -> &'static str {
    match p {
        LinkPurpose::Invitation => "invitation",
        LinkPurpose::Setup => "setup",
        LinkPurpose::Reset => "reset",
    }
}

pub fn parse_purpose(s: &str) -> Option<LinkPurpose> {
    [
        LinkPurpose::Invitation,
        LinkPurpose::Setup,
        LinkPurpose::Reset,
    ]
    .into_iter()
    .find(|p| purpose_name(*p) == s)
}

/// A link just made: shown or emailed once, never stored as is.
pub struct Issued {
    pub url: Secret<String>,
    pub expires_at: Timestamp,
}

/// The page a link opens; the token goes after `#`, so the browser never
/// sends it in a request line (no server or proxy log holds it).
pub fn url(public_origin: &str, token: &str) -> String {
    format!("{}/welcome#{token}", public_origin.trim_end_matches('/'))
}

fn hash(state: &AppState, token: &str) -> String {
    state.secrets.keyed_hash(CONTEXT, token)
}

/// How long a link works: an invitation or a setup link for the server's
/// `link_days`; a password reset 15 minutes (an hour when an
/// administrator sent it, who cannot know when it will be read).
pub fn lifetime(state: &AppState, purpose: LinkPurpose, by_admin: bool) -> i64 {
    match (purpose, by_admin) {
        (LinkPurpose::Reset, false) => 15 * 60,
        (LinkPurpose::Reset, true) => 3600,
        _ => state.settings.link_days * DAY,
    }
}

/// Makes a link for `user_id`, replacing any earlier one of theirs; pass
/// the transaction of the change it comes with.
pub async fn issue(
    tx: &mut store::Tx,
    state: &AppState,
    user_id: &str,
    purpose: LinkPurpose,
    created_by: Option<&str>,
) -> Result<Issued, Internal> {
    let now = state.now();
    let token = new_token();
    let expires_at = now + lifetime(state, purpose, created_by.is_some());
    store::user_links::revoke_all(&mut **tx, user_id).await?;
    store::user_links::insert(
        &mut **tx,
        &store::user_links::NewLink {
            token_hash: &hash(state, &token),
            user_id,
            purpose: purpose_name(purpose),
            expires_at,
            created_by,
        },
        now,
    )
    .await?;
    Ok(Issued {
        url: Secret::new(url(&state.settings.public_origin, &token)),
        expires_at,
    })
}

/// The valid link with this token, without using it.
pub async fn find(state: &AppState, token: &str) -> Result<Option<Link>, Internal> {
    if token.is_empty() || token.len() > TOKEN_MAX_CHARS {
        return Ok(None);
    }
    Ok(store::user_links::find(&state.db, &hash(state, token), state.now()).await?)
}

/// Uses the link up; `None` if another request did first (or it expired).
pub async fn take(
    tx: &mut store::Tx,
    state: &AppState,
    token: &str,
) -> Result<Option<Link>, Internal> {
    Ok(store::user_links::take(&mut **tx, &hash(state, token), state.now()).await?)
}

/// Revokes the user's link, if any (the account changed what it stood for).
pub async fn revoke<'c>(db: impl Exec<'c>, user_id: &str) -> Result<(), Internal> {
    store::user_links::revoke_all(db, user_id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_read_back_and_the_token_stays_out_of_the_request_line() {
        for p in [
            LinkPurpose::Invitation,
            LinkPurpose::Setup,
            LinkPurpose::Reset,
        ] {
            assert_eq!(parse_purpose(purpose_name(p)), Some(p));
        }
        assert_eq!(parse_purpose("welcome"), None);
        assert_eq!(
            url("https://mfa.example.com/", "abc"),
            "https://mfa.example.com/welcome#abc"
        );
    }
}
