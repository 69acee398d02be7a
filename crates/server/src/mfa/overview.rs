//! The user's MFA status and factors, as the Security page and the login's
//! factor choice show them.

use portcullis_api::{MfaOverview, TotpState};

use super::error::MfaError;
use super::push::fraud as push_fraud;
use super::push::unified as protect_unified;
use super::recovery_codes;
use crate::app::AppState;
use crate::auth::caller::Authed;
use crate::auth::trusted_browser;
use crate::login::flow::Next;
use crate::login::step::next_for;
use crate::rules::org_settings;
use crate::rules::requirement::{self, Requirement};
use crate::store;

/// The user's MFA status and factors (also during login).
pub async fn overview(state: &AppState, authed: &Authed) -> Result<MfaOverview, MfaError> {
    let user = &authed.user;
    let factors = store::factors::confirmed_kinds(&state.db, &user.id).await?;
    let requirement = Requirement::for_user(
        user.role(),
        user.mfa_required,
        user.mfa_deadline,
        !factors.is_empty(),
    );
    let totp = match store::totp::get(&state.db, &user.id).await? {
        None => TotpState::NotSetUp,
        Some(row) => match row.confirmed_at {
            Some(since) => TotpState::Active {
                since,
                on_device: row.on_device,
            },
            None => TotpState::Pending,
        },
    };
    let protect_merged_notice =
        protect_unified::merge_notice(state, authed, !factors.is_empty()).await?;
    // During a login, what the flow lets this login prove (a passkey that
    // stood for the password is not offered again).
    let offered = match next_for(state, authed).await? {
        Next::SecondFactor(kinds) if !authed.session.signed_in => kinds,
        _ => factors,
    };
    let last_used = store::factors::last_used_kind(&state.db, &user.id)
        .await?
        .filter(|k| offered.contains(k));
    Ok(MfaOverview {
        status: requirement::status(requirement, state.now()),
        deadline: requirement.deadline,
        totp,
        factors: offered,
        last_used,
        recovery_codes_left: recovery_codes::left(&state.db, &user.id).await?,
        trust_days: trusted_browser::offered_days(&state.db, user).await?,
        protect_merged_notice,
        push_muted_until: push_fraud::muted_until(&state.db, &user.id, state.now()).await?,
        temporary_access: !authed.session.signed_in && authed.session.proof.via_temporary_access(),
        email: Some(user.email.clone()),
        allowed: org_settings::get(&state.db).await?.allowed.kinds(),
    })
}
