//! The `payments` command-line tool, as a library so its pieces are tested
//! in-process as well as through the built binary.
//!
//! - `payments sandbox`: the offline emulator of every provider.
//! - `payments callback sign|verify|explain --provider P`: callbacks signed as
//!   the provider signs them, verified as the SDK verifies them, and an
//!   explanation of why a body does not verify.
//! - `payments status|refund|cancel|capture --provider P`: one operation
//!   through [`payments::AnyProvider::from_env`].
//! - `payments keys azericard`: the merchant's RSA-2048 key pair.
//!
//! Exit codes: 0 success, 1 the operation failed or the callback does not
//! verify, 2 a usage error (clap's).

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::process::ExitCode;

pub mod callback;
mod cli;
pub mod input;
pub mod keys;
pub mod ops;
pub mod output;
pub mod sandbox;

pub use cli::{CallbackAction, CallbackArgs, Cli, Command, KeysArgs, KeysProvider, OpArgs, SandboxArgs};

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Sandbox(args) => sandbox::run(&args),
        Command::Callback(args) => callback::run(&args),
        Command::Status(args) => ops::run(ops::Operation::Status, &args),
        Command::Refund(args) => ops::run(ops::Operation::Refund, &args),
        Command::Cancel(args) => ops::run(ops::Operation::Cancel, &args),
        Command::Capture(args) => ops::run(ops::Operation::Capture, &args),
        Command::Keys(args) => keys::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A command's failure before it could do its work (bad input, unreadable
/// file, missing configuration): printed as `error: ...`, exit code 1.
pub type CliResult<T> = std::result::Result<T, String>;
