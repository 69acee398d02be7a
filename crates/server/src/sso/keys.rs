//! The provider's signing keys: one current key per algorithm, made the
//! first time one is needed (whichever instance comes first; the others
//! read it), its private half sealed with the server's encryption key.
//! A rotation retires the current keys; their public halves stay published
//! until the tokens they signed have expired.

use portcullis_api::SigningAlg;
use serde_json::Value;

use super::jws::{self, SigningKey};
use super::RETIRED_KEY_SECS;
use crate::app::AppState;
use crate::error::Internal;
use crate::store;

/// What a key is sealed to (its id binds the sealed text to its row).
fn context(kid: &str) -> String {
    format!("signing-key:{kid}")
}

/// The current key of `alg`, made now if there is none.
pub async fn current(state: &AppState, alg: SigningAlg) -> Result<SigningKey, Internal> {
    for _ in 0..2 {
        let rows = store::sso::signing_keys(&state.db, state.now()).await?;
        if let Some(row) = rows
            .iter()
            .find(|k| k.retired_at.is_none() && k.alg == alg.as_str())
        {
            let pem = state.secrets.open(&row.private_key, &context(&row.kid))?;
            return Ok(jws::from_pem(&row.kid, alg, pem.expose())?);
        }
        make(state, alg).await?;
    }
    Err(Internal::new("no signing key after making one"))
}

/// Makes the current key of `alg` unless another instance just did.
async fn make(state: &AppState, alg: SigningAlg) -> Result<(), Internal> {
    let (key, pem, jwk) = jws::generate(alg)?;
    let sealed = state.secrets.seal(&pem, &context(&key.kid))?;
    store::sso::insert_signing_key(
        &state.db,
        &store::sso::SigningKey {
            kid: key.kid.clone(),
            alg: alg.as_str().to_string(),
            private_key: sealed,
            public_jwk: jwk.to_string(),
            created_at: state.now(),
            retired_at: None,
        },
    )
    .await?;
    Ok(())
}

/// Every key a token may still carry: the current ones (made if missing)
/// and those retired lately, as public JWKs.
pub async fn published(state: &AppState) -> Result<Vec<Value>, Internal> {
    for alg in SigningAlg::ALL {
        current(state, alg).await?;
    }
    let rows = store::sso::signing_keys(&state.db, state.now() - RETIRED_KEY_SECS).await?;
    rows.iter()
        .map(|r| {
            serde_json::from_str(&r.public_jwk)
                .map_err(|e| Internal::new(format!("stored JWK {}: {e}", r.kid)))
        })
        .collect()
}

/// Retires the current keys; new ones are made at the next need.
pub async fn rotate(state: &AppState) -> Result<u64, Internal> {
    Ok(store::sso::retire_signing_keys(&state.db, state.now()).await?)
}
