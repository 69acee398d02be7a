//! The enrolled host's files: `host.json` (the portal's address, the
//! origin its signatures name, the host's id and name) and `host.key` (the
//! Ed25519 key's 32 secret bytes, base64url). Both are root's alone
//! (0600, in a 0700 folder): whoever reads the key can speak for the host.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

pub const DEFAULT_DIR: &str = "/etc/portcullis";
const CONFIG: &str = "host.json";
const KEY: &str = "host.key";

/// What enrollment left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostConfig {
    /// Where requests go (what `--url` said).
    pub url: String,
    /// The portal's origin, as the enrollment answered: what is signed.
    pub portal: String,
    pub host_id: String,
    pub name: String,
}

/// The host's settings and key, from `dir`.
pub fn load(dir: &Path) -> Result<(HostConfig, SigningKey), String> {
    let path = dir.join(CONFIG);
    let text = fs::read_to_string(&path).map_err(|e| {
        format!(
            "{} cannot be read ({e}): enroll this host with portcullis-pam enroll",
            path.display()
        )
    })?;
    let config: HostConfig =
        serde_json::from_str(&text).map_err(|e| format!("{} is damaged: {e}", path.display()))?;
    let key_path = dir.join(KEY);
    let mode = fs::metadata(&key_path)
        .map_err(|e| format!("{} cannot be read: {e}", key_path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "{} may be read by others (mode {:o}): chmod 600 it, or enroll again",
            key_path.display(),
            mode & 0o777
        ));
    }
    let text = fs::read_to_string(&key_path)
        .map_err(|e| format!("{} cannot be read: {e}", key_path.display()))?;
    let bytes: [u8; 32] = URL_SAFE_NO_PAD
        .decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("{} is not a host key", key_path.display()))?;
    Ok((config, SigningKey::from_bytes(&bytes)))
}

/// Writes the settings and the key (replacing earlier ones), root's alone.
pub fn save(dir: &Path, config: &HostConfig, key: &SigningKey) -> Result<(), String> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let json = serde_json::to_string_pretty(config).map_err(|e| e.to_string())?;
    write_private(&dir.join(CONFIG), json.as_bytes())?;
    let key_text = URL_SAFE_NO_PAD.encode(key.to_bytes());
    write_private(&dir.join(KEY), key_text.as_bytes())
}

/// Writes a file that only its owner may read, through a new file renamed
/// into place, so a reader never sees half of it.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp: PathBuf = path.with_extension("new");
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_saved_loads_and_a_readable_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = HostConfig {
            url: "https://mfa.example.org".into(),
            portal: "https://mfa.example.org".into(),
            host_id: "h1".into(),
            name: "web-1".into(),
        };
        let key = SigningKey::from_bytes(&[7; 32]);
        save(dir.path(), &config, &key).unwrap();
        let (c, k) = load(dir.path()).unwrap();
        assert_eq!(c, config);
        assert_eq!(k.to_bytes(), key.to_bytes());
        let mode = fs::metadata(dir.path().join(KEY))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        fs::set_permissions(dir.path().join(KEY), fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load(dir.path())
            .unwrap_err()
            .contains("may be read by others"));
        assert!(load(&dir.path().join("none"))
            .unwrap_err()
            .contains("portcullis-pam enroll"));
    }
}
