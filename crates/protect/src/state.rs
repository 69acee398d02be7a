//! The device's one state file: the portal, the device id, the private key,
//! the details it enrolled with and the last known clock offset. Written
//! owner-only (0600 in a 0700 directory) and atomically, so that a crash
//! mid-write never leaves a device without its key.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::SigningKey;
use portcullis_api::protect::DeviceTotp;
use serde::{Deserialize, Serialize};

use crate::Error;

#[derive(Clone, Serialize, Deserialize)]
pub struct State {
    /// The portal's origin, e.g. `https://mfa.example.org`.
    pub portal: String,
    pub device_id: String,
    pub user_email: String,
    /// The Ed25519 secret key (32 bytes, base64url). Never printed.
    private_key: String,
    pub label: String,
    pub device_type: String,
    pub os: String,
    pub app_version: String,
    pub user_verification: String,
    /// Portal time minus device time, as last seen.
    pub clock_offset_secs: i64,
    pub enrolled_at: i64,
    /// The authenticator key a unified enrollment gave this device (it
    /// shows its codes: `protect code`). Never printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    totp: Option<DeviceTotp>,
    /// Where it was loaded from, to write a new clock offset back to.
    #[serde(skip)]
    path: Option<PathBuf>,
}

/// Everything of a [`State`] but the key, which `new` takes separately.
pub struct Details {
    pub portal: String,
    pub device_id: String,
    pub user_email: String,
    pub label: String,
    pub device_type: String,
    pub os: String,
    pub app_version: String,
    pub user_verification: String,
    pub clock_offset_secs: i64,
    pub enrolled_at: i64,
}

impl State {
    pub fn new(d: Details, key: &SigningKey) -> State {
        State {
            portal: d.portal,
            device_id: d.device_id,
            user_email: d.user_email,
            private_key: URL_SAFE_NO_PAD.encode(key.to_bytes()),
            label: d.label,
            device_type: d.device_type,
            os: d.os,
            app_version: d.app_version,
            user_verification: d.user_verification,
            clock_offset_secs: d.clock_offset_secs,
            enrolled_at: d.enrolled_at,
            totp: None,
            path: None,
        }
    }

    /// The same state holding the authenticator key of a unified
    /// enrollment (`None`: none).
    pub fn with_totp(self, totp: Option<DeviceTotp>) -> State {
        State { totp, ..self }
    }

    /// The authenticator key, if the portal gave this device one.
    pub fn totp(&self) -> Option<&DeviceTotp> {
        self.totp.as_ref()
    }

    /// Writes a newly learned clock offset back to the file this state was
    /// loaded from, so later commands sign with it from the start.
    pub fn remember_offset(&self, offset_secs: i64) -> Result<(), Error> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut updated = self.clone();
        updated.clock_offset_secs = offset_secs;
        updated.save(path)
    }

    pub fn key(&self) -> Result<SigningKey, Error> {
        let bytes = URL_SAFE_NO_PAD.decode(&self.private_key).ok();
        let seed: Option<[u8; 32]> = bytes.and_then(|b| b.try_into().ok());
        seed.map(|s| SigningKey::from_bytes(&s)).ok_or_else(|| {
            Error::State(
                "The private key in the state file is damaged; enroll this device again."
                    .to_string(),
            )
        })
    }

    /// Reads the state; a missing file means "not enrolled".
    pub fn load(path: &Path) -> Result<State, Error> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotEnrolled {
                    path: path.display().to_string(),
                })
            }
            Err(e) => {
                return Err(Error::State(format!(
                    "Cannot read the state file {}: {e}",
                    path.display()
                )))
            }
        };
        let mut state: State = serde_json::from_str(&text).map_err(|e| {
            Error::State(format!(
                "The state file {} is damaged ({e}); enroll this device again.",
                path.display()
            ))
        })?;
        state.path = Some(path.to_path_buf());
        Ok(state)
    }

    /// Writes the state to a temporary file beside `path` (0600, in a
    /// directory created 0700) and renames it over `path`.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let fail = |what: &str, e: std::io::Error| {
            Error::State(format!("Cannot {what} {}: {e}", path.display()))
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        create_private_dir(&dir).map_err(|e| fail("create the directory of", e))?;
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::State(format!("Cannot write the state: {e}")))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state.json".to_string());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = write_private(&tmp, &json).and_then(|()| fs::rename(&tmp, path));
        if let Err(e) = written {
            fs::remove_file(&tmp).ok();
            return Err(fail("write the state file", e));
        }
        Ok(())
    }
}

