//! Notifications: the emails a change sends. They go into the outbox with
//! the same transaction as the change they report; a delivery worker
//! (`notify::mailer`, SMTP when configured) sends them later, so a mail
//! server being down never fails a user's request.

pub mod mailer;

use crate::auth::client::Client;
use crate::clock::Timestamp;
use crate::error::Internal;
use crate::store::users::User;
use crate::store::{self, Db, Exec};

/// What a message is about (stored as `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    MfaRequired,
    MfaReminder,
    MfaSetupComplete,
    AuthenticatorRemoved,
    MfaReset,
    SecurityKeyAdded,
    SecurityKeyRemoved,
    RecoveryCodesGenerated,
    RecoveryCodeUsed,
    BrowserTrusted,
    PushDeviceEnrolled,
    PushDeviceRemoved,
    /// To the user: they reported a push as not theirs.
    PushFraudReported,
    /// To each administrator: a user reported a push as not theirs.
    PushFraudAlert,
    /// To each administrator: an account's password or factor nears the
    /// suspension after failures in a row.
    LockoutNear,
    /// To the user: their password was changed.
    PasswordChanged,
    /// To a new user: the invitation, with its one-time link.
    Invitation,
    /// To a user with no factor: a setup link for their first one.
    SetupLink,
    /// To a user who asked (or whose administrator asked): a link to
    /// choose a new password.
    PasswordReset,
    /// To the user: their password was reset through such a link.
    PasswordWasReset,
    /// To the user: an administrator made a temporary access code for
    /// them (the code itself is never emailed).
    TemporaryAccess,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MfaRequired => "mfa_required",
            Kind::MfaReminder => "mfa_reminder",
            Kind::MfaSetupComplete => "mfa_setup_complete",
            Kind::AuthenticatorRemoved => "authenticator_removed",
            Kind::MfaReset => "mfa_reset",
            Kind::SecurityKeyAdded => "security_key_added",
            Kind::SecurityKeyRemoved => "security_key_removed",
            Kind::RecoveryCodesGenerated => "recovery_codes_generated",
            Kind::RecoveryCodeUsed => "recovery_code_used",
            Kind::BrowserTrusted => "browser_trusted",
            Kind::PushDeviceEnrolled => "push_device_enrolled",
            Kind::PushDeviceRemoved => "push_device_removed",
            Kind::PushFraudReported => "push_fraud_reported",
            Kind::PushFraudAlert => "push_fraud_alert",
            Kind::LockoutNear => "lockout_near",
            Kind::PasswordChanged => "password_changed",
            Kind::Invitation => "invitation",
            Kind::SetupLink => "setup_link",
            Kind::PasswordReset => "password_reset",
            Kind::PasswordWasReset => "password_was_reset",
            Kind::TemporaryAccess => "temporary_access",
        }
    }
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 21] = [
        Kind::MfaRequired,
        Kind::MfaReminder,
        Kind::MfaSetupComplete,
        Kind::AuthenticatorRemoved,
        Kind::MfaReset,
        Kind::SecurityKeyAdded,
        Kind::SecurityKeyRemoved,
        Kind::RecoveryCodesGenerated,
        Kind::RecoveryCodeUsed,
        Kind::BrowserTrusted,
        Kind::PushDeviceEnrolled,
        Kind::PushDeviceRemoved,
        Kind::PushFraudReported,
        Kind::PushFraudAlert,
        Kind::LockoutNear,
        Kind::PasswordChanged,
        Kind::Invitation,
        Kind::SetupLink,
        Kind::PasswordReset,
        Kind::PasswordWasReset,
        Kind::TemporaryAccess,
    ];

    /// The kind of a stored name.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The portal page that acts on a message of this kind: where to set
    /// up MFA (through the login), the Security page for a change to the
    /// user's own account, the event log for an administrator's alert.
    /// `None`: the message carries its own one-time link.
    pub fn page(self) -> Option<&'static str> {
        Some(match self {
            Kind::Invitation | Kind::SetupLink | Kind::PasswordReset => return None,
            Kind::MfaRequired | Kind::MfaReminder | Kind::MfaReset => "/login?next=%2Fenroll",
            // Where the code is used: the login, then a new factor.
            Kind::TemporaryAccess => "/login?next=%2Fsecurity",
            Kind::PushFraudAlert | Kind::LockoutNear => "/admin/events",
            Kind::MfaSetupComplete
            | Kind::AuthenticatorRemoved
            | Kind::SecurityKeyAdded
            | Kind::SecurityKeyRemoved
            | Kind::RecoveryCodesGenerated
            | Kind::RecoveryCodeUsed
            | Kind::BrowserTrusted
            | Kind::PushDeviceEnrolled
            | Kind::PushDeviceRemoved
            | Kind::PushFraudReported
            | Kind::PasswordChanged
            | Kind::PasswordWasReset => "/security",
        })
    }

    /// Messages whose body holds a one-time link: their body is forgotten
    /// once sent (the link's token must not stay in the outbox).
    pub fn carries_link(self) -> bool {
        self.page().is_none()
    }
}

