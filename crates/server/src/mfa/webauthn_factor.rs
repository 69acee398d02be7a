//! The security-key and passkey factor's operations: register a key (for a
//! signed-in user, or as the enrollment step of a login), list, rename and
//! remove one's keys, and prove one at the login's second step. Each
//! ceremony spans two requests; its state waits in the challenge store,
//! bound to the session, good once and for five minutes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portcullis_api::webauthn::{
    AuthenticationOptions, KeyInfo, PublicKeyCredential, RegisterPublicKeyCredential,
    RegistrationOptions, RegistrationStart,
};
use portcullis_api::FactorKind;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    AttestationMetadata, AuthenticationResult, Credential, CredentialID, SecurityKey,
    SecurityKeyRegistration, Webauthn, WebauthnError,
};
use webauthn_rs_core::proto::{AuthenticationState, RegistrationState};
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_proto::extensions::ExtnState;
use webauthn_rs_proto::{
    PublicKeyCredentialHints, RequestRegistrationExtensions, UserVerificationPolicy,
};

use super::error::MfaError;
use super::removal::{self, Remover, Which};
use super::webauthn::{self as rules, CEREMONY_SECS};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::client::Client;
use crate::auth::session::{self, Method};
use crate::auth::{self, Authed};
use crate::challenge::{self, Kind as ChallengeKind, Put};
use crate::error::Internal;
use crate::login::flow::Step;
use crate::notify::{self, Kind};
use crate::rules::org_settings;
use crate::store::{self, users::User, webauthn::Row};

/// A registration in progress, as the challenge store keeps it.
#[derive(Serialize, Deserialize)]
enum Registration {
    SecurityKey(SecurityKeyRegistration),
    /// Through the library's lower layer: a discoverable credential whose
    /// user verification is preferred, not required (see
    /// `rules::core_party`).
    Passkey(RegistrationState),
}

const NOT_ALLOWED: &str = "Your organisation does not allow security keys or passkeys. \
     Ask your administrator which kind of second factor to set up.";

/// The words events use for a key.
fn key_words(name: &str) -> String {
    format!("security key “{name}”")
}

fn party(state: &AppState) -> Result<Webauthn, MfaError> {
    rules::relying_party(&state.settings).ok_or(MfaError::NotAllowedNow(rules::NO_DOMAIN))
}

/// The same relying party through the library's lower layer.
fn core_party(state: &AppState) -> Result<WebauthnCore, MfaError> {
    rules::core_party(&state.settings).ok_or(MfaError::NotAllowedNow(rules::NO_DOMAIN))
}

