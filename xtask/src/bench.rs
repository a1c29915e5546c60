//! `cargo xtask bench`: runs every criterion bench of the workspace and prints
//! each measurement beside the raw baseline of its group, with the ratio.
//!
//! Convention: within a criterion group, the function whose name contains
//! `raw` or `baseline` is the baseline; every other function of the group is
//! compared with it. Numbers are read from criterion's `estimates.json`
//! (mean point estimate) and handled as decimals.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::str::FromStr;

use rust_decimal::Decimal;

/// One measured function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Measurement {
    pub(crate) group: String,
    pub(crate) function: String,
    /// Mean time per iteration in nanoseconds.
    pub(crate) mean_ns: Decimal,
}

pub(crate) fn run(args: &[String], cargo: impl Fn() -> Command) -> ExitCode {
    // `--report-only`: print the table from the last run's results.
    let report_only = args.iter().any(|a| a == "--report-only");
    if !report_only && !run_benches(args, &cargo) {
        return ExitCode::FAILURE;
    }
    let dir = target_dir().join("criterion");
    let measurements = collect(&dir);
    if measurements.is_empty() {
        eprintln!("no criterion results under {}", dir.display());
        return ExitCode::FAILURE;
    }
    let throughput = if report_only { String::new() } else { throughput(&cargo) };
    println!();
    println!("{}", machine_description());
    print!("{}", table(&measurements));
    println!();
    print!("{throughput}");
    ExitCode::SUCCESS
}

/// Runs the EPoint throughput binary for the SDK and the raw baseline, twice
/// each, alternating, in release mode and in separate processes (so that each
/// peak memory figure is its own), and keeps each mode's best run.
fn throughput(cargo: &impl Fn() -> Command) -> String {
    let mut best: Vec<(String, Decimal, String)> = Vec::new();
    for mode in ["sdk", "raw", "sdk", "raw"] {
        let out = cargo()
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "payments-tests",
                "--bin",
                "throughput",
                "--",
            ])
            .args([mode, "--requests", "20000", "--concurrency", "64"])
            .output();
        let Ok(out) = out else { continue };
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        println!("{line}");
        let field = |name: &str| {
            line.split_whitespace().find_map(|kv| {
                kv.strip_prefix(name)
                    .and_then(|v| v.strip_prefix('='))
                    .map(str::to_owned)
            })
        };
        let (Some(rps), Some(rss)) = (
            field("rps").and_then(|r| Decimal::from_str(&r).ok()),
            field("peak_rss_kib"),
        ) else {
            continue;
        };
        match best.iter_mut().find(|(m, _, _)| m == mode) {
            Some(entry) if entry.1 >= rps => {}
            Some(entry) => *entry = (mode.to_owned(), rps, rss),
            None => best.push((mode.to_owned(), rps, rss)),
        }
    }
    let get = |mode: &str| best.iter().find(|(m, _, _)| m == mode).cloned();
    let mut out =
        String::from("| EPoint pay, 64 concurrent callers, 20000 requests | requests/s | peak RSS |\n|---|---|---|\n");
    for mode in ["sdk", "raw"] {
        if let Some((_, rps, rss)) = get(mode) {
            let name = if mode == "sdk" {
                "EpointClient (SDK)"
            } else {
                "raw reqwest (baseline)"
            };
            out.push_str(&format!("| {name} | {rps} | {rss} KiB |\n"));
        }
    }
    if let (Some((_, sdk, _)), Some((_, raw, _))) = (get("sdk"), get("raw"))
        && !raw.is_zero()
    {
        out.push_str(&format!("| ratio SDK / raw | {:.2}x | |\n", (sdk / raw).round_dp(2)));
    }
    out
}

/// Runs `cargo bench` on every bench target; false when it fails.
fn run_benches(args: &[String], cargo: &impl Fn() -> Command) -> bool {
    let quick = ["--warm-up-time", "1", "--measurement-time", "3"];
    let mut cmd = cargo();
    // `--bench '*'`: only the `[[bench]]` targets. `--benches` would include
    // every lib (they default to `bench = true`), whose libtest harness
    // rejects criterion's flags.
    cmd.args(["bench", "--workspace", "--all-features", "--bench", "*", "--"]);
    if args.iter().any(|a| a == "--full") {
        cmd.args(args.iter().filter(|a| *a != "--full"));
    } else {
        cmd.args(quick).args(args);
    }
    println!("==> {cmd:?}");
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => {
            eprintln!("cargo bench failed: {s}");
            return false;
        }
        Err(e) => {
            eprintln!("cannot run cargo: {e}");
            return false;
        }
    }
    true
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target"))
}

/// The CPU model and core count, for the benchmark record.
pub(crate) fn machine_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("machine: {cpu}, {cores} cores")
}

/// Reads every `*/new/estimates.json` under criterion's output directory.
pub(crate) fn collect(dir: &Path) -> Vec<Measurement> {
    let mut out = Vec::new();
    walk(dir, &mut |path| {
        if !path.ends_with("new/benchmark.json") {
            return;
        }
        let Some(new_dir) = path.parent() else { return };
        let (Ok(meta), Ok(est)) = (
            std::fs::read_to_string(path),
            std::fs::read_to_string(new_dir.join("estimates.json")),
        ) else {
            return;
        };
        if let Some(m) = parse(&meta, &est) {
            out.push(m);
        }
    });
    out.sort_by(|a, b| (a.group.as_str(), a.function.as_str()).cmp(&(b.group.as_str(), b.function.as_str())));
    out
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, f);
        } else {
            f(&path);
        }
    }
}