/// `body` with a last line linking to the page that acts on it, at the
/// portal's public origin. Added when the message is sent, so a message
/// queued before the origin changed links to where the portal is now.
pub fn with_link(body: &str, kind: &str, public_origin: &str) -> String {
    match Kind::parse(kind).and_then(Kind::page) {
        Some(page) => {
            let origin = public_origin.trim_end_matches('/');
            format!("{body}\nOpen Portcullis: {origin}{page}\n")
        }
        None => body.to_string(),
    }
}

/// Who made the change a message reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The user, signed in (or someone using their session).
    User,
    /// An administrator, on the user's account.
    Administrator,
}

/// The subject and body of a message to `user`.
pub fn compose(kind: Kind, user: &User, deadline: Option<Timestamp>) -> (String, String) {
    compose_by(kind, user, deadline, None)
}

/// The subject and body of a message to `user` about a change made by
/// `actor` (`None`: not known, or it does not matter to this message).
fn compose_by(
    kind: Kind,
    user: &User,
    deadline: Option<Timestamp>,
    actor: Option<By>,
) -> (String, String) {
    let name = &user.display_name;
    let by = deadline
        .map(|d| format!("by {}", format_utc(d)))
        .unwrap_or_else(|| "the next time you log in".to_string());
    match kind {
        Kind::MfaRequired => (
            "Set up multi-factor authentication".to_string(),
            format!(
                "Hello {name},\n\nYour administrator now requires multi-factor authentication (MFA) for your Portcullis account. \
                 Please set it up {by}: log in, then scan the QR code with an authenticator app.\n"
            ),
        ),
        Kind::MfaReminder => (
            "Reminder: set up multi-factor authentication within 24 hours".to_string(),
            format!(
                "Hello {name},\n\nYou have not set up multi-factor authentication yet. Please do it {by}; \
                 after that you cannot log in until an administrator unlocks your account.\n"
            ),
        ),
        Kind::MfaSetupComplete => (
            "Multi-factor authentication is set up".to_string(),
            format!(
                "Hello {name},\n\nAn authenticator app was added to your Portcullis account. From now on you log in with your password and a code from the app.\n\n\
                 If this was not you, someone has your password: contact your administrator at once.\n"
            ),
        ),
        Kind::AuthenticatorRemoved => (
            "Authenticator app removed".to_string(),
            match actor {
                Some(By::User) => format!(
                    "Hello {name},\n\nThe authenticator app was removed from your Portcullis account, \
                     from a session signed in as you. You can set up another one on the Security page.\n\n\
                     If this was not you, someone is signed in to your account and has your authenticator \
                     app: contact your administrator at once.\n"
                ),
                Some(By::Administrator) => format!(
                    "Hello {name},\n\nAn administrator removed the authenticator app from your Portcullis \
                     account; the sessions it had confirmed were signed out.\n\n\
                     If you did not ask for this, contact your administrator at once.\n"
                ),
                None => format!(
                    "Hello {name},\n\nThe authenticator app was removed from your Portcullis account \
                     (by you, or by an administrator). If you did not remove it or ask for it to be removed, \
                     contact your administrator at once.\n"
                ),
            },
        ),
        Kind::MfaReset => (
            "Your multi-factor authentication was reset".to_string(),
            format!(
                "Hello {name},\n\nAn administrator reset multi-factor authentication for your Portcullis account: \
                 your second factors and recovery codes were removed, and you were signed out everywhere. \
                 Please set it up again {by}.\n\n\
                 If you did not ask for this, contact your administrator at once.\n"
            ),
        ),
        Kind::SecurityKeyAdded => (
            "Security key added".to_string(),
            format!(
                "Hello {name},\n\nA security key or passkey was added to your Portcullis account. \
                 From now on it can confirm your logins.\n\n\
                 If this was not you, someone has your password: contact your administrator at once.\n"
            ),
        ),
        Kind::SecurityKeyRemoved => (
            "Security key removed".to_string(),
            match actor {
                Some(By::User) => format!(
                    "Hello {name},\n\nA security key or passkey was removed from your Portcullis account, \
                     from a session signed in as you; other sessions confirmed with a key were signed out.\n\n\
                     If this was not you, someone is signed in to your account: contact your administrator \
                     at once.\n"
                ),
                Some(By::Administrator) => format!(
                    "Hello {name},\n\nAn administrator removed a security key or passkey from your \
                     Portcullis account; the sessions it had confirmed were signed out.\n\n\
                     If you did not ask for this, contact your administrator at once.\n"
                ),
                None => format!(
                    "Hello {name},\n\nA security key or passkey was removed from your Portcullis account \
                     (by you, or by an administrator). If you did not remove it or ask for it to be removed, \
                     contact your administrator at once.\n"
                ),
            },
        ),
        Kind::RecoveryCodesGenerated => (
            "New recovery codes".to_string(),
            format!(
                "Hello {name},\n\nA new set of recovery codes was generated for your Portcullis account; \
                 the codes you had before no longer work.\n\n\
                 If this was not you, someone is signed in to your account: contact your administrator at once.\n"
            ),
        ),
        Kind::RecoveryCodeUsed => (
            "A recovery code was used".to_string(),
            format!(
                "Hello {name},\n\nA recovery code was used instead of your second factor to sign in to \
                 your Portcullis account. Each code works once.\n\n\
                 If this was not you, someone has your password and one of your recovery codes: contact \
                 your administrator at once, and generate new recovery codes on the Security page, which \
                 makes the old ones useless.\n"
            ),
        ),
        Kind::Invitation => (
            "You are invited to Portcullis".to_string(),
            format!(
                "Hello {name},\n\nAn account was made for you on Portcullis, your organisation's \
                 sign-in portal. Open the link below to choose your password{mfa}. The link works \
                 once, until {until}.\n\n\
                 If you did not expect this, ignore this email: nothing happens without the link.\n",
                mfa = if user.mfa_required || user.role().is_admin() {
                    " and set up multi-factor authentication"
                } else {
                    ""
                },
                until = deadline.map(format_utc).unwrap_or_default(),
            ),
        ),
        Kind::SetupLink => (
            "Set up your second factor".to_string(),
            format!(
                "Hello {name},\n\nYour Portcullis account has no second factor, and your \
                 password alone cannot set one up. Open the link below, confirm your password \
                 and set up multi-factor authentication. The link works once, until {}.\n\n\
                 If you did not expect this, contact your administrator.\n",
                deadline.map(format_utc).unwrap_or_default(),
            ),
        ),
        Kind::PasswordReset => (
            "Choose a new password".to_string(),
            format!(
                "Hello {name},\n\nA new password was asked for your Portcullis account. Open the \
                 link below to choose one; if your account has a second factor, you will need it \
                 too. The link works once, until {}.\n\n\
                 If you did not ask for this, ignore this email: your password stays as it is.\n",
                deadline.map(format_utc).unwrap_or_default(),
            ),
        ),
        Kind::TemporaryAccess => (
            "A temporary access code was made for you".to_string(),
            format!(
                "Hello {name},\n\nAn administrator made a temporary access code for your \
                 Portcullis account, for when you cannot use your second factor (a lost phone, \
                 say). They give you the code themselves; it works until {}. Log in with your \
                 password, choose \"Use a code from your helpdesk\" and then set up a new \
                 second factor.\n\n\
                 If you did not ask your helpdesk for this, contact your administrator at once.\n",
                deadline.map(format_utc).unwrap_or_default(),
            ),
        ),
        Kind::PasswordWasReset => (
            "Your password was reset".to_string(),
            format!(
                "Hello {name},\n\nThe password of your Portcullis account was reset with a link \
                 sent to this address; every session was signed out.\n\n\
                 If this was not you, someone can read your email: contact your administrator \
                 at once.\n"
            ),
        ),
        Kind::PasswordChanged => (
            "Your password was changed".to_string(),
            format!(
                "Hello {name},\n\nThe password of your Portcullis account was changed, from a session \
                 signed in as you; your other sessions were signed out.\n\n\
                 If this was not you, someone is signed in to your account: contact your \
                 administrator at once.\n"
            ),
        ),
        Kind::BrowserTrusted => (
            "A browser will not be asked for your second factor".to_string(),
            format!(
                "Hello {name},\n\nA browser was trusted at a login to your Portcullis account: until the \
                 date below, your password alone signs you in there, without your second factor.\n\n\
                 If this was not you, someone has your password and passed your second factor: revoke \
                 the browser under \"Trusted browsers\" on the Security page and contact your \
                 administrator at once.\n"
            ),
        ),
        Kind::PushDeviceEnrolled => (
            "Protect device enrolled".to_string(),
            format!(
                "Hello {name},\n\nA phone was enrolled for Protect push on your Portcullis account: from \
                 now on it approves your logins. It replaces any device enrolled before, which no \
                 longer works.\n\n\
                 If this was not you, someone is signed in to your account: contact your administrator \
                 at once.\n"
            ),
        ),
        Kind::PushDeviceRemoved => (
            "Protect device removed".to_string(),
            match actor {
                Some(By::Administrator) => format!(
                    "Hello {name},\n\nAn administrator removed the Protect push device from your \
                     Portcullis account; the sessions it had approved were signed out.\n\n\
                     If you did not ask for this, contact your administrator at once.\n"
                ),
                _ => format!(
                    "Hello {name},\n\nThe Protect push device was removed from your Portcullis account; \
                     other sessions it had approved were signed out.\n\n\
                     If this was not you, someone is signed in to your account: contact your \
                     administrator at once.\n"
                ),
            },
        ),
        Kind::PushFraudReported => (
            "You reported a push as not yours".to_string(),
            format!(
                "Hello {name},\n\nYou answered a Protect push on your phone with \"This wasn't me\": \
                 the sign-in it was for was refused, and no push is sent to your phone for the \
                 next 20 minutes, so whoever tried cannot wear you down with more. Your \
                 administrators have been told.\n\n\
                 Someone who knows your password tried to sign in. Contact your administrator to \
                 have your password changed, and review your sessions on the Security page: end \
                 any you do not recognise. Until the pause ends, sign in with another factor.\n"
            ),
        ),
        Kind::PushFraudAlert => (
            "A Protect push was reported as fraud".to_string(),
            format!(
                "Hello {name},\n\nA user answered a Protect push on their phone with \"This \
                 wasn't me\": someone who knows their password tried to sign in. The sign-in was \
                 refused, and pushes to that user are paused for 20 minutes. Consider having \
                 their password changed and ending their sessions (Admin Portal, the user's \
                 page).\n"
            ),
        ),
        Kind::LockoutNear => (
            "An account is close to being suspended".to_string(),
            format!(
                "Hello {name},\n\nSomeone has failed to sign in to the account below many times in a \
                 row. At 100 failures in a row it is suspended: then no browser it has not signed in \
                 from before can sign in until an administrator unlocks it (Admin Portal, the \
                 user's page, or `portcullis-server unlock --email` on the server). If the owner is \
                 not the one failing, someone is guessing: consider asking them to change their \
                 password. You get this message once per run of failures.\n"
            ),
        ),
    }
}

