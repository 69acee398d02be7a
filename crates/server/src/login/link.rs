//! A login opened by a one-time link (an invitation or a setup link)
//! instead of the password form: the link and the password together are
//! its first step, and the session records the link, which lets an
//! administrator's account bind its first factor. From here it goes on as
//! any login: the flow decides what follows.

use portcullis_api::LoginResponse;

use super::finish::{self, FirstStep};
use super::flow::{self, Facts, Next, LOCKED_MESSAGE, SUSPENDED_MESSAGE};
use crate::app::AppState;
use crate::audit::EventKind;
use crate::auth::client::Client;
use crate::auth::session::{Method, Proof, SessionId};
use crate::error::Internal;
use crate::rules::resource::Resource;
use crate::store::{self, users::User};

/// Starts the login of `user`, who has just used a link and given their
/// password, inside the caller's transaction (the one that used the link
/// up): the session (signed in, or the step that follows) and its event.
pub async fn begin_in(
    tx: &mut store::Tx,
    state: &AppState,
    user: &User,
    client: &Client,
) -> Result<(Option<SessionId>, LoginResponse), Internal> {
    let now = state.now();
    let factors = crate::rules::factors::login_factors(&state.db, &user.id).await?;
    let next = flow::next_step(
        &Facts {
            role: user.role(),
            required: user.mfa_required,
            deadline: user.mfa_deadline,
            factors: &factors,
            key_was_first: false,
            via_link: true,
            temporary_access: false,
            suspended: user.suspended_at.is_some(),
            need: crate::rules::app_need::Need::Portal,
        },
        now,
    );
    let me = user.me();
    let (signed_in, kind, detail, answer) = match next {
        Next::SignedIn => (
            true,
            EventKind::LoginSucceeded,
            "one-time link and password",
            LoginResponse::Done { user: me },
        ),
        Next::SecondFactor(factors) => (
            false,
            EventKind::LoginPasswordOk,
            "one-time link and password; second factor next",
            LoginResponse::Mfa { factors },
        ),
        Next::Enroll {
            mandatory,
            days_left,
            ..
        } => (
            false,
            EventKind::LoginPasswordOk,
            "one-time link and password; MFA setup next",
            LoginResponse::Enroll {
                mandatory,
                days_left,
            },
        ),
        // Not with a link (the flow lets a link enroll), but should the
        // rules change, no session rather than the wrong one.
        Next::Suspended => {
            return Ok((
                None,
                LoginResponse::Locked {
                    message: SUSPENDED_MESSAGE.to_string(),
                },
            ))
        }
        Next::Locked | Next::SetupLinkNeeded => {
            return Ok((
                None,
                LoginResponse::Locked {
                    message: LOCKED_MESSAGE.to_string(),
                },
            ))
        }
    };
    let resource = Resource::portal_for(user.role());
    let id = finish::first_step_in(
        tx,
        state,
        FirstStep {
            user_id: &user.id,
            email: &user.email,
            signed_in,
            proof: Proof::password(now).with(Method::Link, now),
            resource: &resource,
            known_browser: false,
            kind,
            detail,
        },
        client,
        now,
    )
    .await?;
    Ok((Some(id), answer))
}