// By hand, so that `{:?}` anywhere can never print the key.
impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("portal", &self.portal)
            .field("device_id", &self.device_id)
            .field("user_email", &self.user_email)
            .field("label", &self.label)
            .field("clock_offset_secs", &self.clock_offset_secs)
            .finish_non_exhaustive()
    }
}

/// `--state`'s default: `$XDG_CONFIG_HOME/portcullis-protect/state.json`,
/// else `~/.config/portcullis-protect/state.json`.
pub fn default_path() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(config.join("portcullis-protect").join("state.json"))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        State::new(
            Details {
                portal: "http://localhost:8080".into(),
                device_id: "dev-1".into(),
                user_email: "ada@example.com".into(),
                label: "Ada's laptop".into(),
                device_type: "CLI".into(),
                os: "linux".into(),
                app_version: "protect 0.1.0".into(),
                user_verification: "none".into(),
                clock_offset_secs: -3,
                enrolled_at: 1_700_000_000,
            },
            &SigningKey::from_bytes(&[9u8; 32]),
        )
    }

    #[test]
    fn saves_owner_only_and_reads_back() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("conf/portcullis-protect/state.json");
        sample().save(&path).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // Overwriting works (rename over the old file) and leaves no temp file.
        sample().save(&path).unwrap();
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
        let back = State::load(&path).unwrap();
        assert_eq!(back.key().unwrap().to_bytes(), [9u8; 32]);
        assert_eq!(back.clock_offset_secs, -3);
    }

    fn totp_key() -> DeviceTotp {
        DeviceTotp {
            secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into(),
            digits: 6,
            period: 30,
            algorithm: "SHA1".into(),
            issuer: "Portcullis".into(),
            account: "ada@example.com".into(),
        }
    }

    #[test]
    fn a_new_clock_offset_is_written_back_to_where_the_state_came_from() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("state.json");
        // never loaded: nowhere to write, nothing written
        sample().remember_offset(600).unwrap();
        sample().save(&path).unwrap();
        let loaded = State::load(&path).unwrap();
        loaded.remember_offset(600).unwrap();
        assert_eq!(State::load(&path).unwrap().clock_offset_secs, 600);
        assert_eq!(
            State::load(&path).unwrap().key().unwrap().to_bytes(),
            [9u8; 32]
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let s = sample().with_totp(Some(totp_key()));
        let text = format!("{s:?}");
        assert!(!text.contains(&s.private_key), "{text}");
        assert!(!text.contains(&totp_key().secret), "{text}");
    }

    #[test]
    fn the_authenticator_key_is_kept_owner_only_and_optional() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("state.json");
        sample().with_totp(Some(totp_key())).save(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(State::load(&path).unwrap().totp(), Some(&totp_key()));
        // A state written without one (separate mode, older versions).
        sample().save(&path).unwrap();
        assert!(!fs::read_to_string(&path).unwrap().contains("totp"));
        assert_eq!(State::load(&path).unwrap().totp(), None);
    }

    #[test]
    fn missing_and_damaged_files_are_told_apart() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("state.json");
        assert!(matches!(State::load(&path), Err(Error::NotEnrolled { .. })));
        fs::write(&path, "{").unwrap();
        match State::load(&path) {
            Err(Error::State(m)) => assert!(m.contains("damaged"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
