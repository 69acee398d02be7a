//! Protect push, the organisation's rules: whether push may prove a login
//! at all, how many pushes may wait at once, and how a refusal reads.
//! Pure but for [`login_factors`], which reads the settings and factors.

use portcullis_api::FactorKind;

use crate::error::Internal;
use crate::org_settings::{self, OrgSettings};
use crate::store::{self, Db};

/// Why a push cannot be sent or approved while the organisation has
/// Protect push switched off.
pub const PUSH_OFF: &str = "Your organisation has switched Protect push off, so a push cannot \
     confirm your sign-in. Use another factor, or ask your administrator.";

/// The kinds of factor a login may prove: the user's confirmed factors,
/// without push while the organisation has it off (a user whose only
/// factor is push then signs in as a user without factors would).
pub async fn login_factors(db: &Db, user_id: &str) -> Result<Vec<FactorKind>, Internal> {
    let factors = store::factors::confirmed_kinds(db, user_id).await?;
    if !factors.contains(&FactorKind::Push) {
        return Ok(factors);
    }
    let settings = org_settings::get(db).await?;
    Ok(provable(factors, &settings))
}

/// `factors` without those the settings do not let a login prove.
pub fn provable(factors: Vec<FactorKind>, settings: &OrgSettings) -> Vec<FactorKind> {
    factors
        .into_iter()
        .filter(|k| *k != FactorKind::Push || settings.allowed.push)
        .collect()
}

/// Whether another push may be sent while `waiting` of the user's pushes
/// for the same portal are waiting for an answer.
pub fn room_for_another(limit: Option<u32>, waiting: i64) -> bool {
    match limit {
        None => true,
        Some(n) => waiting < i64::from(n),
    }
}

/// The message of a push refused because `limit` are still waiting; the
/// first of them frees in `secs` seconds.
pub fn busy_words(limit: u32, secs: i64) -> String {
    let s = if secs == 1 { "" } else { "s" };
    if limit <= 1 {
        return super::push::busy_words(secs);
    }
    format!(
        "{limit} pushes sent to your Protect device in the last minute are still waiting for \
         an answer: answer one on the device, or send another in {secs} second{s}."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org_settings::DEFAULTS;
    use portcullis_api::AllowedFactors;

    #[test]
    fn push_is_left_out_while_it_is_off() {
        let all = vec![FactorKind::Totp, FactorKind::Push];
        assert_eq!(provable(all.clone(), &DEFAULTS), all);
        let off = OrgSettings {
            allowed: AllowedFactors {
                push: false,
                ..DEFAULTS.allowed
            },
            ..DEFAULTS
        };
        assert_eq!(provable(all, &off), vec![FactorKind::Totp]);
        assert!(provable(vec![FactorKind::Push], &off).is_empty());
    }

    #[test]
    fn the_limit_counts_the_pushes_waiting() {
        assert!(room_for_another(None, 0));
        assert!(room_for_another(None, 100));
        assert!(room_for_another(Some(1), 0));
        assert!(!room_for_another(Some(1), 1));
        assert!(room_for_another(Some(3), 2));
        assert!(!room_for_another(Some(3), 3));
    }

    #[test]
    fn the_refusal_says_how_many_wait_and_for_how_long() {
        assert!(busy_words(1, 12).contains("send another in 12 seconds"));
        let three = busy_words(3, 1);
        assert!(three.starts_with("3 pushes"), "{three}");
        assert!(three.ends_with("in 1 second."), "{three}");
    }
}