/// The library's record of a stored key.
fn credential_of(row: &Row) -> Result<Credential, Internal> {
    serde_json::from_str(&row.credential)
        .map_err(|e| Internal::new(format!("webauthn credential {} unreadable: {e}", row.id)))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, Internal> {
    serde_json::to_string(value).map_err(|e| Internal::new(format!("webauthn state: {e}")))
}

/// The browser's answer as the library's type. It is read only once its
/// ceremony was found (and so used up): an answer to no live ceremony is
/// refused as such, whatever it holds. One that cannot be read fails the
/// ceremony like any answer that proves nothing (a 401, as a wrong
/// signature): the request itself was well-formed JSON of the documented
/// shape, whose credential object the API's document leaves open.
fn read_answer<T: serde::de::DeserializeOwned>(answer: serde_json::Value) -> Result<T, MfaError> {
    serde_json::from_value(answer).map_err(|_| MfaError::KeyRefused(rules::UNREADABLE))
}

fn info(row: Row) -> KeyInfo {
    KeyInfo {
        transports: row
            .transports
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        id: row.id,
        name: row.name,
        added_at: row.created_at,
        last_used_at: row.last_used_at,
        backup_eligible: row.backup_eligible,
        backed_up: row.backed_up,
        discoverable: row.discoverable.map(|d| d != 0),
        aaguid: row.aaguid,
    }
}

/// Refuses a new key when the organisation's settings do not allow the
/// kind. Keys registered already keep working: only registering asks.
async fn refuse_unless_allowed(state: &AppState) -> Result<(), MfaError> {
    if org_settings::get(&state.db)
        .await?
        .allows(FactorKind::Webauthn)
    {
        Ok(())
    } else {
        Err(MfaError::FactorNotAllowed(NOT_ALLOWED))
    }
}

/// Keeps a ceremony's state for this session, good once for
/// `CEREMONY_SECS`, unless the session holds as many open ceremonies as
/// it may (`challenge::PER_SESSION`).
async fn put_ceremony(
    state: &AppState,
    authed: &Authed,
    kind: ChallengeKind,
    payload: &str,
) -> Result<String, MfaError> {
    match challenge::put_limited(
        &state.db,
        authed.session.id_hash(),
        kind,
        payload,
        state.now(),
        CEREMONY_SECS,
    )
    .await?
    {
        Put::Stored(id) => Ok(id),
        Put::Full { retry_after } => Err(MfaError::CeremoniesOpen(retry_after)),
    }
}

/// A login in progress may register a key only as its enrollment step.
async fn refuse_unless_enrolling(state: &AppState, authed: &Authed) -> Result<(), MfaError> {
    if authed.session.signed_in {
        return Ok(());
    }
    crate::login::step::expect_step(
        state,
        authed,
        Step::Enroll,
        "A second factor is already set up for this account: sign in with it first, then \
         add keys on the Security page.",
    )
    .await
    .map(|_| ())
}

/// Starts registering a key: the options for `navigator.credentials.create()`,
/// which exclude the keys the user has already.
pub async fn register_start(
    state: &AppState,
    authed: &Authed,
    req: &RegistrationStart,
) -> Result<RegistrationOptions, MfaError> {
    refuse_unless_enrolling(state, authed).await?;
    if authed.session.signed_in {
        // Adding a factor to an account that has one needs that one proven
        // lately: whoever found an open session must not add their own key.
        // Only the start asks: the ceremony it makes is good once, for
        // minutes, in this session.
        auth::require_fresh_mfa_if_any(state, authed).await?;
    }
    refuse_unless_allowed(state).await?;
    let webauthn = party(state)?;
    let user = &authed.user;
    let mut exclude: Vec<CredentialID> = Vec::new();
    for row in store::webauthn::for_user(&state.db, &user.id).await? {
        exclude.push(credential_of(&row)?.cred_id);
    }
    let handle = rules::user_handle(&user.id);
    let started = if req.passkey {
        let core = core_party(state)?;
        core.new_challenge_register_builder(handle.as_bytes(), &user.email, &user.display_name)
            .map(|builder| {
                builder
                    .user_verification_policy(UserVerificationPolicy::Preferred)
                    .require_resident_key(true)
                    .exclude_credentials(Some(exclude))
                    // Asks the browser whether the key made the credential
                    // discoverable (shown in the key list).
                    .extensions(Some(RequestRegistrationExtensions {
                        cred_props: Some(true),
                        ..Default::default()
                    }))
            })
            .and_then(|builder| core.generate_challenge_register(builder))
            .map(|(options, st)| (options, Registration::Passkey(st)))
    } else {
        webauthn
            .start_securitykey_registration(
                handle,
                &user.email,
                &user.display_name,
                Some(exclude),
                None,
                None,
            )
            .map(|(options, st)| (options, Registration::SecurityKey(st)))
    };
    let (options, registration) =
        started.map_err(|e| Internal::new(format!("webauthn registration start: {e}")))?;
    let ceremony = put_ceremony(
        state,
        authed,
        ChallengeKind::WebauthnRegistration,
        &to_json(&registration)?,
    )
    .await?;
    Ok(RegistrationOptions { ceremony, options })
}

/// What the row records of a verified new credential.
struct Facts {
    credential_id: String,
    counter: i64,
    backup_eligible: bool,
    backed_up: bool,
    aaguid: Option<String>,
    transports: String,
    discoverable: Option<bool>,
}

fn facts_of(cred: &Credential, answer: &RegisterPublicKeyCredential) -> Facts {
    // The library keeps transports only when an attestation vouches for
    // them; the browser's report is still the best hint for the list (and
    // for a later browser prompt), and nothing is decided on it.
    let transports = cred
        .transports
        .as_ref()
        .or(answer.response.transports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|t| serde_json::to_value(t).ok())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect::<Vec<_>>()
        .join(" ");
    let aaguid = match &cred.attestation.metadata {
        AttestationMetadata::Packed { aaguid } | AttestationMetadata::Tpm { aaguid, .. } => {
            Some(aaguid.to_string())
        }
        _ => None,
    };
    let discoverable = match &cred.extensions.cred_props {
        ExtnState::Set(p) | ExtnState::Unsolicited(p) => p.rk,
        _ => None,
    };
    Facts {
        credential_id: URL_SAFE_NO_PAD.encode(cred.cred_id.as_slice()),
        counter: i64::from(cred.counter),
        backup_eligible: cred.backup_eligible,
        backed_up: cred.backup_state,
        aaguid,
        transports,
        discoverable,
    }
}

/// Finishes registering a key with the browser's answer; answers the key
/// in words. A login whose enrollment step this was is finished by
/// `login::second_factor::confirm_key`.
pub async fn register_finish(
    state: &AppState,
    authed: &Authed,
    ceremony: &str,
    name: Option<&str>,
    answer: serde_json::Value,
    client: &Client,
) -> Result<String, MfaError> {
    refuse_unless_enrolling(state, authed).await?;
    refuse_unless_allowed(state).await?;
    let webauthn = party(state)?;
    let user = &authed.user;
    let existing: Vec<String> = store::webauthn::for_user(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    // The name is checked before the ceremony is used up, so a typo costs
    // no second touch of the key.
    let name = rules::key_name(name, rules::default_name(&existing)).map_err(MfaError::Invalid)?;
    let now = state.now();
    let payload = challenge::take(
        &state.db,
        ceremony,
        authed.session.id_hash(),
        ChallengeKind::WebauthnRegistration,
        now,
    )
    .await?
    .ok_or(MfaError::CeremonyExpired)?;
    let registration: Registration = serde_json::from_str(&payload)
        .map_err(|e| Internal::new(format!("webauthn registration state: {e}")))?;
    let answer: RegisterPublicKeyCredential = read_answer(answer)?;
    let answer = &answer;
    // A browser refuses a key the options exclude; an answer from one
    // anyway (or from a key registered meanwhile, or someone else's) is
    // told apart here, before the library's refusal would hide why.
    let presented = URL_SAFE_NO_PAD.encode(answer.raw_id.as_slice());
    if store::webauthn::registered(&state.db, &presented).await? {
        return Err(MfaError::KeyAlreadyRegistered);
    }
    let verified = match &registration {
        Registration::SecurityKey(st) => webauthn
            .finish_securitykey_registration(answer, st)
            .map(Credential::from),
        Registration::Passkey(st) => core_party(state)?.register_credential(answer, st, None),
    };
    let cred = match verified {
        Ok(cred) => cred,
        Err(e) => {
            tracing::info!(error = %e, "webauthn registration refused");
            return Err(MfaError::KeyRefused(rules::refusal(&e)));
        }
    };
    let facts = facts_of(&cred, answer);
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = state.db.begin().await?;
    let added = store::webauthn::insert(
        &mut tx,
        &store::webauthn::New {
            id: &id,
            user_id: &user.id,
            credential_id: &facts.credential_id,
            credential: &to_json(&cred)?,
            name: &name,
            counter: facts.counter,
            backup_eligible: facts.backup_eligible,
            backed_up: facts.backed_up,
            aaguid: facts.aaguid.as_deref(),
            transports: &facts.transports,
            discoverable: facts.discoverable,
        },
        now,
    )
    .await?;
    if !added {
        return Err(MfaError::KeyAlreadyRegistered);
    }
    notify::queue_from(
        &mut *tx,
        now,
        Kind::SecurityKeyAdded,
        user,
        client,
        &rules::key_line(&name),
    )
    .await?;
    if authed.session.signed_in {
        // The key's touch just proved it in this session: changes that
        // need a recent second factor may follow without another.
        session::prove_again(&mut *tx, &authed.session, Method::Webauthn, now).await?;
    }
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::MfaEnrolled, &user.id, client, &key_words(&name)),
    )
    .await?;
    tx.commit().await?;
    Ok(key_words(&name))
}

