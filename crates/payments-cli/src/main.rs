//! `payments`: the SDK's command-line tool (see `payments --help`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = payments_cli::Cli::parse();
    payments_cli::run(cli)
}
