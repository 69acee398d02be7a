//! What an app asks of a session, and how a session's proof reads in an
//! ID token (`amr`, RFC 8176, and `acr`). Pure.

use portcullis_api::{AppPolicy, FactorKind};

use crate::auth::session::{Method, Proof};

/// `acr` of a session that passed the password (or a trusted browser) only.
pub const ACR_PASSWORD: &str = "urn:portcullis:acr:pwd";
/// `acr` of a session that passed a second factor.
pub const ACR_MFA: &str = "urn:portcullis:acr:mfa";
/// `acr` of a session that passed a security key or passkey.
pub const ACR_PHISHING_RESISTANT: &str = "urn:portcullis:acr:phr";
/// Every `acr` value, weakest first.
pub const ACR_VALUES: [&str; 3] = [ACR_PASSWORD, ACR_MFA, ACR_PHISHING_RESISTANT];

/// Whether a signed-in session with `proof` meets the app's policy. Every
/// signed-in session passed the portal's own login, so the organisation's
/// default and "password only" accept any.
pub fn satisfied(policy: AppPolicy, proof: &Proof) -> bool {
    match policy {
        AppPolicy::OrgDefault | AppPolicy::NoMfa => true,
        AppPolicy::SecondFactor => proof.has_second_factor(),
        AppPolicy::PhishingResistant => phishing_resistant(proof),
    }
}

/// The second factors a step-up may ask for, of the user's own.
pub fn step_up_factors(policy: AppPolicy, mine: &[FactorKind]) -> Vec<FactorKind> {
    mine.iter()
        .copied()
        .filter(|k| policy != AppPolicy::PhishingResistant || *k == FactorKind::Webauthn)
        .collect()
}

fn phishing_resistant(proof: &Proof) -> bool {
    proof.has_second_factor() && proof.methods.contains(&Method::Webauthn)
}

/// The session's methods as RFC 8176 names: `pwd` for the password,
/// `otp` for app and recovery codes, `hwk` for a security key or passkey,
/// `swk` for a push approved with the Protect device's key, and `mfa`
/// when more than one kind of proof was given.
pub fn amr(proof: &Proof) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for m in &proof.methods {
        let name = match m {
            Method::Password => "pwd",
            Method::Totp | Method::Recovery => "otp",
            Method::Webauthn => "hwk",
            Method::Push => "swk",
            Method::Trusted | Method::Link | Method::Temporary => continue,
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if proof.has_second_factor() {
        // a passkey that verified its user proved two factors in one
        out.push("mfa");
    }
    out
}

/// The session's strength as `acr`.
pub fn acr(proof: &Proof) -> &'static str {
    if phishing_resistant(proof) {
        ACR_PHISHING_RESISTANT
    } else if proof.has_second_factor() {
        ACR_MFA
    } else {
        ACR_PASSWORD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_800_000_000;

    #[test]
    fn policies_against_proofs() {
        let pwd = Proof::password(T);
        let trusted = pwd.with(Method::Trusted, T);
        let otp = pwd.with(Method::Totp, T);
        let key = pwd.with(Method::Webauthn, T);
        let passkey = Proof::first_key(T, true);
        let touch_only = Proof::first_key(T, false);
        for p in [&pwd, &trusted, &otp, &key] {
            assert!(satisfied(AppPolicy::OrgDefault, p));
            assert!(satisfied(AppPolicy::NoMfa, p));
        }
        assert!(!satisfied(AppPolicy::SecondFactor, &pwd));
        assert!(
            !satisfied(AppPolicy::SecondFactor, &trusted),
            "a trusted browser is no factor"
        );
        assert!(satisfied(AppPolicy::SecondFactor, &otp));
        assert!(!satisfied(AppPolicy::PhishingResistant, &otp));
        assert!(satisfied(AppPolicy::PhishingResistant, &key));
        assert!(satisfied(AppPolicy::PhishingResistant, &passkey));
        assert!(!satisfied(AppPolicy::PhishingResistant, &touch_only));
    }

    #[test]
    fn amr_and_acr_name_what_was_proven() {
        let pwd = Proof::password(T);
        assert_eq!(amr(&pwd), vec!["pwd"]);
        assert_eq!(acr(&pwd), ACR_PASSWORD);
        assert_eq!(amr(&pwd.with(Method::Trusted, T)), vec!["pwd"]);
        let otp = pwd.with(Method::Totp, T);
        assert_eq!(amr(&otp), vec!["pwd", "otp", "mfa"]);
        assert_eq!(acr(&otp), ACR_MFA);
        assert_eq!(amr(&pwd.with(Method::Push, T)), vec!["pwd", "swk", "mfa"]);
        assert_eq!(
            amr(&pwd.with(Method::Recovery, T)),
            vec!["pwd", "otp", "mfa"]
        );
        let key = pwd.with(Method::Webauthn, T);
        assert_eq!(amr(&key), vec!["pwd", "hwk", "mfa"]);
        assert_eq!(acr(&key), ACR_PHISHING_RESISTANT);
        assert_eq!(amr(&Proof::first_key(T, true)), vec!["hwk", "mfa"]);
    }

    #[test]
    fn step_up_offers_only_what_the_policy_accepts() {
        let mine = [FactorKind::Totp, FactorKind::Webauthn, FactorKind::Push];
        assert_eq!(
            step_up_factors(AppPolicy::SecondFactor, &mine),
            mine.to_vec()
        );
        assert_eq!(
            step_up_factors(AppPolicy::PhishingResistant, &mine),
            vec![FactorKind::Webauthn]
        );
    }
}