pub(crate) fn parse(benchmark_json: &str, estimates_json: &str) -> Option<Measurement> {
    let meta: serde_json::Value = serde_json::from_str(benchmark_json).ok()?;
    let est: serde_json::Value = serde_json::from_str(estimates_json).ok()?;
    let group = meta.get("group_id")?.as_str()?.to_owned();
    let mut function = meta
        .get("function_id")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    if let Some(v) = meta.get("value_str").and_then(|v| v.as_str()) {
        function = if function.is_empty() {
            v.to_owned()
        } else {
            format!("{function}/{v}")
        };
    }
    let number = est.get("mean")?.get("point_estimate")?;
    let text = number.to_string();
    let mean_ns = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()?;
    Some(Measurement {
        group,
        function,
        mean_ns,
    })
}

fn is_baseline(function: &str) -> bool {
    let f = function.to_ascii_lowercase();
    f.contains("raw") || f.contains("baseline")
}

/// The baseline of `m`'s group; when a group has several (`raw_sign`,
/// `raw_verify`), the one that ends like the measured function's name.
fn baseline_for<'a>(m: &Measurement, all: &'a [Measurement]) -> Option<&'a Measurement> {
    let mut candidates = all.iter().filter(|b| b.group == m.group && is_baseline(&b.function));
    let last_word = m.function.rsplit(['_', '/']).next().unwrap_or("");
    let first = candidates.clone().next();
    candidates
        .find(|b| !last_word.is_empty() && b.function.ends_with(last_word))
        .or(first)
}

/// A Markdown table: group, function, mean, baseline mean, ratio.
pub(crate) fn table(measurements: &[Measurement]) -> String {
    let mut out =
        String::from("| group | measured | mean | raw baseline | baseline mean | ratio |\n|---|---|---|---|---|---|\n");
    for m in measurements.iter().filter(|m| !is_baseline(&m.function)) {
        let base = baseline_for(m, measurements);
        let (base_name, base_mean, ratio) = match base {
            Some(b) if !b.mean_ns.is_zero() => (
                b.function.clone(),
                human(b.mean_ns),
                format!("{:.2}x", (m.mean_ns / b.mean_ns).round_dp(2)),
            ),
            _ => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            m.group,
            m.function,
            human(m.mean_ns),
            base_name,
            base_mean,
            ratio
        ));
    }
    out
}

fn human(ns: Decimal) -> String {
    let thousand = Decimal::from(1000);
    if ns >= thousand * thousand * thousand {
        format!("{:.2} s", (ns / (thousand * thousand * thousand)).round_dp(2))
    } else if ns >= thousand * thousand {
        format!("{:.2} ms", (ns / (thousand * thousand)).round_dp(2))
    } else if ns >= thousand {
        format!("{:.2} µs", (ns / thousand).round_dp(2))
    } else {
        format!("{:.1} ns", ns.round_dp(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_criterion_output_and_pairs_baselines() {
        let a = parse(
            r#"{"group_id":"epoint_callback","function_id":"sdk_verify_decode","value_str":null}"#,
            r#"{"mean":{"confidence_interval":{},"point_estimate":3000.5,"standard_error":1.0}}"#,
        )
        .unwrap();
        let b = parse(
            r#"{"group_id":"epoint_callback","function_id":"raw_baseline"}"#,
            r#"{"mean":{"point_estimate":2000.0}}"#,
        )
        .unwrap();
        assert_eq!(a.mean_ns, Decimal::from_str("3000.5").unwrap());
        let t = table(&[a, b]);
        assert!(
            t.contains("| epoint_callback | sdk_verify_decode | 3.00 µs | raw_baseline | 2.00 µs | 1.50x |"),
            "{t}"
        );
        assert_eq!(t.lines().count(), 3, "baselines are not rows of their own: {t}");
    }

    #[test]
    fn several_baselines_pair_by_name() {
        let m = |f: &str, ns: i64| Measurement {
            group: "p_sign".into(),
            function: f.into(),
            mean_ns: Decimal::from(ns),
        };
        let all = [
            m("sdk_sign", 110),
            m("raw_sign", 100),
            m("sdk_verify", 30),
            m("raw_verify", 20),
        ];
        let t = table(&all);
        assert!(
            t.contains("| p_sign | sdk_sign | 110.0 ns | raw_sign | 100.0 ns | 1.10x |"),
            "{t}"
        );
        assert!(
            t.contains("| p_sign | sdk_verify | 30.0 ns | raw_verify | 20.0 ns | 1.50x |"),
            "{t}"
        );
    }

    #[test]
    fn scientific_numbers_parse() {
        let m = parse(
            r#"{"group_id":"g","function_id":"f"}"#,
            r#"{"mean":{"point_estimate":1.5e3}}"#,
        )
        .unwrap();
        assert_eq!(m.mean_ns, Decimal::from(1500));
    }
}
