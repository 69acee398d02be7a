//! Which factors a login may prove: the user's confirmed factors, as the
//! organisation's settings let them count. Every login (the portal's, and
//! those for other resources) asks this one question.

use portcullis_api::FactorKind;

use super::org_settings::{self, OrgSettings};
use crate::error::Internal;
use crate::store::{self, Db};

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
        .filter(|k| *k != FactorKind::Push || settings.allowed.allows(FactorKind::Push))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::org_settings::DEFAULTS;

    #[test]
    fn push_is_left_out_while_it_is_off() {
        let all = vec![FactorKind::Totp, FactorKind::Push];
        assert_eq!(provable(all.clone(), &DEFAULTS), all);
        let off = OrgSettings {
            allowed: DEFAULTS.allowed.without(FactorKind::Push),
            ..DEFAULTS
        };
        assert_eq!(provable(all, &off), vec![FactorKind::Totp]);
        assert!(provable(vec![FactorKind::Push], &off).is_empty());
    }
}