/// The signed-in user's keys, oldest first.
pub async fn list(state: &AppState, user: &User) -> Result<Vec<KeyInfo>, MfaError> {
    Ok(store::webauthn::for_user(&state.db, &user.id)
        .await?
        .into_iter()
        .map(info)
        .collect())
}

/// Renames one of the user's keys (another user's is `KeyNotFound`).
pub async fn rename(
    state: &AppState,
    user: &User,
    id: &str,
    typed: &str,
    client: &Client,
) -> Result<KeyInfo, MfaError> {
    let name = rules::rename(typed).map_err(MfaError::Invalid)?;
    let mut tx = state.db.begin().await?;
    let old = store::webauthn::find(&mut *tx, &user.id, id)
        .await?
        .ok_or(MfaError::KeyNotFound)?;
    if !store::webauthn::rename(&mut *tx, &user.id, id, &name).await? {
        return Err(MfaError::KeyNotFound);
    }
    // The log keeps both names: events before this one use the old.
    let words = format!("{} renamed “{name}”", key_words(&old.name));
    audit::record(
        &mut *tx,
        state.now(),
        Event::by_user(EventKind::MfaFactorRenamed, &user.id, client, &words),
    )
    .await?;
    let key = store::webauthn::find(&mut *tx, &user.id, id)
        .await?
        .map(info)
        .ok_or(MfaError::KeyNotFound)?;
    tx.commit().await?;
    Ok(key)
}

