//! Signed tokens (compact JWS, RFC 7515) with RS256 and ES256 keys: making
//! a key pair, its public JWK (RFC 7517) and thumbprint id (RFC 7638),
//! signing and checking. Through OpenSSL, which the server links already.
//! `alg: none` and any algorithm but these two are never accepted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Rsa;
use openssl::sign::{Signer, Verifier};
use portcullis_api::SigningAlg;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Why a key or token could not be made or read.
#[derive(Debug)]
pub struct JwsError(pub String);

impl From<openssl::error::ErrorStack> for JwsError {
    fn from(e: openssl::error::ErrorStack) -> Self {
        JwsError(e.to_string())
    }
}

/// A private key with its algorithm and id.
pub struct SigningKey {
    pub kid: String,
    pub alg: SigningAlg,
    key: PKey<Private>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new key pair: the private key as PEM (to be sealed), the public JWK.
pub fn generate(alg: SigningAlg) -> Result<(SigningKey, String, Value), JwsError> {
    let key = match alg {
        SigningAlg::RS256 => PKey::from_rsa(Rsa::generate(2048)?)?,
        SigningAlg::ES256 => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
            PKey::from_ec_key(EcKey::generate(&group)?)?
        }
    };
    let pem = String::from_utf8(key.private_key_to_pem_pkcs8()?)
        .map_err(|_| JwsError("PEM is not text".into()))?;
    let (jwk, kid) = public_jwk(&key, alg)?;
    Ok((SigningKey { kid, alg, key }, pem, jwk))
}

/// Reads a private key back from PEM.
pub fn from_pem(kid: &str, alg: SigningAlg, pem: &str) -> Result<SigningKey, JwsError> {
    Ok(SigningKey {
        kid: kid.to_string(),
        alg,
        key: PKey::private_key_from_pem(pem.as_bytes())?,
    })
}

/// The public JWK of a key, and its RFC 7638 thumbprint as its id.
fn public_jwk(key: &PKey<Private>, alg: SigningAlg) -> Result<(Value, String), JwsError> {
    // The thumbprint hashes the required members in lexicographic order.
    let (members, extra) = match alg {
        SigningAlg::RS256 => {
            let rsa = key.rsa()?;
            let e = b64(&rsa.e().to_vec());
            let n = b64(&rsa.n().to_vec());
            (
                format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
                json!({"kty": "RSA", "n": n, "e": e}),
            )
        }
        SigningAlg::ES256 => {
            let ec = key.ec_key()?;
            let mut ctx = BigNumContext::new()?;
            let (mut x, mut y) = (BigNum::new()?, BigNum::new()?);
            ec.public_key()
                .affine_coordinates(ec.group(), &mut x, &mut y, &mut ctx)?;
            let x = b64(&x.to_vec_padded(32)?);
            let y = b64(&y.to_vec_padded(32)?);
            (
                format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#),
                json!({"kty": "EC", "crv": "P-256", "x": x, "y": y}),
            )
        }
    };
    let kid = b64(&Sha256::digest(members.as_bytes()));
    let mut jwk = extra;
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!(alg.as_str());
    jwk["use"] = json!("sig");
    Ok((jwk, kid))
}

/// A compact JWS of `claims`, signed by `key`.
pub fn sign(key: &SigningKey, claims: &Value) -> Result<String, JwsError> {
    let header = json!({"alg": key.alg.as_str(), "kid": key.kid, "typ": "JWT"});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut signer = Signer::new(MessageDigest::sha256(), &key.key)?;
    signer.update(input.as_bytes())?;
    let der = signer.sign_to_vec()?;
    let signature = match key.alg {
        SigningAlg::RS256 => der,
        // JWS wants R and S side by side, 32 bytes each, not DER.
        SigningAlg::ES256 => {
            let sig = EcdsaSig::from_der(&der)?;
            let mut raw = sig.r().to_vec_padded(32)?;
            raw.extend(sig.s().to_vec_padded(32)?);
            raw
        }
    };
    Ok(format!("{input}.{}", b64(&signature)))
}

