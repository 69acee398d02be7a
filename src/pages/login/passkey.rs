//! `/login`'s passkey sign-in: a button that opens the browser's dialog,
//! and the email field's autofill, which offers the passkeys the browser
//! holds for this site. The ceremony code is not in the first download:
//! with the `split` feature it comes from its own chunk when first used
//! (the autofill asks for it once the screen is up).

use portcullis_api::LoginResponse;

use crate::webauthn::{self, Mediation, Problem};

// Two functions without arguments rather than one with a `Mediation`: a
// split function's arguments cross the chunk boundary as a C call.
#[cfg(feature = "split")]
#[leptos::lazy]
async fn by_dialog() -> Result<LoginResponse, Problem> {
    webauthn::passkey_sign_in(Mediation::Dialog).await
}

#[cfg(feature = "split")]
#[leptos::lazy]
async fn by_autofill() -> Result<LoginResponse, Problem> {
    webauthn::passkey_sign_in(Mediation::Autofill).await
}

#[cfg(not(feature = "split"))]
async fn by_dialog() -> Result<LoginResponse, Problem> {
    webauthn::passkey_sign_in(Mediation::Dialog).await
}

#[cfg(not(feature = "split"))]
async fn by_autofill() -> Result<LoginResponse, Problem> {
    webauthn::passkey_sign_in(Mediation::Autofill).await
}

/// Signs in with a passkey the way `mediation` says.
pub async fn sign_in(mediation: Mediation) -> Result<LoginResponse, Problem> {
    match mediation {
        Mediation::Dialog => by_dialog().await,
        Mediation::Autofill => by_autofill().await,
    }
}