/// Removes one of the user's keys, and the user's other sessions that a
/// key proved (whoever has the lost key may hold one). The last factor of
/// a user who must have MFA stays: they would be locked out.
pub async fn remove(
    state: &AppState,
    authed: &Authed,
    id: &str,
    client: &Client,
) -> Result<(), MfaError> {
    auth::require_fresh_mfa_if_any(state, authed).await?;
    let mut tx = state.db.begin().await?;
    let by = Remover::User {
        session: authed.session.id_hash(),
    };
    removal::remove_factor(state, &mut tx, &authed.user.id, Which::Key(id), by, client)
        .await
        .map_err(|r| removal::user_error(r, MfaError::KeyNotFound))?;
    tx.commit().await?;
    Ok(())
}

/// An assertion in progress, as the challenge store keeps it: the
/// library's lower-layer state, in the shape of its upper layer's
/// `SecurityKeyAuthentication` (`{"ast": …}`), which this was stored as
/// before, so a ceremony started by an older server still finishes.
#[derive(Serialize, Deserialize)]
struct Assertion {
    ast: AuthenticationState,
}

/// The options for `navigator.credentials.get()` allowing each of the
/// user's keys, passkeys included, with the ceremony kept for this
/// session. They ask for user verification when one of the keys must
/// give it (`rules::assertion_policy`): a passkey that verified its user
/// when it was made is refused without, and a browser asked for none
/// would not ask the PIN or fingerprint. Made through the lower layer,
/// whose upper layer would always ask security keys for none.
pub async fn assertion_start(
    state: &AppState,
    authed: &Authed,
) -> Result<AuthenticationOptions, MfaError> {
    let core = core_party(state)?;
    let mut keys: Vec<Credential> = Vec::new();
    for row in store::webauthn::for_user(&state.db, &authed.user.id).await? {
        keys.push(credential_of(&row)?);
    }
    let policy = rules::assertion_policy(&keys);
    // Without verification the keys are security keys: the browser may
    // offer those first. With it, a passkey on this device may answer.
    let hints = (policy != UserVerificationPolicy::Preferred)
        .then(|| vec![PublicKeyCredentialHints::SecurityKey]);
    let (options, ast) = core
        .new_challenge_authenticate_builder(keys, Some(policy))
        .map(|builder| builder.hints(hints))
        .and_then(|builder| core.generate_challenge_authenticate(builder))
        .map_err(|e| Internal::new(format!("webauthn authentication start: {e}")))?;
    let ceremony = put_ceremony(
        state,
        authed,
        ChallengeKind::WebauthnAuthentication,
        &to_json(&Assertion { ast })?,
    )
    .await?;
    Ok(AuthenticationOptions { ceremony, options })
}

/// Records a refused assertion and answers the refusal.
async fn refused<T>(
    state: &AppState,
    user: &User,
    client: &Client,
    detail: &str,
    words: &'static str,
) -> Result<T, MfaError> {
    audit::record(
        &state.db,
        state.now(),
        Event::by_user(EventKind::MfaFailed, &user.id, client, detail),
    )
    .await?;
    Err(MfaError::KeyRefused(words))
}

/// A key that answered, verified and recorded.
pub struct KeyUsed {
    /// Its row's id (a login's finish checks it is still there).
    pub key_id: String,
    /// How events name it.
    pub words: String,
    /// Its user verified themself to it (PIN, biometrics).
    pub user_verified: bool,
}

