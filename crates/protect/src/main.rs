//! `protect`: parses the command line and maps the result to an exit code
//! (0 success, 1 refused or failed, 2 usage). Everything else is in the
//! library.

use std::process::ExitCode;

use clap::Parser;
use portcullis_protect::cli::Cli;
use portcullis_protect::commands::{run, Done};

fn main() -> ExitCode {
    // clap exits 2 on usage errors, after printing them.
    let cli = Cli::parse();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout();
    match run(cli, &mut input, &mut out) {
        Ok(Done::Ok) => ExitCode::SUCCESS,
        Ok(Done::Refused) => ExitCode::from(1),
        Err(e) => {
            eprintln!("protect: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
