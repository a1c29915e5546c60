//! `cargo xtask <command>`: the project's automation.
//!
//! - `test-sandbox`: the whole test suite (unit, wiremock, doc tests, the
//!   end-to-end flows against the embedded sandbox and every example run
//!   against the sandbox binary), then the live smoke tests (ePay's public
//!   test host; skipped, and counted as skipped, when unreachable), with a summary.
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

    /// The live tests ran `#[ignore]`d in the workspace run, so they are in
    /// `ignored`; one that passed live moves to `passed`, one that failed to
    /// `failed`; one skipped (host unreachable) stays skipped.
    fn count_live(&mut self, live: &Live) {
        let ran = (live.passed.len() + live.failed.len()) as u64;
        self.ignored = self.ignored.saturating_sub(ran);
        self.passed += live.passed.len() as u64;
        self.failed += live.failed.len() as u64;
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
    let live = live_phase();
    totals.count_live(&live);
    println!();
    println!(
        "==> summary ({} test binaries, {:.0?})",
        totals.suites,
        started.elapsed()
    );
    println!("{}", totals.summary());
    println!("{}", live.summary());
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

/// Live smoke tests: `#[ignore]`d in the workspace run (they leave the
/// machine), run here one by one; each prints one verdict line.
const LIVE_TESTS: &[(&str, &str)] = &[("epay-kz", "live_test_host")];

/// What the live phase saw: each test's verdict, read from its own line.
#[derive(Default, Debug, PartialEq, Eq)]
struct Live {
    passed: Vec<String>,
    skipped: Vec<String>,
    failed: Vec<String>,
}

impl Live {
    /// Reads a verdict line (`live: passed: ...` / `live: skipped: ...`).
    fn add_line(&mut self, line: &str) {
        if let Some(why) = line.trim().strip_prefix("live: passed: ") {
            self.passed.push(why.to_owned());
        } else if let Some(why) = line.trim().strip_prefix("live: skipped: ") {
            self.skipped.push(why.to_owned());
        }
    }

    fn summary(&self) -> String {
        let mut text = format!(
            "live smoke tests: {} passed, {} skipped, {} failed",
            self.passed.len(),
            self.skipped.len(),
            self.failed.len()
        );
        for why in &self.skipped {
            text.push_str(&format!("\n  skipped: {why}"));
        }
        for why in &self.failed {
            text.push_str(&format!("\n  FAILED: {why}"));
        }
        text
    }
}

fn live_phase() -> Live {
    let mut live = Live::default();
    for (package, test) in LIVE_TESTS {
        println!("==> live smoke test {package}/{test} (skips itself when the host is unreachable)");
        // `--all-features`, as the workspace run above: nothing to rebuild.
        let output = cargo()
            .args([
                "test",
                "--quiet",
                "--all-features",
                "--package",
                package,
                "--test",
                test,
                "--",
                "--ignored",
                "--nocapture",
            ])
            .stderr(Stdio::inherit())
            .output();
        let before = live.passed.len() + live.skipped.len();
        match output {
            Ok(out) => {
                for line in String::from_utf8_lossy(&out.stdout).lines() {
                    println!("{line}");
                    live.add_line(line);
                }
                if !out.status.success() {
                    live.failed.push(format!("{package}/{test}"));
                } else if live.passed.len() + live.skipped.len() == before {
                    // A run without a verdict line did not test anything.
                    live.failed.push(format!("{package}/{test}: no verdict line"));
                }
            }
            Err(e) => live.failed.push(format!("{package}/{test}: cannot run cargo: {e}")),
        }
    }
    live
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

    #[test]
    fn an_unreachable_live_host_counts_as_skipped_never_passed() {
        let mut t = Totals {
            passed: 10,
            failed: 0,
            ignored: 1,
            suites: 1,
        };
        let mut live = Live::default();
        live.add_line("live: skipped: https://test-epay-oauth.epayment.kz/oauth2/token is unreachable");
        live.add_line("test live_epay_test_host_issues_a_service_token ... ok");
        live.add_line("test result: ok. 1 passed; 0 failed; 0 ignored");
        t.count_live(&live);
        assert_eq!(t.summary(), "10 passed, 0 failed, 1 skipped");
        assert_eq!(
            live.summary(),
            "live smoke tests: 0 passed, 1 skipped, 0 failed\n  skipped: https://test-epay-oauth.epayment.kz/oauth2/token is unreachable"
        );

        let mut reached = Live::default();
        reached.add_line("live: passed: the host issued a token");
        let mut t = Totals {
            passed: 10,
            failed: 0,
            ignored: 1,
            suites: 1,
        };
        t.count_live(&reached);
        assert_eq!(t.summary(), "11 passed, 0 failed, 0 skipped");
    }
}