/// Checks a key's assertion with `verify` (the library's check for the
/// ceremony at hand), then the signature counter, and records the use.
/// A counter that went back (a copied key) is refused and recorded.
pub async fn check_assertion(
    state: &AppState,
    user: &User,
    key: &Row,
    verify: impl FnOnce() -> Result<AuthenticationResult, WebauthnError>,
    client: &Client,
) -> Result<KeyUsed, MfaError> {
    let words = key_words(&key.name);
    let copied = format!(
        "{words}: its signature counter went backwards (stored {}); the key may have been copied",
        key.counter
    );
    let result = match verify() {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            return refused(state, user, client, &copied, rules::COPIED).await;
        }
        Err(e) => {
            tracing::info!(error = %e, "webauthn assertion refused");
            let detail = format!("{words}: answer refused");
            return refused(state, user, client, &detail, rules::refusal(&e)).await;
        }
    };
    // The ceremony's copy of the counter is from when it started; the
    // stored one may have moved since.
    let stored = u32::try_from(key.counter).unwrap_or(u32::MAX);
    if rules::counter_went_back(stored, result.counter()) {
        return refused(state, user, client, &copied, rules::COPIED).await;
    }
    let mut updated = SecurityKey::from(credential_of(key)?);
    updated.update_credential(&result);
    let record = to_json(&Credential::from(updated))?;
    let claimed = store::webauthn::record_use(
        &state.db,
        &key.id,
        &store::webauthn::Use {
            credential: &record,
            counter: i64::from(result.counter()),
            backup_eligible: result.backup_eligible(),
            backed_up: result.backup_state(),
        },
        state.now(),
    )
    .await?;
    if !claimed {
        return refused(state, user, client, &copied, rules::COPIED).await;
    }
    Ok(KeyUsed {
        key_id: key.id.clone(),
        words,
        user_verified: result.user_verified(),
    })
}

/// Proves one of the user's keys against the ceremony this session
/// started with [`assertion_start`].
pub async fn assertion_finish(
    state: &AppState,
    authed: &Authed,
    ceremony: &str,
    answer: serde_json::Value,
    client: &Client,
) -> Result<KeyUsed, MfaError> {
    let core = core_party(state)?;
    let user = &authed.user;
    let payload = challenge::take(
        &state.db,
        ceremony,
        authed.session.id_hash(),
        ChallengeKind::WebauthnAuthentication,
        state.now(),
    )
    .await?
    .ok_or(MfaError::CeremonyExpired)?;
    let st: Assertion = serde_json::from_str(&payload)
        .map_err(|e| Internal::new(format!("webauthn authentication state: {e}")))?;
    let answer: PublicKeyCredential = read_answer(answer)?;
    let presented = URL_SAFE_NO_PAD.encode(answer.raw_id.as_slice());
    let key = store::webauthn::for_user(&state.db, &user.id)
        .await?
        .into_iter()
        .find(|r| r.credential_id == presented);
    let Some(key) = key else {
        return refused(
            state,
            user,
            client,
            "security key: not one of this account's",
            rules::refusal(&WebauthnError::CredentialNotFound),
        )
        .await;
    };
    check_assertion(
        state,
        user,
        &key,
        || core.authenticate_credential(&answer, &st.ast),
        client,
    )
    .await
}

/// What a login says when it asks for a key the user does not have.
pub const NO_KEY: &str = "No security key is set up for this account.";

/// Refuses proving a key again outside a signed-in session, or for a
/// user without keys.
async fn refuse_unless_signed_in_with_keys(
    state: &AppState,
    authed: &Authed,
) -> Result<(), MfaError> {
    if !authed.session.signed_in {
        return Err(MfaError::NotAllowedNow("Finish signing in first."));
    }
    if store::webauthn::for_user(&state.db, &authed.user.id)
        .await?
        .is_empty()
    {
        return Err(MfaError::NotAllowedNow(NO_KEY));
    }
    Ok(())
}

/// Starts proving a key again in a signed-in session (before a change
/// that needs a recent second factor).
pub async fn verify_start(
    state: &AppState,
    authed: &Authed,
) -> Result<AuthenticationOptions, MfaError> {
    refuse_unless_signed_in_with_keys(state, authed).await?;
    assertion_start(state, authed).await
}

/// Finishes proving a key again: the session's second factor is renewed.
pub async fn verify_finish(
    state: &AppState,
    authed: &Authed,
    ceremony: &str,
    answer: serde_json::Value,
    client: &Client,
) -> Result<(), MfaError> {
    refuse_unless_signed_in_with_keys(state, authed).await?;
    let used = assertion_finish(state, authed, ceremony, answer, client).await?;
    super::again::proven_again(state, authed, Method::Webauthn, &used.words, client).await
}