/// The claims of a token signed by one of `keys` (public JWKs), when its
/// signature holds. Expiry and audience are the caller's to check.
pub fn verify(token: &str, keys: &[Value]) -> Result<Value, JwsError> {
    let bad = |w: &str| JwsError(w.to_string());
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("not a compact JWS"));
    };
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|_| bad("not base64url"));
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| bad("header"))?;
    let kid = header["kid"].as_str().ok_or_else(|| bad("no kid"))?;
    let alg = header["alg"]
        .as_str()
        .and_then(SigningAlg::parse)
        .ok_or_else(|| bad("algorithm not accepted"))?;
    let jwk = keys
        .iter()
        .find(|k| k["kid"] == kid && k["alg"] == alg.as_str())
        .ok_or_else(|| bad("unknown key"))?;
    let public = public_key(jwk, alg)?;
    let mut signature = decode(s)?;
    if alg == SigningAlg::ES256 {
        if signature.len() != 64 {
            return Err(bad("signature length"));
        }
        let r = BigNum::from_slice(&signature[..32])?;
        let s = BigNum::from_slice(&signature[32..])?;
        signature = EcdsaSig::from_private_components(r, s)?.to_der()?;
    }
    let mut verifier = Verifier::new(MessageDigest::sha256(), &public)?;
    verifier.update(format!("{h}.{c}").as_bytes())?;
    if !verifier.verify(&signature).unwrap_or(false) {
        return Err(bad("signature"));
    }
    serde_json::from_slice(&decode(c)?).map_err(|_| bad("claims"))
}

fn public_key(jwk: &Value, alg: SigningAlg) -> Result<PKey<Public>, JwsError> {
    let field = |name: &str| -> Result<BigNum, JwsError> {
        let text = jwk[name]
            .as_str()
            .ok_or_else(|| JwsError(format!("no {name}")))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| JwsError(format!("{name} not base64url")))?;
        Ok(BigNum::from_slice(&bytes)?)
    };
    Ok(match alg {
        SigningAlg::RS256 => {
            PKey::from_rsa(Rsa::from_public_components(field("n")?, field("e")?)?)?
        }
        SigningAlg::ES256 => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
            let (x, y) = (field("x")?, field("y")?);
            let key = EcKey::from_public_key_affine_coordinates(&group, &x, &y)?;
            PKey::from_ec_key(key)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_with_both_algorithms_and_refuses_tampering() {
        for alg in SigningAlg::ALL {
            let (key, pem, jwk) = generate(alg).expect("key");
            let keys = std::slice::from_ref(&jwk);
            let again = from_pem(&key.kid, alg, &pem).expect("pem");
            let claims = json!({"sub": "u1", "aud": "c1"});
            let token = sign(&again, &claims).expect("sign");
            assert_eq!(verify(&token, keys).expect("verify"), claims);
            // another payload under the same signature
            let mut parts: Vec<&str> = token.split('.').collect();
            let forged = b64(json!({"sub": "admin", "aud": "c1"}).to_string().as_bytes());
            parts[1] = &forged;
            assert!(verify(&parts.join("."), keys).is_err(), "{alg:?}");
            // `alg: none` with no signature
            let none = format!(
                "{}.{}.",
                b64(json!({"alg": "none", "kid": key.kid})
                    .to_string()
                    .as_bytes()),
                b64(claims.to_string().as_bytes())
            );
            assert!(verify(&none, keys).is_err());
            // a key of the other algorithm never checks it
            let (_, _, other) = generate(match alg {
                SigningAlg::RS256 => SigningAlg::ES256,
                SigningAlg::ES256 => SigningAlg::RS256,
            })
            .expect("key");
            assert!(verify(&token, &[other]).is_err());
            assert_eq!(jwk["kid"], json!(key.kid));
            assert!(
                jwk.get("d").is_none(),
                "the private part is never published"
            );
        }
    }
}