/// The lines that end a message about something done in a request: when,
/// by an administrator if so, from which browser (in words) and from which
/// address.
fn origin_lines(at: Timestamp, client: &Client, by: By) -> String {
    let who = match by {
        By::User => "",
        // Their browser and address follow: the user may know them.
        By::Administrator => "By: an administrator\n",
    };
    format!(
        "\nWhen: {}\n{who}Browser: {}\nIP address: {}\n",
        format_utc(at),
        portcullis_api::user_agent::browser_in_words(&client.user_agent),
        client.ip
    )
}

/// Queues a message to `user` — pass the transaction of the change.
pub async fn queue<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    kind: Kind,
    user: &User,
    deadline: Option<Timestamp>,
) -> Result<(), Internal> {
    let (subject, body) = compose(kind, user, deadline);
    put(db, now, kind, user, &subject, &body).await
}

/// Queues a message to `user` of `kind`, then `extra` (lines of its own:
/// what happened, where) — for messages about something that no request
/// of the user's browser did. Pass the transaction of the change.
pub async fn queue_with<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    kind: Kind,
    user: &User,
    extra: &str,
) -> Result<(), Internal> {
    let (subject, body) = compose(kind, user, None);
    let body = format!("{body}{extra}");
    put(db, now, kind, user, &subject, &body).await
}

