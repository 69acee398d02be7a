//! Recovery codes: ten single-use codes that stand in for a second factor
//! when the phone or key is lost. Generated here, shown once, stored as
//! keyed hashes (`SecretBox::keyed_hash`); using one is the second step of
//! a login, throttled by a counter of its own (wrong recovery codes never
//! use up the authenticator app's tries, nor the other way round),
//! recorded and emailed. They are not a factor: the MFA status and the last-factor rule
//! never count them, and they work only while the login asks for a second
//! factor.

use portcullis_api::input::{
    format_recovery_code, parse_recovery_code, RecoveryCodeProblem, RECOVERY_ALPHABET,
    RECOVERY_CODE_LEN,
};
use portcullis_api::{NewRecoveryCodes, RecoveryCodesStatus};
use rand_core::{OsRng, RngCore};

use super::error::MfaError;
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::{self, throttle, Authed};
use crate::error::Internal;
use crate::notify::{self, Kind};
use crate::secret::Secret;
use crate::store::{self, users::User, Conn};

/// Codes in a set.
pub const SET_SIZE: usize = 10;
/// At this many left or fewer, the email about a used code says to make
/// new ones (the Security page warns from the same number).
pub const FEW_LEFT: i64 = 3;

// Every code carries at least 50 random bits: 5 per character.
const _: () = assert!(RECOVERY_ALPHABET.len() == 32 && RECOVERY_CODE_LEN * 5 >= 50);

/// A new random code: 12 characters of the 32-character alphabet, 60 bits.
pub(crate) fn new_code() -> Secret<String> {
    let mut bytes = [0u8; RECOVERY_CODE_LEN];
    OsRng.fill_bytes(&mut bytes);
    // 256 is a multiple of 32: the low five bits of a random byte are
    // uniform, so every character is equally likely.
    Secret::new(
        bytes
            .iter()
            .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
            .collect(),
    )
}

/// What is stored for a normalised code: bound to its owner, so one
/// user's code never matches another's row.
fn hash(state: &AppState, user_id: &str, normalised: &str) -> String {
    state.secrets.keyed_hash(user_id, normalised)
}

/// Unused codes of the user (0 when none were ever made).
pub async fn left<'c>(db: impl store::Exec<'c>, user_id: &str) -> Result<u32, Internal> {
    let n = store::recovery_codes::left(db, user_id).await?;
    Ok(u32::try_from(n).unwrap_or(0))
}

/// How many codes the signed-in user has left, and since when.
pub async fn status(state: &AppState, authed: &Authed) -> Result<RecoveryCodesStatus, MfaError> {
    let s = store::recovery_codes::summary(&state.db, &authed.user.id).await?;
    Ok(RecoveryCodesStatus {
        left: u32::try_from(s.left).unwrap_or(0),
        total: u32::try_from(s.total).unwrap_or(0),
        generated_at: s.generated_at,
        last_used_at: s.last_used_at,
    })
}

/// A new set of codes for the signed-in user, replacing every older code.
/// Needs a factor to stand in for, and a second factor passed in the last
/// minutes (whoever found an open session must not mint a way back in).
pub async fn generate(
    state: &AppState,
    authed: &Authed,
    client: &Client,
) -> Result<NewRecoveryCodes, MfaError> {
    let user = &authed.user;
    if store::factors::confirmed_kinds(&state.db, &user.id)
        .await?
        .is_empty()
    {
        return Err(MfaError::NotAllowedNow(
            "Set up an authenticator app or a security key first: recovery codes stand in for \
             one when it is lost.",
        ));
    }
    auth::require_fresh_mfa(state, authed)?;
    let codes: Vec<Secret<String>> = (0..SET_SIZE).map(|_| new_code()).collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| hash(state, &user.id, c.expose()))
        .collect();
    let now = state.now();
    let mut tx = state.db.begin().await?;
    // Two sets made at once would otherwise both survive on PostgreSQL.
    if !store::users::lock(&mut *tx, &user.id).await? {
        return Err(Internal::new("user vanished while generating recovery codes").into());
    }
    store::recovery_codes::replace(&mut tx, &user.id, &hashes, now).await?;
    audit::record(
        &mut *tx,
        now,
        Event::by_user(
            EventKind::RecoveryCodesGenerated,
            &user.id,
            client,
            "10 new recovery codes; the old ones no longer work",
        ),
    )
    .await?;
    notify::queue_from(
        &mut *tx,
        now,
        Kind::RecoveryCodesGenerated,
        user,
        client,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(NewRecoveryCodes {
        codes: codes
            .iter()
            .map(|c| format_recovery_code(c.expose()))
            .collect(),
        generated_at: now,
    })
}

const MALFORMED: &str = "Enter a recovery code: 12 letters and digits, like ABCD-EFGH-JKMN.";

/// A recovery code offered at a login: well-formed, the user has codes
/// left, and the attempt is counted. Not yet used.
pub struct Offered {
    counters: [throttle::Counter; 1],
    hashed: String,
}

