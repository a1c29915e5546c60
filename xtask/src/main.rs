//! `cargo xtask <command>`: the project's automation.
//!
//! - `test-sandbox`: the whole test suite (unit, wiremock, doc tests and the
//!   end-to-end flows against the embedded sandbox), with a summary.
//! - `demo`: one complete checkout per provider against the sandbox.
//! - `bench`: the criterion benches, each beside its raw baseline, with ratios;
//!   the OpenSSL floor, the Python SDK integrify (`--peer integrify`), client
//!   throughput of every provider and cold starts, in one run.

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

mod bench;
mod chart;
mod compare;
mod floor;
mod footprint;
mod peer;
mod throughput;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test-sandbox") => test_sandbox(&args[1..]),
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench::run(&args[1..], cargo),
        _ => {
            eprintln!("usage: cargo xtask <test-sandbox|demo|bench> [args]");
            eprintln!("  test-sandbox   run every test, end-to-end flows against the embedded sandbox included");
            eprintln!("  demo           run one complete checkout per provider against the sandbox");
            eprintln!("  bench          run the criterion benches and print each beside its raw baseline");
            eprintln!(
                "                 [--peer integrify] [--only pkg,pkg] [--no-throughput] [--throughput-seconds N] [--full] [--report-only] | --footprint"
            );
            ExitCode::from(2)
        }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// Totals read from libtest's `test result:` lines.
#[derive(Default, Debug, PartialEq, Eq)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
    suites: u64,
}

impl Totals {
    /// The last line: only what libtest counted (a skipped test is an
    /// `#[ignore]`d one that exists, never a placeholder for a missing test).
    fn summary(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.ignored
        )
    }

    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        self.suites += 1;
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = count.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

fn test_sandbox(extra: &[String]) -> ExitCode {
    let started = Instant::now();
    println!("==> cargo test --workspace --all-features (unit, contract, doc and end-to-end tests)");
    println!("    compiling first: minutes on a fresh machine, seconds after");
    let mut cmd = cargo();
    cmd.args(["test", "--workspace", "--all-features", "--no-fail-fast"])
        .args(extra);
    cmd.stdout(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut totals = Totals::default();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            totals.add_line(&line);
            println!("{line}");
        }
    }
    let status = match child.wait() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cargo did not finish: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!();
    println!(
        "==> summary ({} test binaries, {:.0?})",
        totals.suites,
        started.elapsed()
    );
    println!("{}", totals.summary());
    if !status.success() || totals.failed > 0 {
        eprintln!("test-sandbox: FAILED");
        return ExitCode::FAILURE;
    }
    if totals.passed == 0 {
        eprintln!("test-sandbox: no test ran");
        return ExitCode::FAILURE;
    }
    println!("test-sandbox: ok");
    ExitCode::SUCCESS
}

/// The demo lives in the `payments-tests` crate (it needs the whole SDK and
/// the sandbox); xtask stays a small, fast-building runner. The build runs
/// first, visibly, so a fresh machine does not sit silent for minutes.
fn demo(args: &[String]) -> ExitCode {
    println!(
        "==> compiling the demo (cargo build -p payments-tests --bin demo): minutes on a fresh machine, seconds after"
    );
    match cargo()
        .args(["build", "--package", "payments-tests", "--bin", "demo"])
        .status()
    {
        Ok(s) if s.success() => {}
        Ok(_) => {
            eprintln!("demo: the build failed");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            return ExitCode::FAILURE;
        }
    }
    println!("==> starting the sandbox and running one checkout per provider");
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "--package", "payments-tests", "--bin", "demo", "--"])
        .args(args);
    match cmd.status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_sum_libtest_lines() {
        let mut t = Totals::default();
        t.add_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        t.add_line("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out");
        t.add_line("running 5 tests");
        assert_eq!(
            t,
            Totals {
                passed: 15,
                failed: 2,
                ignored: 1,
                suites: 2
            }
        );
        assert_eq!(t.summary(), "15 passed, 2 failed, 1 skipped");
    }
}
