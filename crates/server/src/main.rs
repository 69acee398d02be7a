//! The `portcullis-server` binary: logging, then the command line (`cli`).

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = portcullis_server::cli::Cli::parse();
    portcullis_server::cli::init_logging(cli.log_format);
    match portcullis_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
