//! Files the server creates for itself (the data directory, the SQLite file,
//! the encryption key) are readable by the owner only: they hold password
//! hashes, sessions and keys.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;

/// Creates `dir` and any missing parents with mode 0700. An existing
/// directory is left as it is (it may be shared, e.g. `/var/lib`).
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))
}

/// Makes sure `file` exists with mode 0600 (creating its directory too), so
/// that whatever writes it next never leaves it readable by others.
pub fn private_file(file: &Path) -> anyhow::Result<()> {
    if let Some(parent) = file.parent() {
        private_dir(parent)?;
    }
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("cannot create {}", file.display()))?;
    fs::set_permissions(file, fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict {}", file.display()))
}

/// Writes `contents` to a new file with mode 0600; fails if it exists (two
/// instances starting at once must not overwrite each other's key).
pub fn create_private(file: &Path, contents: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = file.parent() {
        private_dir(parent)?;
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("cannot create {}", file.display()))?;
    f.write_all(contents)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn created_files_and_directories_are_owner_only() {
        let Ok(tmp) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let dir = tmp.path().join("data/inner");
        let db = dir.join("x.db");
        assert!(private_file(&db).is_ok());
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);
        let key = dir.join("key");
        assert!(create_private(&key, b"k").is_ok());
        assert_eq!(mode(&key), 0o600);
        assert!(create_private(&key, b"again").is_err(), "never overwrites");
    }
}