/// Queues a message to `user` about something the user did in a request
/// from `client`: the message of `kind`, then `extra` (lines of its own,
/// may be empty), then when and from where. Pass the transaction of the
/// change.
pub async fn queue_from<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    kind: Kind,
    user: &User,
    client: &Client,
    extra: &str,
) -> Result<(), Internal> {
    queue_by(db, now, (kind, None), user, (By::User, client), extra).await
}

/// Queues a message to `user` about a change an administrator made to
/// their account from `client` (the administrator's), as [`queue_from`];
/// `deadline` as in [`queue`].
pub async fn queue_from_admin<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    (kind, deadline): (Kind, Option<Timestamp>),
    user: &User,
    client: &Client,
    extra: &str,
) -> Result<(), Internal> {
    let origin = (By::Administrator, client);
    queue_by(db, now, (kind, deadline), user, origin, extra).await
}

async fn queue_by<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    (kind, deadline): (Kind, Option<Timestamp>),
    user: &User,
    (by, client): (By, &Client),
    extra: &str,
) -> Result<(), Internal> {
    let (subject, body) = compose_by(kind, user, deadline, Some(by));
    let body = format!("{body}{extra}{}", origin_lines(now, client, by));
    put(db, now, kind, user, &subject, &body).await
}

/// Puts one composed message to `user` in the outbox (also for messages
/// that add lines of their own to what [`compose`] wrote).
pub async fn put<'c>(
    db: impl Exec<'c>,
    now: Timestamp,
    kind: Kind,
    user: &User,
    subject: &str,
    body: &str,
) -> Result<(), Internal> {
    let message = store::outbox::NewMessage {
        user_id: &user.id,
        to_addr: &user.email,
        kind: kind.as_str(),
        subject,
        body,
    };
    store::outbox::insert(db, now, &message).await?;
    Ok(())
}

