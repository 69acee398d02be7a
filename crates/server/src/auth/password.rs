//! Password hashing: Argon2id with m = 19 MiB, t = 2, p = 1 (the common
//! recommendation for interactive logins), run on blocking threads through a bounded queue.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore};
use tokio::sync::Semaphore;

use crate::secret::Secret;

/// Runs password checks: at most `concurrency` at once (each holds 19 MiB),
/// at most `queue` more waiting. A login beyond that is refused at once with
/// [`HashError::Busy`] — a flood of logins gets quick 503s instead of an
/// ever longer queue that holds every connection open.
#[derive(Clone)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    /// A real hash of a random password: checked against when the email is
    /// unknown, so unknown and known emails cost the same time.
    dummy: Arc<str>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum HashError {
    /// Too many checks running and waiting; try again shortly.
    Busy,
    /// The blocking task failed.
    Failed,
}

impl Hasher {
    pub fn new(concurrency: usize, queue: usize) -> anyhow::Result<Self> {
        let mut random = [0u8; 32];
        OsRng.fill_bytes(&mut random);
        let concurrency = concurrency.max(1);
        Ok(Hasher {
            slots: Arc::new(Semaphore::new(concurrency)),
            admitted: Arc::new(Semaphore::new(concurrency + queue)),
            dummy: hash(&hex::encode(random))?.into(),
        })
    }

    /// Whether `password` matches `phc`; with no stored hash (unknown
    /// email) it checks against the dummy and answers `false`, taking the
    /// same time.
    pub async fn verify(
        &self,
        password: Secret<String>,
        phc: Option<String>,
    ) -> Result<bool, HashError> {
        let _admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| HashError::Busy)?;
        let _slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| HashError::Failed)?;
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.to_string());
        let ok = tokio::task::spawn_blocking(move || verify(password.expose(), &phc))
            .await
            .map_err(|_| HashError::Failed)?;
        Ok(known && ok)
    }

    /// The PHC string of a new password, made within the same limits as
    /// the checks (Argon2 is as costly either way).
    pub async fn hash(&self, password: Secret<String>) -> Result<String, HashError> {
        let _admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| HashError::Busy)?;
        let _slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| HashError::Failed)?;
        tokio::task::spawn_blocking(move || hash(password.expose()))
            .await
            .map_err(|_| HashError::Failed)?
            .map_err(|_| HashError::Failed)
    }
}

pub const MIN_LEN: usize = 8;
/// Characters, as the API documents (what Argon2 hashes is at most 4 KiB).
pub const MAX_LEN: usize = 1024;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Constant-work check; a malformed stored hash counts as a mismatch.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Rules for a new password: length, not composition (composition rules
/// make people pick worse passwords).
pub fn check_new(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!(
            "The password must have at least {MIN_LEN} characters."
        ));
    }
    if password.chars().count() > MAX_LEN {
        return Err(format!(
            "The password must have at most {MAX_LEN} characters."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse").unwrap_or_default();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let Ok(h) = Hasher::new(1, 0) else {
            panic!("hasher")
        };
        let phc = hash("correct horse").ok();
        let pw = || Secret::new("correct horse".to_string());
        assert_eq!(h.verify(pw(), phc.clone()).await, Ok(true));
        assert_eq!(h.verify(pw(), None).await, Ok(false), "unknown user");
        // One check admitted and running: the next is refused, not queued.
        let held = h.admitted.clone().try_acquire_owned();
        assert!(held.is_ok());
        assert_eq!(h.verify(pw(), phc.clone()).await, Err(HashError::Busy));
        drop(held);
        assert_eq!(h.verify(pw(), phc).await, Ok(true));
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new("short").is_err());
        assert!(check_new("long enough").is_ok());
        assert!(check_new(&"x".repeat(MAX_LEN + 1)).is_err());
    }
}
