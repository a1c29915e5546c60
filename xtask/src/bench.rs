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

use crate::{chart, compare, floor, footprint, peer, throughput};

/// One measured function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Measurement {
    pub(crate) group: String,
    pub(crate) function: String,
    /// Mean time per iteration in nanoseconds.
    pub(crate) mean_ns: Decimal,
}

/// Options of `cargo xtask bench`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Options {
    /// `--report-only`: reprint the criterion tables of the last run.
    pub(crate) report_only: bool,
    /// `--peer integrify`: time the Python SDK in the same run.
    pub(crate) peer: Option<String>,
    /// `--no-throughput`: skip the client throughput sweep and cold starts.
    pub(crate) no_throughput: bool,
    /// `--throughput-seconds N`: length of each throughput point (default 2).
    pub(crate) throughput_seconds: u32,
    /// `--only a,b`: bench only these packages (default: the whole workspace).
    pub(crate) only: Vec<String>,
    /// `--footprint`: only the clean build of a one-provider app.
    pub(crate) footprint: bool,
    /// What is left for criterion (`--full` and criterion's own flags).
    pub(crate) criterion: Vec<String>,
}

/// Splits xtask's own flags from criterion's.
pub(crate) fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        throughput_seconds: 2,
        ..Options::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--report-only" => o.report_only = true,
            "--no-throughput" => o.no_throughput = true,
            "--footprint" => o.footprint = true,
            "--peer" => match it.next().map(String::as_str) {
                Some("integrify") => o.peer = Some("integrify".to_owned()),
                other => return Err(format!("--peer takes `integrify`, not {other:?}")),
            },
            "--throughput-seconds" => {
                o.throughput_seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|v| *v > 0)
                    .ok_or("--throughput-seconds takes a positive number")?;
            }
            "--only" => {
                let list = it.next().ok_or("--only takes a comma-separated package list")?;
                o.only = list.split(',').map(str::to_owned).collect();
            }
            _ => o.criterion.push(a.clone()),
        }
    }
    Ok(o)
}