/// Checks a recovery code offered as a login's second step and counts the
/// attempt. Wrong codes count on the recovery codes' own counter: a 60-bit
/// code needs no shared budget with the app's six digits, and someone
/// guessing one must not suspend the other.
pub async fn offer(
    state: &AppState,
    user: &User,
    raw: &str,
    client: &Client,
) -> Result<Offered, MfaError> {
    if left(&state.db, &user.id).await? == 0 {
        return Err(MfaError::NotAllowedNow(
            "This account has no unused recovery codes. Use your authenticator app or security \
             key, or ask your administrator to reset your multi-factor authentication.",
        ));
    }
    let code = parse_recovery_code(raw).map_err(|p| {
        MfaError::Invalid(match p {
            RecoveryCodeProblem::Empty | RecoveryCodeProblem::Malformed => MALFORMED,
        })
    })?;
    let now = state.now();
    let counters = [throttle::factor_counter(throttle::RECOVERY, &user.id)];
    if let Err(refused) = throttle::begin_attempt(&state.db, &counters, now).await {
        if matches!(refused, throttle::Refused::Suspended) {
            audit::record(
                &state.db,
                now,
                Event::by_user(
                    EventKind::MfaFailed,
                    &user.id,
                    client,
                    "recovery code refused: codes suspended after 100 wrong codes in a row",
                ),
            )
            .await?;
            return Err(MfaError::RecoveryCodesSuspended);
        }
        return Err(refused.into());
    }
    Ok(Offered {
        counters,
        hashed: hash(state, &user.id, &code),
    })
}

/// Uses the offered code inside the login's transaction (so a code is used
/// up only by a login that is made): recorded and emailed. `false` when it
/// is not one of the user's unused codes. The user's row is taken first,
/// as every change that ends sessions takes it.
pub async fn use_in(
    tx: &mut store::Tx,
    state: &AppState,
    user: &User,
    offered: &Offered,
    client: &Client,
) -> Result<bool, Internal> {
    let now = state.now();
    store::users::lock(&mut **tx, &user.id).await?;
    if !store::recovery_codes::use_code(&mut **tx, &user.id, &offered.hashed, now).await? {
        return Ok(false);
    }
    let left = store::recovery_codes::left(&mut **tx, &user.id).await?;
    let detail = format!("recovery code used; {left} left");
    audit::record(
        &mut **tx,
        now,
        Event::by_user(EventKind::RecoveryCodeUsed, &user.id, client, &detail),
    )
    .await?;
    notify::queue_from(
        &mut **tx,
        now,
        Kind::RecoveryCodeUsed,
        user,
        client,
        &left_lines(left),
    )
    .await?;
    Ok(true)
}

/// After the login with the code was made: its counter starts again.
pub async fn settle(state: &AppState, offered: &Offered) -> Result<(), Internal> {
    throttle::succeeded(&state.db, &offered.counters, &[]).await
}

/// The code was right but the login was not made (it ended meanwhile): not
/// a guess, so the attempt is given back and the code stays unused.
pub async fn give_back(state: &AppState, offered: &Offered) -> Result<(), Internal> {
    throttle::succeeded(&state.db, &[], &offered.counters).await
}

/// The refusal of an offered code that [`use_in`] did not take, recorded.
pub async fn refusal(
    state: &AppState,
    user: &User,
    offered: &Offered,
    client: &Client,
) -> Result<MfaError, Internal> {
    let used = store::recovery_codes::was_used(&state.db, &user.id, &offered.hashed).await?;
    let (detail, error) = if used {
        // A right code, only used already: not a guess (as with a replayed
        // authenticator code), so the attempt is given back.
        give_back(state, offered).await?;
        (
            "recovery code: used already",
            MfaError::RecoveryCodeAlreadyUsed,
        )
    } else {
        // already counted by `offer`
        ("recovery code: wrong code", MfaError::WrongRecoveryCode)
    };
    audit::record(
        &state.db,
        state.now(),
        Event::by_user(EventKind::MfaFailed, &user.id, client, detail),
    )
    .await?;
    Ok(error)
}

/// The lines of the "code used" email about what is left.
fn left_lines(left: i64) -> String {
    match left {
        0 => "\nYou have no recovery codes left. Generate a new set on the Security page.\n"
            .to_string(),
        n if n <= FEW_LEFT => {
            format!("\nRecovery codes left: {n}. Generate a new set on the Security page soon.\n")
        }
        n => format!("\nRecovery codes left: {n}.\n"),
    }
}

/// Forgets the user's codes when they have no factor left for the codes to
/// stand in for (a factor reset to none), so a later factor does not bring
/// old codes back to life. Run it in the transaction that removed the factor.
pub async fn forget_if_no_factor(conn: &mut Conn, user_id: &str) -> Result<(), Internal> {
    if store::factors::confirmed_kinds(&mut *conn, user_id)
        .await?
        .is_empty()
    {
        store::recovery_codes::delete_all(&mut *conn, user_id).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_60_random_bits_in_the_alphabet_and_read_back() {
        let a = new_code();
        assert_eq!(a.expose().len(), RECOVERY_CODE_LEN);
        assert!(a.expose().bytes().all(|b| RECOVERY_ALPHABET.contains(&b)));
        let shown = format_recovery_code(a.expose());
        assert_eq!(parse_recovery_code(&shown).as_ref(), Ok(a.expose()));
        assert_eq!(
            parse_recovery_code(&shown.to_lowercase()).as_ref(),
            Ok(a.expose())
        );
        let many: std::collections::HashSet<String> =
            (0..1000).map(|_| new_code().expose().clone()).collect();
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn the_email_says_how_many_are_left() {
        assert!(left_lines(9).contains("left: 9."));
        assert!(left_lines(3).contains("soon"));
        assert!(left_lines(0).contains("no recovery codes left"));
    }
}
