//! What the login flow asks of a login in progress now, read afresh at
//! each step (the pure decision is `flow`).

use super::flow::{self, Facts, Next, Step};
use crate::app::AppState;
use crate::auth::caller::Authed;
use crate::error::Internal;
use crate::mfa::error::MfaError;

/// What the login flow asks of this user now.
pub async fn next_for(state: &AppState, authed: &Authed) -> Result<Next, Internal> {
    let factors = crate::rules::factors::login_factors(&state.db, &authed.user.id).await?;
    let need = crate::rules::app_need::need_for(&state.db, &authed.session.resource).await?;
    Ok(flow::next_step(
        &Facts {
            role: authed.user.role(),
            required: authed.user.mfa_required,
            deadline: authed.user.mfa_deadline,
            factors: &factors,
            key_was_first: authed.session.proof.key_was_first(),
            via_link: authed.session.proof.via_link(),
            temporary_access: authed.session.proof.via_temporary_access(),
            suspended: authed.user.suspended_at.is_some(),
            need,
        },
        state.now(),
    ))
}

/// Refuses a step of a login in progress that the flow does not ask for.
pub async fn expect_step(
    state: &AppState,
    authed: &Authed,
    step: Step,
    refusal: &'static str,
) -> Result<Next, MfaError> {
    if authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("You are already signed in."));
    }
    let next = next_for(state, authed).await?;
    if flow::allows(&next, step) {
        Ok(next)
    } else {
        Err(MfaError::NotAllowedNow(refusal))
    }
}
