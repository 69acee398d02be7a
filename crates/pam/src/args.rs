//! The module's arguments in the PAM service file, e.g.
//! `auth required pam_portcullis.so timeout=90 config_dir=/etc/portcullis`.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::DEFAULT_DIR;

/// What the service file asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// Where the enrolled host's files are.
    pub config_dir: PathBuf,
    /// The longest a login may wait on Portcullis in all (a push's 60
    /// seconds included); past it the login is refused.
    pub timeout: Duration,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            config_dir: PathBuf::from(DEFAULT_DIR),
            timeout: Duration::from_secs(90),
        }
    }
}

/// The arguments, or why one is refused (the login then fails closed: a
/// typo must not open the host).
pub fn parse<'a>(args: impl IntoIterator<Item = &'a str>) -> Result<Args, String> {
    let mut out = Args::default();
    for arg in args {
        match arg.split_once('=') {
            Some(("config_dir", dir)) if !dir.is_empty() => out.config_dir = PathBuf::from(dir),
            Some(("timeout", secs)) => {
                let secs: u64 = secs
                    .parse()
                    .ok()
                    .filter(|s| (5..=600).contains(s))
                    .ok_or_else(|| format!("timeout={secs}: give 5 to 600 seconds"))?;
                out.timeout = Duration::from_secs(secs);
            }
            _ => {
                return Err(format!(
                    "unknown argument {arg:?} (config_dir=…, timeout=…)"
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_read_or_refused() {
        assert_eq!(parse([]), Ok(Args::default()));
        let a = parse(["config_dir=/tmp/x", "timeout=30"]).unwrap();
        assert_eq!(a.config_dir, PathBuf::from("/tmp/x"));
        assert_eq!(a.timeout, Duration::from_secs(30));
        assert!(parse(["timeout=1"]).is_err());
        assert!(parse(["timeout=lots"]).is_err());
        assert!(parse(["nullok"]).is_err());
        assert!(parse(["config_dir="]).is_err());
    }
}