pub(crate) fn run(args: &[String], cargo: impl Fn() -> Command) -> ExitCode {
    let opts = match options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::from(2);
        }
    };
    if opts.footprint {
        return match footprint::run(&cargo, &target_dir()) {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("footprint: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if !opts.report_only && !run_benches(&opts, &cargo) {
        return ExitCode::FAILURE;
    }
    let dir = target_dir().join("criterion");
    let measurements = collect(&dir);
    if measurements.is_empty() {
        eprintln!("no criterion results under {}", dir.display());
        return ExitCode::FAILURE;
    }
    let floors = floors();
    let peer = match opts.peer.as_deref() {
        Some(_) => match peer::run(&target_dir().join("integrify-venv"), 2) {
            Ok(figures) => figures,
            Err(why) => {
                println!("==> integrify not measured: {why}");
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let throughput = if opts.report_only || opts.no_throughput {
        String::new()
    } else {
        throughput_report(&cargo, opts.throughput_seconds)
    };
    let mut report = String::new();
    report.push_str(&format!("{}\n\n", machine_description()));
    report.push_str(&compare::table(&measurements, &peer, &floors));
    report.push('\n');
    report.push_str(&table(&measurements));
    report.push('\n');
    report.push_str(&throughput);
    report.push_str(&peer_cold_start(&peer));
    println!();
    print!("{report}");
    let path = target_dir().join("bench-report.md");
    match std::fs::write(&path, &report) {
        Ok(()) => println!("\n(report written to {})", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
    ExitCode::SUCCESS
}

/// integrify's cold start from the peer run, in milliseconds.
pub(crate) fn peer_cold_start(peer: &[peer::PeerFigure]) -> String {
    let ms = |name: &str| {
        peer.iter()
            .find(|p| p.path == name)
            .map(|p| (p.mean_ns / Decimal::from(1_000_000)).round_dp(1))
    };
    match (ms("cold_import"), ms("cold_create_and_first_call")) {
        (Some(import), Some(first)) => format!(
            "integrify cold start (same run): import {import} ms, then dry client creation and first call {first} ms\n"
        ),
        _ => String::new(),
    }
}

/// The OpenSSL floor of every compared path, measured now.
fn floors() -> Vec<(floor::Primitive, Decimal)> {
    let mut out = Vec::new();
    for spec in &compare::PATHS {
        if out.iter().any(|(p, _)| *p == spec.floor) {
            continue;
        }
        println!("==> openssl speed: {}", spec.floor.label());
        match floor::measure(spec.floor) {
            Ok(ns) => out.push((spec.floor, ns)),
            Err(why) => println!("    no floor figure: {why}"),
        }
    }
    out
}

/// Builds the throughput binary once, then runs the sweep, the repeated
/// EPoint 64-caller rounds and the cold starts, and draws the chart.
fn throughput_report(cargo: &impl Fn() -> Command, seconds: u32) -> String {
    println!("==> cargo build --release -p payments-tests --bin throughput");
    let built = cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "--package",
            "payments-tests",
            "--bin",
            "throughput",
        ])
        .status();
    if !built.is_ok_and(|s| s.success()) {
        return "throughput: the binary did not build\n".to_owned();
    }
    let binary = target_dir().join("release").join("throughput");
    let points = throughput::sweep(&binary, seconds);
    let rounds = throughput::repeat_epoint_64(&binary, seconds, 3);
    let colds = throughput::cold_starts(&binary);
    let chart = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks/throughput.svg");
    let title = format!("Client throughput against the in-process sandbox ({seconds} s per point)");
    let chart_note = match chart::write(&points, &title, &chart) {
        Ok(()) => format!("(chart written to {})\n", chart.display()),
        Err(e) => format!("(no chart: {e})\n"),
    };
    format!(
        "{}\nEPoint pay, 64 callers, repeated (SDK and raw alternating):\n\n{}\nCold start (fresh process):\n\n{}\n{chart_note}",
        throughput::table(&points),
        throughput::repeat_table(&rounds),
        throughput::cold_table(&colds),
    )
}

/// Runs `cargo bench` on every bench target; false when it fails.
fn run_benches(opts: &Options, cargo: &impl Fn() -> Command) -> bool {
    let quick = ["--warm-up-time", "1", "--measurement-time", "3"];
    let mut cmd = cargo();
    cmd.arg("bench");
    if opts.only.is_empty() {
        cmd.arg("--workspace");
    } else {
        for package in &opts.only {
            cmd.args(["--package", package]);
        }
    }
    // `--bench '*'`: only the `[[bench]]` targets. `--benches` would include
    // every lib (they default to `bench = true`), whose libtest harness
    // rejects criterion's flags.
    cmd.args(["--all-features", "--bench", "*", "--"]);
    if opts.criterion.iter().any(|a| a == "--full") {
        cmd.args(opts.criterion.iter().filter(|a| *a != "--full"));
    } else {
        cmd.args(quick).args(&opts.criterion);
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

/// The CPU model, core count and load, for the benchmark record (the load
/// average says whether other work shared the machine during the run).
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
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned());
    format!("machine: {cpu}, {cores} cores, load average {load} at the end of the run")
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
pub(crate) fn baseline_for<'a>(m: &Measurement, all: &'a [Measurement]) -> Option<&'a Measurement> {
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

pub(crate) fn human(ns: Decimal) -> String {
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
    fn own_flags_are_split_from_criterions() {
        let args: Vec<String> = [
            "--peer",
            "integrify",
            "--only",
            "azericard,payments-epoint",
            "--full",
            "--throughput-seconds",
            "3",
            "--sample-size",
            "20",
        ]
        .map(str::to_owned)
        .to_vec();
        let o = options(&args).unwrap();
        assert_eq!(o.peer.as_deref(), Some("integrify"));
        assert_eq!(o.only, ["azericard", "payments-epoint"]);
        assert_eq!(o.throughput_seconds, 3);
        assert_eq!(o.criterion, ["--full", "--sample-size", "20"]);
        assert!(!o.report_only && !o.no_throughput);
        assert!(options(&["--peer".to_owned(), "stripe".to_owned()]).is_err());
        assert!(options(&["--throughput-seconds".to_owned(), "0".to_owned()]).is_err());
        assert_eq!(options(&[]).unwrap().throughput_seconds, 2);
    }

    #[test]
    fn peer_cold_start_line() {
        let figure = |path: &str, ns: i64| peer::PeerFigure {
            path: path.into(),
            mean_ns: Decimal::from(ns),
        };
        let line = peer_cold_start(&[
            figure("cold_import", 250_000_000),
            figure("cold_create_and_first_call", 19_040_000),
        ]);
        assert_eq!(
            line,
            "integrify cold start (same run): import 250 ms, then dry client creation and first call 19.0 ms\n"
        );
        assert_eq!(peer_cold_start(&[figure("cold_import", 1)]), "");
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
