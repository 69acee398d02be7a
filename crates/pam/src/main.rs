//! `portcullis-pam`: enrolls this host with Portcullis, once, as root:
//! `portcullis-pam enroll --url https://mfa.example.org --token …` makes
//! the host's key pair, registers its public half with the one-time token
//! an administrator made on the portal's Systems page, and keeps the key
//! and settings under /etc/portcullis (root only). Then add
//! `auth required pam_portcullis.so` after the password in the PAM
//! service (see the README).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ed25519_dalek::SigningKey;
use pam_portcullis::client::{self, Failure};
use pam_portcullis::config::{self, HostConfig, DEFAULT_DIR};
use rand_core::OsRng;

#[derive(Parser)]
#[command(
    name = "portcullis-pam",
    version,
    about = "Enroll this host with Portcullis"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Enroll this host (again: a new token replaces its key).
    Enroll {
        /// The portal's address, e.g. https://mfa.example.org
        #[arg(long)]
        url: String,
        /// The one-time token from the portal's Systems page (or set
        /// PORTCULLIS_HOST_TOKEN, to keep it out of the shell's history).
        #[arg(long, env = "PORTCULLIS_HOST_TOKEN", hide_env_values = true)]
        token: String,
        /// Where the key and settings go.
        #[arg(long, default_value = DEFAULT_DIR)]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Enroll { url, token, dir } => {
            let key = SigningKey::generate(&mut OsRng);
            let enrolled = match client::enroll(&url, token.trim(), &key) {
                Ok(e) => e,
                Err(Failure::Refused { message, .. }) => {
                    eprintln!("portcullis-pam: {message}");
                    return ExitCode::FAILURE;
                }
                Err(Failure::Unreachable(why)) => {
                    eprintln!("portcullis-pam: {url} cannot be reached: {why}");
                    return ExitCode::FAILURE;
                }
            };
            let config = HostConfig {
                url: url.trim_end_matches('/').to_string(),
                portal: enrolled.portal,
                host_id: enrolled.host_id,
                name: enrolled.name,
            };
            if let Err(e) = config::save(&dir, &config, &key) {
                eprintln!("portcullis-pam: {e}");
                return ExitCode::FAILURE;
            }
            println!(
                "Enrolled as {} (key and settings in {}). Add \
                 `auth required pam_portcullis.so` after the password step of the PAM service.",
                config.name,
                dir.display()
            );
            ExitCode::SUCCESS
        }
    }
}
