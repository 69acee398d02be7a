//! Running the `protect` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_protect");

/// A device: its own state file in its own directory.
pub struct Phone {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Phone {
    pub fn new() -> Phone {
        Phone {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("config/portcullis-protect/state.json")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--state").arg(self.state()).args(args);
        c.env_remove("PROTECT_STATE");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.command(args).output().unwrap())
    }
}

pub fn run(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `protect` with no state at all, for the refusals that need no portal.
pub fn bare(args: &[&str], home: &Path) -> Run {
    run(Command::new(BIN)
        .args(args)
        .env_remove("PROTECT_STATE")
        .env_remove("XDG_CONFIG_HOME")
        .env("HOME", home)
        .output()
        .unwrap())
}
