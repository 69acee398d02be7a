//! A host proving who it is: its enrollment (a one-time token and a new
//! key) and the signature on each later request, by the same scheme as a
//! Protect device's (`portcullis_api::signing`) with the host's own
//! scheme line, so a device's signature is no host's.

use portcullis_api::hosts::{HostEnrollRequest, HostEnrolled, HOST_SIGNATURE_SCHEME};
use portcullis_api::signing;
use sha2::{Digest, Sha256};

use super::hosts::TOKEN_CONTEXT;
use crate::app::AppState;
use crate::mfa::push::rules::{self, HeaderWords, Signed};
use crate::mfa::MfaError;
use crate::store;
use crate::store::hosts::Host;

const HOST_WORDS: HeaderWords = HeaderWords {
    signer: "The request lacks a valid x-portcullis-host header.",
    nonce: "The request's x-portcullis-nonce must be 16 to 64 letters, digits, - or _.",
    time: "The request's x-portcullis-time must be Unix seconds (digits only).",
    window: "The request's time is more than 5 minutes from the portal's clock: \
             check the host's clock (NTP).",
};

const NOT_ENROLLED: &str = "This host is not registered any more (it was removed, or enrolled \
     again with a new key). Ask an administrator for a new enrollment token.";
const TOKEN_DEAD: &str = "This enrollment token has expired or was used already. Make a new one \
     on the portal's Systems page.";

/// Enrolls a host: the token (outstanding, unexpired) is used up and the
/// key becomes the host's.
pub async fn enroll(state: &AppState, req: &HostEnrollRequest) -> Result<HostEnrolled, MfaError> {
    let key = rules::enrollment_key(&req.public_key);
    let public_key = key.as_ref().map_or_else(
        |_| String::new(),
        |k| {
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                k.as_bytes(),
            )
        },
    );
    let hash = state.secrets.keyed_hash(TOKEN_CONTEXT, req.token.trim());
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let Some(id) = store::hosts::enroll(&mut *tx, &hash, &public_key, now).await? else {
        return Err(MfaError::DeviceRefused(TOKEN_DEAD));
    };
    // The key is judged once the token is known to be good (a stranger
    // learns nothing from it); a refusal rolls the claim back, so a bad
    // key costs the administrator no new token.
    key.map_err(MfaError::Invalid)?;
    tx.commit().await?;
    let host = store::hosts::find(&state.db, &id)
        .await?
        .ok_or(MfaError::DeviceRefused(NOT_ENROLLED))?;
    tracing::info!(host = %host.name, "host enrolled");
    Ok(HostEnrolled {
        host_id: host.id,
        name: host.name,
        portal: rules::portal(&state.settings),
        offline_totp: host.offline_totp,
    })
}

/// The host whose key signed this request, once the time, the signature
/// and the nonce (never seen before for this host) check out.
pub async fn authenticate_host(
    state: &AppState,
    signed: &Signed<'_>,
    method: &str,
    target: &str,
    body: &[u8],
) -> Result<Host, MfaError> {
    let now = state.now();
    rules::check_signed(signed, now, &HOST_WORDS).map_err(MfaError::DeviceRefused)?;
    let host = store::hosts::find(&state.db, signed.device_id)
        .await?
        .ok_or(MfaError::DeviceRefused(NOT_ENROLLED))?;
    let Some(public_key) = host.public_key.as_deref() else {
        return Err(MfaError::DeviceRefused(NOT_ENROLLED));
    };
    let digest = hex::encode(Sha256::digest(body));
    let message = signing::message(
        HOST_SIGNATURE_SCHEME,
        &signing::Parts {
            portal: &rules::portal(&state.settings),
            signer: &host.id,
            method,
            target,
            time: signed.time,
            nonce: signed.nonce,
            body_sha256_hex: &digest,
        },
    );
    if !rules::verify(public_key, &message, signed.signature) {
        return Err(MfaError::DeviceRefused(
            "The request's signature does not match this host's key.",
        ));
    }
    if !store::hosts::claim_nonce(&state.db, &host.id, signed.nonce, now).await? {
        return Err(MfaError::DeviceRefused(
            "This request was sent before (its nonce was used already); send a new one.",
        ));
    }
    store::hosts::seen(&state.db, &host.id, now).await?;
    Ok(host)
}
