//! Sign-in with a passkey, without the password: the browser offers the
//! discoverable credentials it holds for this site (a button, or the
//! email field's autofill), and the credential names its user. A passkey
//! that verified its user (PIN, biometrics) proves both steps at once; one
//! that only saw a touch stands for the password, and the login asks for a
//! second factor of another kind, as after a password.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portcullis_api::webauthn::{AuthenticationOptions, PublicKeyCredential};
use portcullis_api::LoginResponse;
use webauthn_rs::prelude::Credential;
use webauthn_rs_core::proto::AuthenticationState;
use webauthn_rs_proto::UserVerificationPolicy;

use super::finish::{self, FirstStep};
use super::flow::{self, Facts, Next};
use crate::app::AppState;
use crate::audit::{self, Actor, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::device_cookie::{self, DeviceToken};
use crate::auth::session::{self, Proof, SessionId};
use crate::auth::throttle::{self, RateLimit};
use crate::challenge::{self, Kind as ChallengeKind};
use crate::error::Internal;
use crate::mfa::error::MfaError;
use crate::mfa::webauthn::{self as rules, CEREMONY_SECS};
use crate::mfa::webauthn_factor::check_assertion;
use crate::rules::resource::Resource;
use crate::store;

/// What a passkey ceremony is bound to. There is no session yet: the
/// ceremony id (random, single-use, five minutes) only names the state,
/// and the answer is bound to this site and to the challenge by the
/// authenticator's signature, which nobody else can make.
const NO_SESSION: &str = "passkey sign-in";

/// Ceremonies one client may start per minute: each is a row until it
/// expires, so an anonymous caller must not start them without end.
const STARTS: RateLimit = RateLimit {
    max: 30,
    window_secs: 60,
};

const NOT_REGISTERED: &str = "This passkey is not registered with this portal (it may have \
     been removed). Log in with your email and password.";

const NO_OTHER_FACTOR: &str = "This passkey did not check that it is you (no PIN, fingerprint \
     or face), so it cannot sign you in on its own, and your account has no second factor of \
     another kind. Log in with your email and password, then use the key.";

/// The finished step: the answer, the session it started, and a device
/// cookie for the browser (it has passed the account's first step).
pub struct PasskeySignIn {
    pub answer: LoginResponse,
    pub session: SessionId,
    pub device: Option<DeviceToken>,
}

/// Said when the key was removed (a Reset MFA, say) while its answer was
/// being checked.
const KEY_GONE: &str = "This passkey was removed from your account while it was being checked \
     (your multi-factor authentication may have been reset). Log in with your email and password.";

fn core(state: &AppState) -> Result<webauthn_rs_core::WebauthnCore, MfaError> {
    rules::core_party(&state.settings).ok_or(MfaError::NotAllowedNow(rules::NO_DOMAIN))
}

fn internal(what: &str, e: impl std::fmt::Display) -> Internal {
    Internal::new(format!("passkey sign-in {what}: {e}"))
}

/// The options for `navigator.credentials.get()` with no allowed list:
/// the browser offers whichever passkeys for this site it holds.
pub async fn start(state: &AppState, client: &Client) -> Result<AuthenticationOptions, MfaError> {
    let now = state.now();
    let window = format!("passkey-start:{}", client.key);
    if let Some(wait) = throttle::window_full(&state.db, &window, STARTS, now).await? {
        return Err(MfaError::Throttled(wait));
    }
    throttle::hit(&state.db, &window, STARTS, now).await?;
    let core = core(state)?;
    let (options, st) = core
        .new_challenge_authenticate_builder(Vec::new(), Some(UserVerificationPolicy::Preferred))
        .and_then(|b| core.generate_challenge_authenticate(b))
        .map_err(|e| internal("start", e))?;
    let payload = serde_json::to_string(&st).map_err(|e| internal("state", e))?;
    let ceremony = challenge::put(
        &state.db,
        NO_SESSION,
        ChallengeKind::PasskeySignIn,
        &payload,
        now,
        CEREMONY_SECS,
    )
    .await?;
    Ok(AuthenticationOptions { ceremony, options })
}

/// Checks the passkey's answer and starts the session it earns: signed in
/// when the key verified its user, else a login that asks for a second
/// factor of another kind (counted as the owner's browser's when `device`
/// is the user's device cookie). The session the browser brought ends.
pub async fn finish(
    state: &AppState,
    ceremony: &str,
    answer: serde_json::Value,
    client: &Client,
    old_cookie: Option<&str>,
    device: Option<&str>,
) -> Result<PasskeySignIn, MfaError> {
    let now = state.now();
    let payload = challenge::take(
        &state.db,
        ceremony,
        NO_SESSION,
        ChallengeKind::PasskeySignIn,
        now,
    )
    .await?
    .ok_or(MfaError::CeremonyExpired)?;
    let mut st: AuthenticationState =
        serde_json::from_str(&payload).map_err(|e| internal("state", e))?;
    let answer: PublicKeyCredential =
        serde_json::from_value(answer).map_err(|_| MfaError::KeyRefused(rules::UNREADABLE))?;
    let presented = URL_SAFE_NO_PAD.encode(answer.raw_id.as_slice());
    let Some((user_id, key)) = store::webauthn::by_credential_id(&state.db, &presented).await?
    else {
        return Err(MfaError::KeyRefused(NOT_REGISTERED));
    };
    // The authenticator stores the user handle with a discoverable
    // credential; it must name the account the credential belongs to.
    let handle = rules::user_handle(&user_id);
    if answer.get_user_unique_id() != Some(handle.as_bytes().as_slice()) {
        return Err(MfaError::KeyRefused(NOT_REGISTERED));
    }
    let user = store::users::find_by_id(&state.db, &user_id)
        .await?
        .ok_or(MfaError::KeyRefused(NOT_REGISTERED))?;
    let resource = Resource::portal_for(user.role());
    // Completed sign-ins are limited per account, the same window as
    // password logins: a stolen passkey cannot mint sessions at will.
    let window = throttle::login_window(&user.email);
    let limit = throttle::login_limit(&state.settings);
    if let Some(wait) = throttle::window_full(&state.db, &window, limit, now).await? {
        return Err(MfaError::Throttled(wait));
    }
    let credential: Credential =
        serde_json::from_str(&key.credential).map_err(|e| internal("credential", e))?;
    let core = core(state)?;
    st.set_allowed_credentials(vec![credential]);
    let used = check_assertion(
        state,
        &user,
        &key,
        || core.authenticate_credential(&answer, &st),
        client,
    )
    .await?;
    let factors = crate::rules::factors::login_factors(&state.db, &user.id).await?;
    let next = flow::next_step(
        &Facts {
            role: user.role(),
            required: user.mfa_required,
            deadline: user.mfa_deadline,
            factors: &factors,
            key_was_first: !used.user_verified,
            via_link: false,
            temporary_access: false,
            suspended: user.suspended_at.is_some(),
            need: crate::rules::app_need::Need::Portal,
        },
        now,
    );
    if next == Next::Suspended {
        return Err(MfaError::NotAllowedNow(flow::SUSPENDED_MESSAGE));
    }
    // A key is a factor: the flow asks to prove one. Anything else means
    // the key went away meanwhile.
    let Next::SecondFactor(others) = next else {
        return Err(MfaError::KeyRefused(NOT_REGISTERED));
    };
    let (signed_in, kind, detail, answer) = if used.user_verified {
        (
            true,
            EventKind::LoginSucceeded,
            format!("passkey: {} (user verified)", used.words),
            LoginResponse::Done { user: user.me() },
        )
    } else if others.is_empty() {
        audit::record(
            &state.db,
            now,
            Event {
                kind: EventKind::LoginFailed,
                actor: Actor::Anonymous,
                subject: Some(&user.id),
                client: Some(client),
                detail: &format!(
                    "passkey: {} without user verification, and no other factor",
                    used.words
                ),
                resource: None,
            },
        )
        .await?;
        return Err(MfaError::KeyRefused(NO_OTHER_FACTOR));
    } else {
        (
            false,
            EventKind::LoginPasswordOk,
            format!(
                "passkey: {} without user verification; second factor next",
                used.words
            ),
            LoginResponse::Mfa { factors: others },
        )
    };
    if let Some(old) = old_cookie {
        session::end(&state.db, old).await?;
    }
    let mut tx = state.db.begin().await?;
    // Checked again with the user's row held (as Reset MFA holds it): a
    // key removed while its answer was checked signs no one in.
    store::users::lock(&mut *tx, &user.id).await?;
    if store::webauthn::find(&mut *tx, &user.id, &key.id)
        .await?
        .is_none()
    {
        return Err(MfaError::KeyRefused(KEY_GONE));
    }
    let session = finish::first_step_in(
        &mut tx,
        state,
        FirstStep {
            user_id: &user.id,
            email: &user.email,
            signed_in,
            proof: Proof::first_key(now, used.user_verified),
            resource: &resource,
            known_browser: device
                .and_then(|token| device_cookie::recognise(state, token, &user, now))
                .is_some(),
            kind,
            detail: &detail,
        },
        client,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(PasskeySignIn {
        answer,
        session,
        // Only a browser that signed in is one the device cookie vouches for.
        device: signed_in.then(|| device_cookie::issue(state, &user, now)),
    })
}