/// Kinds of the messages queued for a user, oldest first (tests, admin views).
pub async fn kinds_for(db: &Db, user_id: &str) -> Result<Vec<String>, Internal> {
    Ok(store::outbox::kinds_for(db, user_id).await?)
}

/// `2026-11-29 14:05 UTC`, without a date library.
pub fn format_utc(t: Timestamp) -> String {
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = portcullis_api::input::utc_date(t);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_links_to_a_page_of_the_portal() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            match k.page() {
                Some(page) => assert!(page.starts_with('/'), "{k:?}"),
                None => assert!(k.carries_link(), "{k:?}"),
            }
        }
        assert_eq!(Kind::parse("carrier_pigeon"), None);
        let body = with_link("Hello\n", "mfa_reminder", "https://mfa.example.com/");
        assert_eq!(
            body,
            "Hello\n\nOpen Portcullis: https://mfa.example.com/login?next=%2Fenroll\n"
        );
        assert_eq!(with_link("Hello\n", "unknown", "https://x"), "Hello\n");
    }

    #[test]
    fn messages_from_a_request_say_when_and_from_where() {
        let client = Client::new(
            "203.0.113.9".parse().ok(),
            "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0",
        );
        let lines = origin_lines(1_795_305_600, &client, By::User);
        assert!(lines.contains("When: 2026-11-22 00:00 UTC"), "{lines}");
        assert!(lines.contains("Browser: Firefox on Linux\n"), "{lines}");
        assert!(lines.contains("IP address: 203.0.113.9"), "{lines}");
        assert!(!lines.contains("administrator"), "{lines}");
        let unknown = origin_lines(0, &Client::new(None, ""), By::User);
        assert!(unknown.contains("Browser: Unknown browser\n"), "{unknown}");
        let admin = origin_lines(0, &client, By::Administrator);
        assert!(admin.contains("By: an administrator\n"), "{admin}");
    }

    #[test]
    fn every_message_about_a_factor_says_what_to_do_if_it_was_not_you() {
        let user = User {
            id: "u".into(),
            email: "ann@example.com".into(),
            display_name: "Ann".into(),
            password_hash: String::new(),
            role: "user".into(),
            created_at: 0,
            mfa_required: false,
            mfa_deadline: None,
            mfa_required_at: None,
            suspended_at: None,
        };
        let by_user = [
            Kind::MfaSetupComplete,
            Kind::AuthenticatorRemoved,
            Kind::SecurityKeyAdded,
            Kind::SecurityKeyRemoved,
            Kind::RecoveryCodesGenerated,
            Kind::RecoveryCodeUsed,
        ];
        for kind in by_user {
            let (_, body) = compose_by(kind, &user, None, Some(By::User));
            assert!(body.contains("If this was not you"), "{kind:?}: {body}");
            assert!(!body.contains("administrator removed"), "{kind:?}: {body}");
        }
        let by_admin = [
            Kind::AuthenticatorRemoved,
            Kind::SecurityKeyRemoved,
            Kind::MfaReset,
        ];
        for kind in by_admin {
            let (_, body) = compose_by(kind, &user, None, Some(By::Administrator));
            assert!(body.contains("An administrator"), "{kind:?}: {body}");
            assert!(
                body.contains("If you did not ask for this"),
                "{kind:?}: {body}"
            );
        }
    }

    #[test]
    fn dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_795_305_600), "2026-11-22 00:00 UTC");
        assert_eq!(format_utc(951_782_400 + 3_660), "2000-02-29 01:01 UTC");
    }
}
